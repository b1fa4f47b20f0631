"use strict";
// Webhook verification, TOTP and the vault's key helpers, over core.

const crypto = require("node:crypto");
const { native, guard, guardAsync, rethrow } = require("./native.cjs");
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

const SIGNATURE = "x-inkbox-signature";
const REQUEST_ID = "x-inkbox-request-id";
const TIMESTAMP = "x-inkbox-timestamp";

/** The three `X-Inkbox-*` values of a plain headers object, each at most
 * once (in any case): `[signature, requestId, timestamp]` (undefined when
 * absent), or null when a name repeats or a value is not a string (the
 * general path then hands every occurrence to core). */
function pickThree(headers) {
  let sig;
  let rid;
  let ts;
  for (const name in headers) {
    if (name.length < 18 || (name.charCodeAt(0) | 32) !== 120) continue;
    const lower = name === SIGNATURE || name === REQUEST_ID || name === TIMESTAMP ? name : name.toLowerCase();
    if (lower === SIGNATURE) {
      if (sig !== undefined) return null;
      sig = headers[name];
      if (typeof sig !== "string") return null;
    } else if (lower === REQUEST_ID) {
      if (rid !== undefined) return null;
      rid = headers[name];
      if (typeof rid !== "string") return null;
    } else if (lower === TIMESTAMP) {
      if (ts !== undefined) return null;
      ts = headers[name];
      if (typeof ts !== "string") return null;
    }
  }
  return [sig, rid, ts];
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
  const h = o.headers;
  // The common delivery (a plain headers object, one secret, strict): the
  // three values picked here and passed as they are, the fewest crossings.
  if (!o.compat && typeof o.secret === "string" && o.secrets === undefined && h && typeof h === "object" &&
      typeof h.get !== "function" && (Buffer.isBuffer(o.payload) || typeof o.payload === "string")) {
    const three = pickThree(h);
    if (three !== null) {
      const payload = typeof o.payload === "string" ? Buffer.from(o.payload, "utf8") : o.payload;
      const tolerance = o.toleranceSeconds === undefined ? DEFAULT_TOLERANCE_SECONDS : o.toleranceSeconds;
      // No `now`: the native side reads the clock (cheaper than Date.now()).
      const t = o.now;
      const now = t === undefined || t === null ? undefined : Math.floor(t instanceof Date ? t.getTime() / 1000 : t);
      try {
        return native.verifyWebhookParts(payload, three[0], three[1], three[2], o.secret, tolerance, now);
      } catch (e) {
        throw rethrow(e);
      }
    }
  }
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
  if (typeof uri !== "string") return guard(() => native.parseTotpUri(uri)); // core's typed error
  // One packed string from core (see parseTotpUriPacked in NATIVE.md), sliced here.
  const s = guard(() => native.parseTotpUriPacked(uri));
  const head = s.indexOf(";");
  const n = s.slice(0, head).split(",");
  let at = head + 1;
  const take = (len) => {
    if (len < 0) return null;
    const v = s.slice(at, at + len);
    at += len;
    return v;
  };
  const secret = take(+n[2]);
  const algorithm = take(+n[3]);
  const issuer = take(+n[4]);
  const accountName = take(+n[5]);
  return { secret, algorithm, digits: +n[0], period: +n[1], issuer, accountName };
}

// ------------------------------------------------------------ vault keys

// The official SDK's runtime enums of these values (core's own: the TOTP
// algorithms, core's VaultKeyType and SecretType wire names).
const TOTPAlgorithm = Object.freeze({ SHA1: "sha1", SHA256: "sha256", SHA512: "sha512" });
const VaultKeyType = Object.freeze({ PRIMARY: "primary", RECOVERY: "recovery" });
const VaultSecretType = Object.freeze({ API_KEY: "api_key", KEY_PAIR: "key_pair", LOGIN: "login", SSH_KEY: "ssh_key", OTHER: "other" });

/** A fresh org encryption key: 32 bytes from the OS CSPRNG (a Buffer, as the official). */
function generateOrgEncryptionKey() {
  return crypto.randomBytes(32);
}

function orgKeyBytes(key) {
  if (!(key instanceof Uint8Array)) {
    throw new errors.InkboxValidationError("orgEncryptionKey must be the key's 32 bytes (a Uint8Array)", { field: "orgEncryptionKey" });
  }
  return Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

function material(m) {
  return { id: m.id, wrappedOrgEncryptionKey: m.wrappedOrgEncryptionKey, authHash: m.authHash, keyType: m.keyType };
}

/**
 * The material that registers a vault key (checked against the vault-key
 * rules first: `InkboxVaultKeyError`): Argon2id off the main thread, the org
 * key wrapped under a fresh key id. `options.keyType`: "primary" (default) or "recovery".
 */
async function generateVaultKeyMaterial(vaultKey, organizationId, orgEncryptionKey, options = {}) {
  const keyType = (options && options.keyType) ?? VaultKeyType.PRIMARY;
  const task = guard(() => native.generateVaultKeyMaterial(vaultKey, organizationId, orgKeyBytes(orgEncryptionKey), keyType));
  return material(await guardAsync(task));
}

/** A fresh recovery code and its material: `[code, material]` (show the code once). */
async function generateRecoveryCode(organizationId, orgEncryptionKey) {
  const task = guard(() => native.generateRecoveryCodeMaterial(organizationId, orgKeyBytes(orgEncryptionKey)));
  const m = await guardAsync(task);
  return [m.code, material(m)];
}

/** The material as `POST /vault/initialize` and `POST /vault/keys` take it. */
function vaultKeyMaterialToWire(m) {
  return { id: m.id, wrapped_org_encryption_key: m.wrappedOrgEncryptionKey, auth_hash: m.authHash, key_type: m.keyType };
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
  TOTPAlgorithm,
  VaultKeyType,
  VaultSecretType,
  generateOrgEncryptionKey,
  generateVaultKeyMaterial,
  generateRecoveryCode,
  vaultKeyMaterialToWire,
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
