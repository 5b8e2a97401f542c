// wire.test.js: js/wire.js, the form a CuWorker's values take between threads, through
// a real structured clone: every kind of value comes back equal, shared objects and
// cycles stay shared, and depth is no limit. Values a clone can take go as they are; the
// others (too deep, or holding LuaOpaque values) as a flat list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toWire, fromWire } from '../js/wire.js';
import { LuaOpaque } from '../js/codec.js';

const across = (value) => fromWire(structuredClone(toWire(value)));

test('values come back equal, with their types, by either form', () => {
  const fn = new LuaOpaque('function', 'function: 0x10');
  const proto = JSON.parse('{"__proto__": 7}');
  const value = {
    list: [1, 2.5, -0, NaN, null, undefined, 'x', 9007199254740993n, true, new Uint8Array([255])],
    map: new Map([[1, 'one'], ['k', [2]], [fn, 'by an opaque key']]),
    set: new Set(['a', 1]),
    floats: new Float64Array([1.5, 2.5]),
    when: new Date(0),
    empty: {},
    proto,
  };
  assert.ok('nodes' in toWire(value), 'a LuaOpaque makes it a flat list');
  const { map, ...plain } = value;
  assert.ok('tree' in toWire(plain), 'without one it goes as it is');
  assert.deepEqual(across(plain), plain);
  const back = across(value);
  assert.deepEqual(back, value);
  assert.ok(back.map.get('k') instanceof Array && [...back.map.keys()][2] instanceof LuaOpaque);
  assert.equal([...back.map.keys()][2].description, 'function: 0x10');
  assert.ok(Object.is(back.list[2], -0) && Number.isNaN(back.list[3]));
  assert.ok(back.floats instanceof Float64Array && back.when instanceof Date);
  assert.equal(Object.getPrototypeOf(back.proto), Object.prototype, 'a "__proto__" key stays a key');
  assert.equal(back.proto.__proto__, 7);
  for (const plain of [null, 0, 'text', 12n, new Uint8Array(2)]) assert.deepEqual(across(plain), plain);
});

test('shared objects stay shared and cycles stay cycles, also as Map keys', () => {
  const shared = [1];
  const key = { k: true };
  const value = { a: shared, b: shared, m: new Map([[key, key]]) };
  value.self = value;
  const back = across(value);
  assert.equal(back.a, back.b);
  assert.equal(back.self, back);
  const [[k, v]] = back.m;
  assert.equal(k, v);
});

test('depth is no limit: 300,000 levels of arrays, objects and maps', () => {
  for (const make of [(inner) => [inner], (inner) => ({ inner }), (inner) => new Map([['inner', inner]])]) {
    let value = 'bottom';
    for (let i = 0; i < 300000; i++) value = make(value);
    assert.throws(() => structuredClone(value), RangeError, 'a structured clone alone cannot do it');
    let back = across(value);
    let depth = 0;
    while (typeof back !== 'string') {
      back = Array.isArray(back) ? back[0] : back instanceof Map ? back.get('inner') : back.inner;
      depth++;
    }
    assert.equal(depth, 300000);
    assert.equal(back, 'bottom');
  }
});

// The walk that decides must follow the clone's own order (depth first, children in
// order, each object where it is first reached): an object reached shallowly but cloned
// deep down another branch first must count at its deep place.
test('the depth that decides is the depth the clone reaches', () => {
  const chain = (n, end) => { let v = end; for (let i = 0; i < n; i++) v = [v]; return v; };
  assert.ok('tree' in toWire(chain(501, 'x')), 'containers at depths 0 to 500');
  assert.ok('nodes' in toWire(chain(502, 'x')), 'one at depth 501');
  const shared = chain(100, 'x');
  assert.ok('tree' in toWire([shared, chain(450, shared)]), 'met first at depth 1: 101 deep');
  const late = [chain(450, shared), shared];
  assert.ok('nodes' in toWire(late), 'met first at the end of the chain: 551 deep');
  const back = across(late);
  let end = back[0];
  for (let i = 1; i < 450; i++) end = end[0];
  assert.equal(end[0], back[1], 'still one object');
});
