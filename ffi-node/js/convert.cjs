"use strict";
// Values between the wire (snake_case JSON, ISO-8601 strings) and JavaScript
// (camelCase plain objects, Date values), driven by the description's model
// tables (gen/schema.cjs) and the type text of each field and parameter.

const { MODELS, ALIASES, ENUMS } = require("./gen/schema.cjs");
const converters = require("./gen/converters.cjs");

// ------------------------------------------------------------ type parsing

const parsed = new Map();

/** The type tree of a description type text (`[Message]`, `datetime?`, `A|B`), cached. */
function type(text) {
  let t = parsed.get(text);
  if (t === undefined) {
    t = parse(text);
    parsed.set(text, t);
  }
  return t;
}

function parse(text) {
  let i = 0;
  const s = text.replace(/\s+/g, "");
  function union() {
    const parts = [atom()];
    while (s[i] === "|") {
      i++;
      parts.push(atom());
    }
    let nullable = false;
    if (s[i] === "?") {
      i++;
      nullable = true;
    }
    if (parts.length === 1) return { ...parts[0], nullable: nullable || parts[0].nullable };
    return { kind: "union", items: parts, nullable };
  }
  function atom() {
    if (s[i] === "[") {
      i++;
      const inner = union();
      i++; // ]
      return { kind: "list", items: [inner], nullable: false };
    }
    if (s[i] === "{") {
      i++;
      const inner = union();
      i++; // }
      return { kind: "map", items: [inner], nullable: false };
    }
    const start = i;
    while (i < s.length && /[A-Za-z0-9_]/.test(s[i])) i++;
    const name = s.slice(start, i);
    if (MODELS[name]) return { kind: "model", name, nullable: false };
    if (ALIASES[name] !== undefined) return { kind: "alias", name, nullable: false };
    if (ENUMS[name]) return { kind: "enum", name, nullable: false };
    return { kind: "scalar", name, nullable: false };
  }
  return union();
}

// ------------------------------------------------------------------ names

const camelCache = new Map();
function camel(snake) {
  let c = camelCache.get(snake);
  if (c === undefined) {
    c = snake.replace(/_([a-z0-9])/g, (_, ch) => ch.toUpperCase());
    camelCache.set(snake, c);
  }
  return c;
}

const snakeCache = new Map();
function snake(name) {
  let c = snakeCache.get(name);
  if (c === undefined) {
    c = name.replace(/[A-Z]/g, (ch) => "_" + ch.toLowerCase());
    snakeCache.set(name, c);
  }
  return c;
}

// ------------------------------------------------------------- from wire

const modelTables = new Map();
function table(name) {
  let t = modelTables.get(name);
  if (t === undefined) {
    t = MODELS[name].map(([wire, js, text]) => [wire, js, type(text)]);
    modelTables.set(name, t);
  }
  return t;
}

/** The model of a union that fits `value` best (most of its keys known). */
function pick(items, value) {
  let best = null;
  let score = -1;
  for (const t of items) {
    const r = resolve(t);
    if (r.kind !== "model") continue;
    const n = MODELS[r.name].reduce((acc, [wire]) => acc + (wire in value ? 1 : 0), 0);
    if (n > score) {
      best = r;
      score = n;
    }
  }
  return best;
}

function resolve(t) {
  let r = t;
  while (r.kind === "alias") r = { ...type(ALIASES[r.name]), nullable: r.nullable || type(ALIASES[r.name]).nullable };
  return r;
}

/** A wire value read as type `t` (a type tree or its text). */
function fromWire(value, t) {
  if (typeof t === "string") t = type(t);
  if (value === null || value === undefined) return null;
  switch (t.kind) {
    case "scalar":
      if (t.name === "datetime" && typeof value === "string") return new Date(value);
      return value; // json values pass as they are (user data: metadata, attachment metadata)
    case "enum":
      return value;
    case "alias":
      return fromWire(value, resolve(t));
    case "model":
      return converters.M[t.name](value);
    case "list":
      return Array.isArray(value) ? value.map((v) => fromWire(v, t.items[0])) : value;
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = fromWire(v, t.items[0]);
      return out;
    }
    case "union": {
      if (typeof value === "object" && !Array.isArray(value)) {
        const m = pick(t.items, value);
        if (m) return fromWire(value, m);
      }
      return camelDeep(value);
    }
    default:
      return value;
  }
}

/** Any JSON with its object keys camelCased (values as they are). */
function camelDeep(value) {
  if (Array.isArray(value)) return value.map(camelDeep);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[camel(k)] = camelDeep(v);
    return out;
  }
  return value;
}

// --------------------------------------------------------------- to wire

/** A JavaScript argument as the wire value of type `t`. */
function toWire(value, t) {
  if (typeof t === "string") t = type(t);
  if (value === null || value === undefined) return value === undefined ? undefined : null;
  if (value instanceof Date) return value.toISOString();
  switch (t.kind) {
    case "scalar":
      if ((t.name === "bytes" || t.name === "binary") && value instanceof Uint8Array) {
        return Buffer.from(value).toString(t.name === "bytes" ? "utf8" : "base64");
      }
      return value;
    case "enum":
      return value;
    case "alias":
      return toWire(value, resolve(t));
    case "model": {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const known = new Map(table(t.name).map(([wire, js, ft]) => [js, [wire, ft]]));
      const out = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const f = known.get(k);
        if (f) out[f[0]] = toWire(v, f[1]);
        else out[snake(k)] = snakeDeep(v);
      }
      return out;
    }
    case "list":
      return Array.isArray(value) ? value.map((v) => toWire(v, t.items[0])) : value;
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const out = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, t.items[0]);
      return out;
    }
    case "union": {
      for (const item of t.items) {
        const r = resolve(item);
        if (r.kind === "scalar" && typeof value !== "object") return toWire(value, r);
      }
      return snakeDeep(value);
    }
    default:
      return value;
  }
}

/** Any JSON with its object keys snake_cased (`contentType` → `content_type`). */
function snakeDeep(value) {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(snakeDeep);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[snake(k)] = snakeDeep(v);
    return out;
  }
  return value;
}

converters.useGeneric(fromWire);

module.exports = { type, fromWire, toWire, camel, snake, camelDeep, snakeDeep };
