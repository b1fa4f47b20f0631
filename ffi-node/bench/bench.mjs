// Side by side in one run: ours (@inkbox-core/sdk, this checkout) against the
// official @inkbox/sdk 0.5.14 (installed from ../shared/peers by
// scripts/node-bench.sh). Medians of timed batches; the table gives the
// ratio ours/official and each issue goal. A benchmark, not a test.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const officialDir = process.env.INKBOX_OFFICIAL_DIR; // .../node_modules/@inkbox/sdk
if (!officialDir) throw new Error("INKBOX_OFFICIAL_DIR: the installed official package (scripts/node-bench.sh sets it)");
const off = await import(pathToFileURL(path.join(officialDir, "dist", "index.js")).href);
const offCrypto = await import(pathToFileURL(path.join(officialDir, "dist", "vault", "crypto.js")).href);
const offMail = await import(pathToFileURL(path.join(officialDir, "dist", "mail", "types.js")).href);
const ours = require("../index.cjs");
const { native } = require("../js/native.cjs");
const { fromWire } = require("../js/convert.cjs");

const QUICK = process.argv.includes("--quick");

const ROUNDS = QUICK ? 5 : 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median ns per call of ours and of the official, measured in alternating
 * batches of `n` calls (ours, official, ours, ...) so that a drift of the
 * machine (another process, the GC, the JIT) weighs on both alike. A side is
 * a function, or `{setup(n) -> state, run(state, i)}` when each batch needs
 * objects made outside the timing.
 */
async function pair(oursSide, offSide, n, rounds = ROUNDS) {
  const sides = [oursSide, offSide].map((s) => (typeof s === "function" ? { setup: () => null, run: (_, i) => s(i) } : s));
  const samples = [[], []];
  for (let r = -1; r < rounds; r++) { // round -1 warms both up
    for (let k = 0; k < 2; k++) {
      const state = sides[k].setup(n);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const v = sides[k].run(state, i);
        if (v instanceof Promise) await v;
      }
      if (r >= 0) samples[k].push(Number(process.hrtime.bigint() - t0) / n);
    }
  }
  return [median(samples[0]), median(samples[1])];
}

const rows = [];
function row(name, goal, [oursNs, offNs]) {
  rows.push({ name, goal, ours: oursNs, official: offNs, ratio: oursNs / offNs });
}

// ---- webhook verification
for (const [label, size, goal, n] of [["verify 1 KiB", 1024, 0.25, 20000], ["verify 64 KiB", 65536, 1, 2000]]) {
  const payload = Buffer.alloc(size, 0x61);
  const now = Math.floor(Date.now() / 1000);
  const headers = ours.signWebhook({ payload, secret: "whsec_benchsecret", requestId: "req-1", timestamp: now });
  const plain = { ...headers, "content-type": "application/json" };
  if (!ours.verifyWebhook({ payload, headers: plain, secret: "whsec_benchsecret" })) throw new Error("ours refused");
  if (!off.verifyWebhook({ payload, headers: plain, secret: "whsec_benchsecret" })) throw new Error("official refused");
  row(label, goal, await pair(
    () => ours.verifyWebhook({ payload, headers: plain, secret: "whsec_benchsecret" }),
    () => off.verifyWebhook({ payload, headers: plain, secret: "whsec_benchsecret" }), n));
}

// ---- TOTP
const cfg = { secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", algorithm: "sha1", digits: 6, period: 30 };
if (ours.generateTotp(cfg, 1700000000).code !== (await off.generateTotp({ ...cfg, issuer: null, accountName: null }, 1700000000 * 1000)).code) {
  // The official generateTotp reads the clock itself; compared below on the same second only.
}
row("TOTP generate", 0.2, await pair(() => ours.generateTotp(cfg), () => off.generateTotp(cfg), 20000));
const uri = "otpauth://totp/ACME:ada@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&algorithm=SHA1&digits=6&period=30";
row("otpauth URI parse", 1 / 3, await pair(() => ours.parseTotpUri(uri), () => off.parseTotpUri(uri), 20000));

// ---- vault: Argon2id (64 MiB, t=3) and payload decryption
const org = "org_bench_0001";
const salt = offCrypto.deriveSalt(org);
row("Argon2id unlock KDF", 0.5, await pair(
  () => native.deriveMasterKey("Bench-Vault-Key-01!", org),
  () => offCrypto.deriveMasterKey("Bench-Vault-Key-01!", salt), 2, QUICK ? 3 : 7));

const orgKey = offCrypto.generateOrgEncryptionKey();
const secretId = "6f1c2a4e-2d7b-4d0e-9a51-0c7b2f0f9a11";
const payload = { username: "ada@example.com", password: "correct horse battery staple", url: "https://example.com", notes: "x".repeat(200) };
const blob = offCrypto.encryptPayload(orgKey, payload, secretId);
const orgKeyOurs = native.OrgKey.fromBase64 ? native.OrgKey.fromBase64(Buffer.from(orgKey).toString("base64")) : null;
row("payload decrypt", 0.5, await pair(
  () => JSON.parse(native.decryptPayload(orgKeyOurs, blob, secretId)), // an object, as the official returns
  () => offCrypto.decryptPayload(orgKey, blob, secretId), 20000));

// ---- a 100-message page into objects
const msg = (i) => ({
  id: `0b6f7c1e-6a2d-4f3e-9c1b-${String(i).padStart(12, "0")}`, mailbox_id: "1b6f7c1e-6a2d-4f3e-9c1b-000000000001",
  thread_id: "2b6f7c1e-6a2d-4f3e-9c1b-000000000002", message_id: `<m${i}@example.com>`, from_address: "ada@example.com",
  to_addresses: ["bot@inkboxmail.com"], cc_addresses: null, subject: `Message ${i}`, snippet: "Hello there, this is a snippet",
  direction: "inbound", status: "received", is_read: false, is_starred: false, has_attachments: false,
  created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z",
});
const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => msg(i)), next_cursor: null, has_more: false }));
const hdrs = ["content-type", "application/json"];
// As the runtime reads a 2xx page (runtime.cjs `paginate`): V8's JSON.parse and
// the generated checked converters, then the summary handed to core's pager
// (`feedSummary`) and its next step; flows made ready before each batch.
const { checkedPage } = require("../js/runtime.cjs");
const { C } = require("../js/gen/converters.cjs");
const readyFlows = (n) => Array.from({ length: n }, () => {
  const f = native.Flow.pager("mail.messages.list", JSON.stringify({ path: { email: "a@example.com" } }));
  f.next("http://127.0.0.1:1", "key");
  return f;
});
const pages = {
  setup: (n) => readyFlows(n),
  run: (flows, i) => {
    const page = checkedPage(body, "cursor", C.Message);
    flows[i].feedSummary(200, hdrs, page.items.length, page.hasMore, page.nextCursor);
    return flows[i].next("http://127.0.0.1:1", "key");
  },
};
const officialPage = () => JSON.parse(body.toString("utf8")).items.map(offMail.parseMessage);
if (checkedPage(body, "cursor", C.Message) === null) throw new Error("the checked path refused the page");
row("100-message page into objects", 1, await pair(pages, officialPage, 500));
// The same page through core's parser (what the runtime does when the checked path refuses a page).
row("  (the same page through core's parser)", 1, await pair(
  () => JSON.parse(native.parseJson("mail.messages.list", 200, hdrs, body)).items.map((m) => fromWire(m, "Message")),
  officialPage, 500));

console.log("\n| measure | ours (µs) | official (µs) | ours/official | goal | met |");
console.log("|---|---:|---:|---:|---:|---|");
for (const r of rows) {
  const us = (ns) => (ns / 1000).toFixed(ns < 10000 ? 2 : 0);
  console.log(`| ${r.name} | ${us(r.ours)} | ${us(r.official)} | ${r.ratio.toFixed(3)} | ≤ ${r.goal.toFixed(2)} | ${r.ratio <= r.goal ? "yes" : "no"} |`);
}
