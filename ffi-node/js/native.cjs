"use strict";
// Loads the native module (inkbox-core through napi-rs) and turns its errors
// into the typed classes of the error family.

const path = require("node:path");
const errors = require("./errors.cjs");

const FILE = "inkbox.linux-x64-gnu.node";

function load() {
  const candidates = [];
  if (process.env.INKBOX_NODE_NATIVE) candidates.push(process.env.INKBOX_NODE_NATIVE);
  candidates.push(path.join(__dirname, "..", FILE));
  let first;
  for (const file of candidates) {
    try {
      return require(file);
    } catch (e) {
      first = first || e;
    }
  }
  throw new errors.InkboxError(
    `the inkbox native module could not be loaded (${FILE}, built for linux-x64): ${first && first.message}`,
    { code: "internal.native_missing", cause: first },
  );
}

const native = load();

/** The typed error of a native error descriptor (JSON text or object). */
function fromDescriptor(desc, cause) {
  const d = typeof desc === "string" ? JSON.parse(desc) : desc;
  const opts = { code: d.code, cause, message: d.message };
  for (const key of ["retryAfterSeconds", "agentSupport", "field", "blockingNamespace", "body"]) {
    if (d[key] !== undefined && d[key] !== null) opts[key] = d[key];
  }
  if (opts.body && typeof opts.body === "string") opts.body = Buffer.from(opts.body, "base64");
  let cls = errors[d.class] || errors.InkboxError;
  if (d.class === "InkboxTransportError") {
    cls = d.code === "transport.timeout" ? errors.InkboxTimeoutError : errors.InkboxConnectionError;
  }
  if (errors.KINDS[d.class] === "http" || d.statusCode !== undefined && d.statusCode !== null && errors.KINDS[d.class] === undefined) {
    return new cls(d.statusCode, d.detail === undefined ? null : d.detail, opts);
  }
  return new cls(d.message, opts);
}

/** `e` as the typed error when the native module threw it. */
function rethrow(e) {
  // Sync entry points throw with code INKBOX_NATIVE; the rejections of the
  // libuv-pool tasks carry napi's own code with the same JSON message.
  if (e && typeof e.message === "string" && e.message.startsWith("{") && (e.code === "INKBOX_NATIVE" || e.message.includes('"class":'))) {
    let desc;
    try {
      desc = JSON.parse(e.message);
    } catch {
      return e;
    }
    if (typeof desc.class === "string") return fromDescriptor(desc);
  }
  return e;
}

/** Runs `fn`, rethrowing native errors as typed ones. */
function guard(fn) {
  try {
    return fn();
  } catch (e) {
    throw rethrow(e);
  }
}

/** Awaits `promise`, rethrowing native errors as typed ones. */
async function guardAsync(promise) {
  try {
    return await promise;
  } catch (e) {
    throw rethrow(e);
  }
}

module.exports = { native, fromDescriptor, rethrow, guard, guardAsync };
