"use strict";
// The host side of core's call engine: moves bytes with a fetch-compatible
// function and sleeps with timers; core (the native module) builds every
// request, mints idempotency keys, classifies responses and decides retries,
// pages lists and runs the vault flows.

const { native, fromDescriptor, guard, guardAsync } = require("./native.cjs");
const { fromWire, toWire } = require("./convert.cjs");
const { C } = require("./gen/converters.cjs");

const STEP_SEND = 0;
const STEP_SLEEP = 1;
const STEP_DONE = 2;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Flat `[name, value, ...]` pairs of a fetch `Headers` (or any iterable of pairs). */
function flatHeaders(headers) {
  const out = [];
  if (!headers) return out;
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    headers.forEach((value, name) => {
      out.push(name, value);
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) out.push(name, String(v));
    else if (value !== undefined && value !== null) out.push(name, String(value));
  }
  return out;
}

function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** What core calls a transport failure of `err` (a fetch rejection). */
function failureKind(err) {
  if (!err || typeof err !== "object") return null;
  if (err.name === "TimeoutError" || err.name === "AbortError") return "timeout";
  if (err.name === "TypeError" && /fetch failed|network|terminated/i.test(String(err.message))) {
    const code = err.cause && err.cause.code;
    if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return "timeout";
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ECONNRESET" || code === "EHOSTUNREACH") return "connect";
    return "other";
  }
  if (typeof err.code === "string" && /^E[A-Z]+$/.test(err.code)) return "connect";
  return null;
}

function failureMessage(url, err) {
  const inner = err && err.cause && err.cause.message ? err.cause.message : err && err.message;
  // The URL's query is never shown (vault.unlock sends an auth hash there).
  const shown = String(url).split("?")[0];
  return `Request to ${shown} failed: ${inner}.`;
}

/** Items of a parsed page (a cursor page object or a list). */
function pageItems(value) {
  if (Array.isArray(value)) return value;
  if (value && Array.isArray(value.items)) return value.items;
  return [];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A 2xx page parsed here, by V8, when every item is exactly as described
 * (`C`, the checked converters): `{items (converted), hasMore, nextCursor}`;
 * null otherwise (not UTF-8, not JSON, not the page's shape, an item off the
 * description), and core's parser then reads the page and decides. Only
 * cursor and offset pages: the one-page shapes are core's.
 */
function checkedPage(body, paging, conv) {
  let page;
  try {
    page = JSON.parse(utf8.decode(body));
  } catch {
    return null;
  }
  let items;
  let hasMore = false;
  let nextCursor = null;
  if (paging === "cursor") {
    if (page === null || typeof page !== "object" || !Array.isArray(page.items) || typeof page.has_more !== "boolean") return null;
    if (page.next_cursor !== null && page.next_cursor !== undefined && typeof page.next_cursor !== "string") return null;
    items = page.items;
    hasMore = page.has_more;
    nextCursor = page.next_cursor ?? null;
  } else if (paging === "offset") {
    if (!Array.isArray(page)) return null;
    items = page;
  } else {
    return null;
  }
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = conv(items[i]);
    if (v === undefined) return null;
    out[i] = v;
  }
  return { items: out, hasMore, nextCursor };
}

function itemType(ret) {
  if (ret.startsWith("iter ")) return ret.slice(5);
  if (ret.startsWith("[") && ret.endsWith("]")) return ret.slice(1, -1);
  return ret;
}

class Runner {
  /**
   * @param {object} o
   * @param {string|null} o.apiKey
   * @param {string} o.baseUrl
   * @param {number} o.timeoutMs default per-request timeout
   * @param {number} o.maxRetries retries after the first attempt (0: none)
   * @param {Function} [o.fetch] a fetch-compatible function (default: the global fetch)
   */
  constructor(o) {
    Object.defineProperty(this, "apiKey", { value: o.apiKey ?? null, enumerable: false });
    this.baseUrl = o.baseUrl;
    this.fetch = o.fetch || globalThis.fetch;
    this.userAgent = o.userAgent || null;
    this.options = {
      timeoutMs: o.timeoutMs,
      maxAttempts: (o.maxRetries ?? 2) + 1,
      baseDelayMs: o.baseDelayMs ?? 500,
      maxDelayMs: o.maxDelayMs ?? 8000,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 60000,
    };
  }

  /** Sends one prepared request; resolves `{status, headers (flat), body (Buffer)}`. */
  async send(req, timeoutMs) {
    const headers = pairs(req.headers);
    if (this.userAgent && !headers.some(([n]) => n.toLowerCase() === "user-agent")) headers.push(["User-Agent", this.userAgent]);
    const init = { method: req.method, headers, signal: AbortSignal.timeout(Math.max(1, timeoutMs)) };
    if (req.body) init.body = req.body;
    const resp = await this.fetch(req.url, init);
    const body = Buffer.from(await resp.arrayBuffer());
    return { status: resp.status, headers: flatHeaders(resp.headers), body };
  }

  /** Drives a native `Call` to its final response. */
  async run(call) {
    let response = null;
    let cause;
    for (;;) {
      const step = call.step();
      if (step === STEP_SEND) {
        const req = call.request;
        try {
          response = await this.send(req, call.timeoutMs);
        } catch (err) {
          const kind = failureKind(err);
          if (kind === null) throw err;
          cause = err;
          call.fail(kind, failureMessage(req.url, err));
          continue;
        }
        cause = undefined;
        call.feed(response.status, response.headers, response.body, Date.now() / 1000);
      } else if (step === STEP_SLEEP) {
        await sleep(call.sleepMs);
      } else if (step === STEP_DONE) {
        return response;
      } else {
        throw fromDescriptor(call.errorJson, cause);
      }
    }
  }

  /** One call of `op`: resolves the parsed wire value. */
  async raw(op, args, idempotentPost = true) {
    const json = args ? JSON.stringify(args) : null;
    const call = guard(() => new native.Call(op, json, this.baseUrl, this.apiKey, this.options, idempotentPost));
    const r = await guardAsync(this.run(call));
    // JSON text from core, read by V8's JSON.parse: faster than building
    // the objects property by property across N-API.
    return JSON.parse(guard(() => native.parseJson(op, r.status, r.headers, r.body)));
  }

  /** Sends a request a flow prepared, through the call engine. */
  async exchange(req) {
    const call = guard(() => native.Call.of(req, this.options));
    return guardAsync(this.run(call));
  }

  /** The one step loop of every native flow; yields each page's parsed value. */
  async *steps(flow) {
    for (;;) {
      const heavy = flow.nextIsHeavy;
      const step = heavy
        ? await guardAsync(flow.nextAsync(this.baseUrl, this.apiKey))
        : guard(() => flow.next(this.baseUrl, this.apiKey));
      if (step === STEP_SEND) {
        const r = await this.exchange(flow.request);
        guard(() => flow.feed(r.status, r.headers, r.body));
      } else if (step === 1) {
        yield JSON.parse(guard(() => flow.pageJson));
      } else {
        return;
      }
    }
  }

  /** Runs a flow to its result. */
  async drive(flow) {
    // eslint-disable-next-line no-unused-vars
    for await (const _ of this.steps(flow)) {
      /* a vault flow yields no pages */
    }
    return guard(() => flow.result());
  }

  /** Every item of every page of `op`, converted as `item`. */
  async *paginate(op, args, item) {
    const flow = guard(() => native.Flow.pager(op, args ? JSON.stringify(args) : null));
    const checked = Object.prototype.hasOwnProperty.call(C, item) ? C[item] : null;
    const paging = checked ? flow.paging : null;
    let mine = null; // the items of the page this side parsed, when it did
    for (;;) {
      const step = guard(() => flow.next(this.baseUrl, this.apiKey));
      if (step === STEP_SEND) {
        const r = await this.exchange(flow.request);
        const page = checked && r.status >= 200 && r.status < 300 ? checkedPage(r.body, paging, checked) : null;
        if (page) {
          guard(() => flow.feedSummary(r.status, r.headers, page.items.length, page.hasMore, page.nextCursor));
          mine = page.items;
        } else {
          guard(() => flow.feed(r.status, r.headers, r.body));
          mine = null;
        }
      } else if (step === 1) {
        if (mine) {
          const items = mine;
          mine = null;
          yield* items;
        } else {
          for (const v of pageItems(JSON.parse(guard(() => flow.pageJson)))) yield fromWire(v, item);
        }
      } else {
        return;
      }
    }
  }

  /** Runs one operation and converts its result as `ret` (the description's `returns`). */
  async call(op, args, ret) {
    const value = await this.raw(op, args);
    if (ret === "none") return undefined;
    if (ret === "raw") return value;
    if (ret.startsWith("[")) return pageItems(value).map((v) => fromWire(v, itemType(ret)));
    return fromWire(value, ret);
  }

  /** A described method: its spec (gen/resources.cjs), positional arguments and options. */
  invoke(spec, positional, options) {
    const args = buildArgs(spec, positional, options);
    if (spec.ret.startsWith("iter ")) return this.paginate(spec.op, args, itemType(spec.ret));
    return this.call(spec.op, args, spec.ret);
  }
}

function put(args, place, wire, value) {
  if (place === "auth") {
    args.api_key = value;
    return;
  }
  (args[place] || (args[place] = {}))[wire] = value;
}

/** Core's arguments (`{path, query, body}`) of a described method call. */
function buildArgs(spec, positional, options) {
  const args = {};
  const given = (place, wire, text, dflt, value) => {
    if (value === undefined) {
      if (dflt !== null && dflt !== undefined) put(args, place, wire, dflt);
      return;
    }
    if (value === null) {
      if (place === "body") put(args, place, wire, null);
      return;
    }
    put(args, place, wire, toWire(value, text));
  };
  if (spec.pos) {
    spec.pos.forEach(([place, wire, text, dflt], i) => given(place, wire, text, dflt, positional[i]));
  }
  if (spec.opt) {
    const o = options && typeof options === "object" ? options : {};
    for (const [js, [place, wire, text, dflt]] of Object.entries(spec.opt)) {
      given(place, wire, text, dflt, o[js]);
    }
  }
  if (spec.fix) for (const [place, wire, value] of spec.fix) put(args, place, wire, value);
  if (args.path) for (const [k, v] of Object.entries(args.path)) args.path[k] = String(v);
  return args;
}

module.exports = { Runner, buildArgs, flatHeaders, failureKind, pageItems, checkedPage };
