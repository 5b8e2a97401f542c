// index.js: the package's entry point.
export { Cu, DEFAULTS } from './cu.js';
export { CuError } from './errors.js';
export { LuaOpaque } from './codec.js';
export { showLua } from './show.js';
export { compileModule } from './module.js';
export { openStore, StoreMiss } from './store.js';
export { CuWorker } from './worker.js';
