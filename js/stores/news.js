// news.js: how the connections to one database hear of each other's commits. Each has a
// BroadcastChannel named after the database, which reaches the other connections of the
// origin or process (tabs, workers, worker threads, and other connections here) but not
// other OS processes. After a commit a connection posts { unit }, and tells its own other
// unit objects at once. It counts what it hears per unit name (an IndexedDB unit's
// changed()) and calls the listeners of the units that watch (Cu's onStoreChange).

import { Watchers } from '../store.js';

export class StoreNews {
  /** @param {string} channelName */
  constructor(channelName) {
    /** @type {Map<string, number>} unit name -> commits to it heard of */
    this.counts = new Map();
    /** @type {Map<string, Watchers>} unit name -> the listeners of its unit objects */
    this.watchers = new Map();
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName) : null;
    if (this.channel !== null) {
      this.channel.onmessage = (e) => {
        if (typeof e.data?.unit === 'string') this.#hear(e.data.unit, null);
      };
      this.channel.unref?.();  // Node: an open store must not keep the process alive
    }
  }

  heardOf(name) {
    return this.counts.get(name) ?? 0;
  }

  /** A commit to unit name through the unit object `from`: the other connections hear of
      it, and so do this connection's other unit objects of that name. */
  announce(name, from) {
    this.channel?.postMessage({ unit: name });
    this.#hear(name, from);
  }

  /** Calls listener after each commit to `unit`'s name made through any other unit
      object; returns the function that stops it. */
  watch(unit, listener) {
    let set = this.watchers.get(unit.name);
    if (set === undefined) this.watchers.set(unit.name, set = new Watchers());
    const remove = set.add(unit, listener);
    return () => {
      remove();
      if (set.size === 0 && this.watchers.get(unit.name) === set) this.watchers.delete(unit.name);
    };
  }

  #hear(name, from) {
    this.counts.set(name, this.heardOf(name) + 1);
    this.watchers.get(name)?.tell(from);
  }

  close() {
    this.channel?.close();
    this.channel = null;
    this.watchers.clear();
  }
}
