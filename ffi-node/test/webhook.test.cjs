"use strict";
// The fast path of verifyWebhook (a plain headers object, one secret: the
// three values read onto the native stack, `verifyWebhookParts`) against the
// general path (the same delivery with `secrets: [secret]`, which core reads
// from header pairs), on deliveries built to reach every branch of the fast
// reader: long values (read onto the heap), non-ASCII and two-byte strings,
// missing and non-string values, offset views, empty bodies, the clock.

const test = require("node:test");
const assert = require("node:assert/strict");
const sdk = require("../index.cjs");
const { native } = require("../js/native.cjs");

const SECRET = "whsec_fastpath";
const NOW = 1_765_000_000;

function delivery(payload, secret = SECRET, timestamp = NOW) {
  return sdk.signWebhook({ payload, secret, requestId: "req-1", timestamp });
}

/** Both paths' answers, which must agree; the fast path's is returned. */
function both(options) {
  const { secret, ...rest } = options;
  let fast;
  let general;
  try {
    fast = { reason: sdk.verifyWebhookReason({ ...rest, secret }) };
  } catch (e) {
    fast = { error: e.constructor.name, code: e.code };
  }
  try {
    general = { reason: sdk.verifyWebhookReason({ ...rest, secrets: [secret] }) };
  } catch (e) {
    general = { error: e.constructor.name, code: e.code };
  }
  assert.deepEqual(fast, general, JSON.stringify(Object.keys(rest.headers || {})));
  return fast;
}

test("the fast path decides as the general path on every kind of delivery", () => {
  const payload = Buffer.from('{"event":"message.received","id":"4f0c"}');
  const headers = delivery(payload);
  const sig = headers["x-inkbox-signature"];
  const ok = { payload, headers, secret: SECRET, now: NOW };
  assert.deepEqual(both(ok), { reason: null });
  assert.deepEqual(both({ ...ok, secret: "whsec_other" }), { reason: "webhook.signature_mismatch" });
  assert.deepEqual(both({ ...ok, payload: payload.toString() }), { reason: null });

  // A body that is a view into a larger buffer, at an offset.
  const big = Buffer.concat([Buffer.from("xxxx"), payload, Buffer.from("yyyy")]);
  assert.deepEqual(both({ ...ok, payload: big.subarray(4, 4 + payload.length) }), { reason: null });
  assert.deepEqual(both({ ...ok, payload: big.subarray(3, 3 + payload.length) }), { reason: "webhook.signature_mismatch" });

  // An empty body, signed and not.
  const empty = Buffer.alloc(0);
  assert.deepEqual(both({ payload: empty, headers: delivery(empty), secret: SECRET, now: NOW }), { reason: null });
  assert.deepEqual(both({ ...ok, payload: empty }), { reason: "webhook.signature_mismatch" });

  // Missing headers, one at a time; empty values.
  for (const name of Object.keys(headers)) {
    const less = { ...headers };
    delete less[name];
    assert.match(both({ ...ok, headers: less }).reason, /^webhook\.missing_/);
    assert.match(both({ ...ok, headers: { ...headers, [name]: "" } }).reason, /^webhook\.missing_/);
  }
  // Several signatures in one header (space-separated), longer than the stack room (256 units):
  // read onto the heap, and the right one still found.
  const many = Array.from({ length: 6 }, (_, i) => `sha256=${String(i).repeat(64)}`).concat(sig).join(" ");
  assert.ok(many.length > 256);
  assert.deepEqual(both({ ...ok, headers: { ...headers, "x-inkbox-signature": many } }), { reason: null });
  const manyWrong = Array.from({ length: 7 }, (_, i) => `sha256=${String(i).repeat(64)}`).join(" ");
  assert.deepEqual(both({ ...ok, headers: { ...headers, "x-inkbox-signature": manyWrong } }), { reason: "webhook.signature_mismatch" });
  // A request id of 255, 256 and 1000 characters (the edge of the stack room).
  for (const n of [254, 255, 256, 1000]) {
    const rid = "r".repeat(n);
    const h = sdk.signWebhook({ payload, secret: SECRET, requestId: rid, timestamp: NOW });
    assert.deepEqual(both({ ...ok, headers: h }), { reason: null }, `request id of ${n}`);
  }
  // Non-ASCII values: Latin-1 (one byte per character in V8) and two-byte
  // strings, one of which narrows to an ASCII letter if cut to its low byte.
  for (const bad of ["req-\u00e9", "req-\u0161", "req-\u{1F600}", "req-\ud800"]) {
    const r = both({ ...ok, headers: { ...headers, "x-inkbox-request-id": bad } });
    assert.ok(r.reason !== null || r.error, `${JSON.stringify(bad)} accepted`);
  }
  // The signature cut to its low bytes would read "sha256=...": refused.
  const wide = [...sig].map((c) => String.fromCharCode(c.charCodeAt(0) | 0x100)).join("");
  assert.notEqual(both({ ...ok, headers: { ...headers, "x-inkbox-signature": wide } }).reason, null);
  // Stale and future timestamps; the default window.
  assert.deepEqual(both({ ...ok, now: NOW + 301 }), { reason: "webhook.timestamp_out_of_tolerance" });
  assert.deepEqual(both({ ...ok, now: NOW - 301 }), { reason: "webhook.timestamp_out_of_tolerance" });
  assert.deepEqual(both({ ...ok, now: new Date((NOW + 300) * 1000) }), { reason: null });
  assert.deepEqual(both({ ...ok, now: NOW + 10_000, toleranceSeconds: null }), { reason: null });
});

test("secrets: non-ASCII, long and empty ones decide as on the general path", () => {
  const payload = Buffer.from("{}");
  for (const secret of ["whsec_\u00e9t\u00e9", "whsec_\u0161\u{1F511}", `whsec_${"k".repeat(300)}`, "plainsecret"]) {
    const headers = delivery(payload, secret);
    assert.deepEqual(both({ payload, headers, secret, now: NOW }), { reason: null }, secret.slice(0, 12));
    assert.deepEqual(both({ payload, headers, secret: `${secret}x`, now: NOW }), { reason: "webhook.signature_mismatch" });
  }
  const headers = delivery(payload);
  for (const secret of ["", "whsec_"]) {
    assert.deepEqual(both({ payload, headers, secret, now: NOW }), { error: "InkboxWebhookError", code: "webhook.empty_secret" });
  }
});

test("without `now` the host clock decides freshness", () => {
  const payload = Buffer.from("{}");
  const fresh = delivery(payload, SECRET, Math.floor(Date.now() / 1000));
  assert.equal(sdk.verifyWebhook({ payload, headers: fresh, secret: SECRET }), true);
  const stale = delivery(payload, SECRET, Math.floor(Date.now() / 1000) - 3600);
  assert.equal(sdk.verifyWebhookReason({ payload, headers: stale, secret: SECRET }), "webhook.timestamp_out_of_tolerance");
});

test("the native reader refuses what is not a string or a byte view with a typed error", () => {
  const payload = Buffer.from("{}");
  const h = delivery(payload);
  const args = [payload, h["x-inkbox-signature"], h["x-inkbox-request-id"], h["x-inkbox-timestamp"], SECRET, 300, NOW];
  assert.equal(native.verifyWebhookParts(...args), null);
  const absent = [...args];
  absent[2] = null;
  assert.equal(native.verifyWebhookParts(...absent), "webhook.missing_request_id");
  for (const [i, value] of [[0, "not bytes"], [0, new Uint16Array(2)], [0, {}], [1, 42], [3, {}], [4, undefined], [4, 7]]) {
    const bad = [...args];
    bad[i] = value;
    assert.throws(() => native.verifyWebhookParts(...bad), (e) => /invalid|must be/i.test(e.message), `argument ${i}: ${String(value)}`);
  }
});
