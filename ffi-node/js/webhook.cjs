"use strict";
// Webhook verification, TOTP and the vault's key helpers, over core.

const { native, guard } = require("./native.cjs");
const { snakeDeep } = require("./convert.cjs");
const errors = require("./errors.cjs");

const DEFAULT_TOLERANCE_SECONDS = 300;

/** The `X-Inkbox-*` headers as flat pairs (core reads only those; every
 * occurrence is passed, so core still sees a repeated header). */
function headerPairs(headers) {
  const out = [];
  if (!headers) return out;
  const take = (name, value) => {
    // "x" or "X", then the rest of the prefix in any case.
    if (name.length > 9 && (name.charCodeAt(0) | 32) === 120 && name.charCodeAt(1) === 45 && name.slice(2, 9).toLowerCase() === "inkbox-") {
      out.push(name, value);
    }
  };
  if (typeof headers.forEach === "function" && typeof headers.get === "function") {
    headers.forEach((value, name) => take(name, value));
    return out;
  }
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value)) {
      for (const v of value) take(name, String(v));
    } else if (value !== undefined && value !== null) {
      take(name, String(value));
    }
  }
  return out;
}

/** The same headers packed for `verifyWebhookPacked`: each name and value NUL-terminated. */
function packHeaders(flat) {
  let out = "";
  for (let i = 0; i < flat.length; i++) {
    if (flat[i].includes("\0")) return null; // not representable: the array path checks it
    out += flat[i] + "\0";
  }
  return out;
}

function payloadBuffer(payload) {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === "string") return Buffer.from(payload, "utf8");
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new errors.InkboxValidationError("payload must be the raw body: a Buffer, Uint8Array or string", { field: "payload" });
}

function secretsOf(o) {
  const s = o.secrets !== undefined ? o.secrets : o.secret;
  const list = typeof s === "string" ? [s] : Array.isArray(s) ? s : [s];
  if (!list.length || list.some((x) => typeof x !== "string")) {
    throw new errors.InkboxWebhookError("secret must be a non-empty string (or secrets a non-empty list of them)", { code: "webhook.empty_secret" });
  }
  return list;
}

/**
 * Why a delivery is refused (a `webhook.*` code), or null when it verifies.
 * Options: payload, headers, secret (or secrets: several, e.g. during a rotation),
 * toleranceSeconds (default 300; null: no freshness check), now (seconds or a Date).
 */
function verifyWebhookReason(options) {
  const o = options || {};
  const payload = payloadBuffer(o.payload);
  const headers = headerPairs(o.headers);
  const secrets = secretsOf(o);
  if (o.compat) return guard(() => native.verifyWebhookCompat(payload, headers, secrets[0])) ? null : "webhook.signature_mismatch";
  const tolerance = o.toleranceSeconds === undefined ? DEFAULT_TOLERANCE_SECONDS : o.toleranceSeconds;
  const now = Math.floor(o.now instanceof Date ? o.now.getTime() / 1000 : o.now ?? Date.now() / 1000);
  // One secret: the packed call (fewer values cross N-API); several: the list.
  const packed = secrets.length === 1 ? packHeaders(headers) : null;
  if (packed !== null) return guard(() => native.verifyWebhookPacked(payload, packed, secrets[0], tolerance, now));
  return guard(() => native.verifyWebhook(payload, headers, secrets, tolerance, now));
}

/**
 * Whether a webhook delivery is authentic: `verifyWebhook({payload, headers, secret})`.
 * Strict by default (a timestamp older or newer than 5 minutes is refused; the
 * official SDK checks none); `compat: true` decides as the official SDK does.
 * Never throws on a malformed signature.
 */
function verifyWebhook(options) {
  return verifyWebhookReason(options) === null;
}

/** The headers of a signed delivery (for tests and for emulating a sender). */
function signWebhook(options) {
  const o = options || {};
  const ts = o.timestamp === undefined ? String(Math.floor(Date.now() / 1000)) : String(o.timestamp);
  return guard(() => native.signWebhook(payloadBuffer(o.payload), o.secret, o.requestId, ts));
}

// ------------------------------------------------------------------ TOTP

function totpConfigJson(config) {
  if (!config || typeof config !== "object") throw new errors.InkboxTOTPError("config must be a TOTPConfig object", { field: "config" });
  return JSON.stringify(snakeDeep(config));
}

/** The current code of a TOTPConfig: {code, periodStart, periodEnd, secondsRemaining}. */
function generateTotp(config, now) {
  const t = Math.floor(now instanceof Date ? now.getTime() / 1000 : now ?? Date.now() / 1000);
  if (config && typeof config === "object" && typeof config.secret === "string") {
    const period = config.period ?? 30;
    const code = guard(() => native.totpCode(config.secret, config.algorithm ?? "sha1", config.digits ?? 6, period, t));
    const periodStart = t - (t % period);
    return { code, periodStart, periodEnd: periodStart + period, secondsRemaining: periodStart + period - t };
  }
  const c = guard(() => native.generateTotp(totpConfigJson(config), t));
  return { code: c.code, periodStart: c.periodStart, periodEnd: c.periodEnd, secondsRemaining: c.secondsRemaining };
}

/** Whether `code` is valid now (window: periods accepted either side, default 1). */
function verifyTotp(config, code, options) {
  const o = options || {};
  const t = o.now instanceof Date ? o.now.getTime() / 1000 : o.now ?? Date.now() / 1000;
  return guard(() => native.verifyTotp(totpConfigJson(config), String(code), Math.floor(t), o.window ?? 1));
}

/** An otpauth://totp/ URI as a TOTPConfig. */
function parseTotpUri(uri) {
  return guard(() => native.parseTotpUri(uri));
}

// ---------------------------------------------------------------- names

function validateAgentHandle(handle) {
  guard(() => native.validateAgentHandle(handle));
}
function normalizeAgentHandle(handle) {
  return guard(() => native.normalizeAgentHandle(handle));
}
function validateTunnelName(name) {
  guard(() => native.validateTunnelName(name));
}

module.exports = {
  DEFAULT_TOLERANCE_SECONDS,
  verifyWebhook,
  verifyWebhookReason,
  signWebhook,
  generateTotp,
  verifyTotp,
  parseTotpUri,
  validateAgentHandle,
  normalizeAgentHandle,
  validateTunnelName,
};
