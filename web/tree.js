// tree.js: the _home tree view. WALK_HOME is a compute that walks _home inside the unit and
// returns plain data (sorted keys, short previews, shared tables and cycles as references
// to their first path, bounded in depth and size, so any _home is safe to show);
// renderTree turns it into nested <details> elements and remembers what the user opened.

export const WALK_HOME = `
local MAX_DEPTH, MAX_KEYS = 8, 100
local budget = 1500
local seen = {}
local rank = { number = 1, string = 2, boolean = 3 }
local function less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (rank[ta] or 4) < (rank[tb] or 4) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local function quote(s)
  if not utf8.len(s) then return "<" .. #s .. " bytes>" end
  local cut = #s > 60
  if cut then
    s = s:sub(1, 60)
    while not utf8.len(s) do s = s:sub(1, -2) end
  end
  return (string.format("%q", s):gsub("\\\\\\n", "\\\\n")) .. (cut and "…" or "")
end
local function label(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  if type(k) == "string" then return "[" .. quote(k) .. "]" end
  return "[" .. tostring(k) .. "]"
end
local function describe(v)
  local t = type(v)
  if t == "string" then return "string", quote(v) end
  if t == "number" then return math.type(v), tostring(v) end
  if t == "userdata" and bigint.isbigint(v) then return "bigint", tostring(v) end
  if t == "function" then return "function", "function" end
  return t, tostring(v)
end
local function walk(tbl, path, depth)
  seen[tbl] = path
  local keys = {}
  for k in pairs(tbl) do keys[#keys + 1] = k end
  table.sort(keys, less)
  local kids = {}
  for i = 1, #keys do
    if i > MAX_KEYS or budget <= 0 then return kids, #keys, #keys - i + 1 end
    budget = budget - 1
    local k = label(keys[i])
    local v = tbl[keys[i]]
    local node = { k = k }
    if type(v) == "table" then
      node.t = "table"
      if seen[v] then node.ref = seen[v]
      elseif depth >= MAX_DEPTH then node.deep = true
      else node.c, node.n, node.more = walk(v, path .. (k:sub(1, 1) == "[" and k or "." .. k), depth + 1) end
    else
      node.t, node.v = describe(v)
    end
    kids[i] = node
  end
  return kids, #keys, 0
end
local c, n, more = walk(_home, "_home", 1)
return { c = c, n = n, more = more }
`;

const list = (c) => (Array.isArray(c) ? c : []);  // an empty Lua table arrives as {}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * @param {HTMLElement} container
 * @param {{ c: object[], n: number, more: number }} root  what WALK_HOME returned
 * @param {Map<string, boolean>} open  path -> whether the user left it open (kept across renders)
 */
export function renderTree(container, root, open) {
  container.replaceChildren();
  if (root.n === 0) {
    container.append(el('p', 'empty', '_home is empty. Store something: _home.x = 1'));
    return;
  }
  container.append(children(root, '_home', 1, open));
}

/** A closed table's one-line look: {done = true, text = "write some Lua"}. */
function preview(table) {
  const parts = list(table.c).slice(0, 6).map((c) => {
    const v = c.t !== 'table' ? c.v : c.ref !== undefined ? '↺' : '{…}';
    return /^\[\d+\]$/.test(c.k) ? v : `${c.k} = ${v}`;
  });
  const text = `{${parts.join(', ')}${(table.n ?? 0) > parts.length ? ', …' : ''}}`;
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function children(table, path, depth, open) {
  const ul = el('ul', 'tree-level');
  for (const node of list(table.c)) {
    const li = el('li');
    const childPath = path + (node.k.startsWith('[') ? node.k : `.${node.k}`);
    li.dataset.path = childPath;
    if (node.t === 'table' && node.c !== undefined) {
      const details = el('details');
      const n = node.n ?? 0;
      details.open = open.get(childPath) ?? (depth <= 1 && n <= 12);
      details.addEventListener('toggle', () => open.set(childPath, details.open));
      const summary = el('summary');
      summary.append(el('span', 'key', node.k), ' ', el('span', 'count', n === 1 ? '1 entry' : `${n} entries`), el('span', 'preview', preview(node)));
      details.append(summary, children(node, childPath, depth + 1, open));
      li.append(details);
    } else {
      const row = el('div', 'leaf');
      row.append(el('span', 'key', node.k), el('span', 'eq', ' = '));
      if (node.ref !== undefined) row.append(el('span', 'ref', `↺ ${node.ref}`));
      else if (node.deep) row.append(el('span', 'ref', 'table (deeper than shown)'));
      else row.append(el('span', `val t-${node.t}`, node.v));
      if (node.t !== 'table' && node.t !== 'function') row.title = node.t;
      li.append(row);
    }
    ul.append(li);
  }
  if (table.more > 0) ul.append(el('li', 'more', `… ${table.more} more`));
  return ul;
}
