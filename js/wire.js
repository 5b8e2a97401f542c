// wire.js: how a CuWorker's values cross between threads. Most go as they are, by
// structured clone. That would not do for two kinds: a value nested deeper than the clone's
// recursion can go (it fails with a RangeError at about 1,900 levels of objects on Node's
// main thread, and a Lua linked list of 5,000 nodes is that deep, while Cu returns any
// depth), and one holding LuaOpaque values (a clone makes them plain objects). Those go as
// a flat list of their containers, each naming its children by index, built again on the
// other side. Shared tables and cycles stay shared either way, and neither side recurses.

import { LuaOpaque, setProperty } from './codec.js';

const ARRAY = 0, MAP = 1, SET = 2, OBJECT = 3, OPAQUE = 4, OTHER = 5;

/** Deeper than this, a value goes as a flat list: a quarter of the depth at which a clone
    failed on Node's main thread, whose stack is the smallest measured (a worker's went 4x deeper). */
const CLONE_DEPTH = 500;

/** Objects the walk takes apart; views (Uint8Array, input arrays) are cloned whole. */
const isContainer = (v) => v !== null && typeof v === 'object' && !ArrayBuffer.isView(v);

function kindOf(v) {
  if (v instanceof LuaOpaque) return OPAQUE;
  if (Array.isArray(v)) return ARRAY;
  if (v instanceof Map) return MAP;
  if (v instanceof Set) return SET;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? OBJECT : OTHER;
}

/**
 * Whether a structured clone can take value as it is: no LuaOpaque in it, and not deeper
 * than CLONE_DEPTH. The walk is the clone's own: depth first, children in order, each
 * object at its first visit, so the depth found is the depth the clone will recurse to.
 */
function cloneable(root) {
  const seen = new Set();
  const stack = [root, 0];
  while (stack.length > 0) {
    const depth = stack.pop();
    const v = stack.pop();
    if (seen.has(v)) continue;
    seen.add(v);
    const kind = kindOf(v);
    if (kind === OPAQUE || depth > CLONE_DEPTH) return false;
    if (kind === OTHER) continue;
    const children = kind === ARRAY ? v : kind === MAP ? [...v].flat() : kind === SET ? [...v] : Object.values(v);
    for (let j = children.length - 1; j >= 0; j--) {
      if (isContainer(children[j])) stack.push(children[j], depth + 1);
    }
  }
  return true;
}

/**
 * The sending side: a value that is not a container goes as it is, one that a structured
 * clone can take as { tree: value }, and any other as { nodes, refs }: nodes[0] is the
 * value itself, a container inside a node is written as the index of its own node, and
 * refs lists where those indexes are, as pairs (node, position). Indexes rather than
 * { ref } objects: one number each to clone.
 */
export function toWire(value) {
  if (!isContainer(value)) return value;
  if (cloneable(value)) return { tree: value };
  const index = new Map([[value, 0]]);
  const nodes = [value];
  const refs = [];
  // breadth first: nodes grows as the walk finds containers, and each is encoded once
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    const kind = kindOf(v);
    const node = [kind];
    const add = (x) => {
      if (isContainer(x)) {
        let at = index.get(x);
        if (at === undefined) {
          at = nodes.length;
          index.set(x, at);
          nodes.push(x);
        }
        refs.push(i, node.length);
        x = at;
      }
      node.push(x);
    };
    if (kind === ARRAY) for (let j = 0; j < v.length; j++) add(v[j]);
    else if (kind === MAP) for (const [k, x] of v) { add(k); add(x); }
    else if (kind === SET) for (const x of v) add(x);
    else if (kind === OBJECT) for (const k of Object.keys(v)) { node.push(k); add(v[k]); }
    else if (kind === OPAQUE) node.push(v.type, v.description);
    else node.push(v);  // anything else is left to the structured clone
    nodes[i] = node;
  }
  return { nodes, refs };
}

/** The receiving side: the value toWire was given, made again. */
export function fromWire(wire) {
  if (!isContainer(wire)) return wire;
  if ('tree' in wire) return wire.tree;
  const { nodes, refs } = wire;
  const built = nodes.map((node) => {
    switch (node[0]) {
      case ARRAY: return [];
      case MAP: return new Map();
      case SET: return new Set();
      case OBJECT: return {};
      case OPAQUE: return new LuaOpaque(node[1], node[2]);
      default: return node[1];
    }
  });
  for (let r = 0; r < refs.length; r += 2) {
    const node = nodes[refs[r]];
    node[refs[r + 1]] = built[node[refs[r + 1]]];
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const v = built[i];
    switch (node[0]) {
      case ARRAY: for (let j = 1; j < node.length; j++) v.push(node[j]); break;
      case MAP: for (let j = 1; j < node.length; j += 2) v.set(node[j], node[j + 1]); break;
      case SET: for (let j = 1; j < node.length; j++) v.add(node[j]); break;
      case OBJECT: for (let j = 1; j < node.length; j += 2) setProperty(v, node[j], node[j + 1]); break;
    }
  }
  return built[0];
}
