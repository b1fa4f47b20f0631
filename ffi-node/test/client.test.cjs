"use strict";
// The JS surface against a real emulator: one smoke flow per resource family,
// errors from real responses, retries through emulator faults, pagination.

const test = require("node:test");
const assert = require("node:assert/strict");
const { startEmulator } = require("./_emulator.cjs");
const sdk = require("..");

let emu;
let inkbox;

test.before(async () => {
  emu = await startEmulator();
  inkbox = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url });
});

test.after(async () => {
  if (emu) assert.equal(await emu.stop(), 0);
});

test("identities: create, get, list, update, delete", async () => {
  const id = await inkbox.createIdentity("node-smoke", { displayName: "Node smoke" });
  assert.ok(id instanceof sdk.AgentIdentity);
  assert.equal(id.agentHandle, "node-smoke");
  assert.equal(id.displayName, "Node smoke");
  assert.match(id.emailAddress, /^node-smoke@/);
  assert.ok(id.createdAt instanceof Date);
  assert.equal(typeof id.id, "string");
  const again = await inkbox.getIdentity("node-smoke");
  assert.equal(again.id, id.id);
  const all = await inkbox.listIdentities();
  assert.ok(all.some((s) => s.agentHandle === "node-smoke"));
  await id.update({ displayName: "Renamed" });
  assert.equal(id.displayName, "Renamed");
  await id.update({ description: null });
  assert.equal(id.description, null);
  await id.delete();
  await assert.rejects(inkbox.getIdentity("node-smoke"), (e) => {
    assert.ok(e instanceof sdk.InkboxAPIError);
    assert.ok(e instanceof sdk.InkboxError);
    assert.equal(e.statusCode, 404);
    assert.equal(e.name, "InkboxAPIError");
    assert.equal(e.code, "api.not_found");
    return true;
  });
});

test("a taken handle is a HandleUnavailableError", async () => {
  await inkbox.createIdentity("node-taken");
  await assert.rejects(inkbox.createIdentity("node-taken"), (e) => {
    assert.ok(e instanceof sdk.InkboxAPIError, String(e));
    assert.equal(e.statusCode, 409);
    return true;
  });
});

test("mail: send, list (async generator over pages), get, flags, threads", async () => {
  const a = await inkbox.createIdentity("node-mail-a");
  const b = await inkbox.createIdentity("node-mail-b");
  for (let i = 0; i < 5; i++) {
    const sent = await a.sendEmail({ to: [b.emailAddress], subject: `hello ${i}`, bodyText: `body ${i}` });
    assert.equal(sent.subject, `hello ${i}`);
    assert.ok(sent.createdAt instanceof Date);
  }
  const seen = [];
  for await (const m of inkbox.messages.list(b.emailAddress, { pageSize: 2 })) seen.push(m);
  assert.equal(seen.length, 5);
  assert.ok(seen.every((m) => m.direction === sdk.MessageDirection.INBOUND));
  const detail = await inkbox.messages.get(b.emailAddress, seen[0].id);
  assert.match(detail.bodyText, /^body \d$/);
  const read = await inkbox.messages.markRead(b.emailAddress, seen[0].id);
  assert.equal(read.isRead, true);
  const unread = [];
  for await (const m of b.iterUnreadEmails()) unread.push(m);
  assert.equal(unread.length, 4);
  await b.markEmailsRead(unread.map((m) => m.id));
  const after = [];
  for await (const m of b.iterUnreadEmails()) after.push(m);
  assert.equal(after.length, 0);
  const threads = [];
  for await (const t of inkbox.threads.list(b.emailAddress)) threads.push(t);
  assert.ok(threads.length >= 1);
  const thread = await b.getThread(threads[0].id);
  assert.ok(Array.isArray(thread.messages));
});

test("validation errors are typed and name the argument", async () => {
  await assert.rejects(inkbox.messages.send("nobody@example.com", { subject: "x" }), (e) => {
    assert.ok(e instanceof sdk.InkboxValidationError, String(e));
    assert.match(e.field, /recipients|to/);
    return true;
  });
});

test("retries: a 429 with Retry-After is retried with the same idempotency key", async () => {
  const a = await inkbox.createIdentity("node-retry");
  await emu.fault({ count: 1, status: 429, retry_after: 1, path_prefix: "/api/v1/mail" });
  const t0 = Date.now();
  const sent = await a.sendEmail({ to: ["someone@example.com"], subject: "retried" });
  assert.ok(Date.now() - t0 >= 900, "the retry waited for Retry-After");
  assert.equal(sent.subject, "retried");
  const outbox = await emu.control("GET", "/_emulator/outbox");
  assert.equal(outbox.filter((m) => m.subject === "retried").length, 1);
});

test("maxRetries: 0 surfaces the 429 with retryAfterSeconds", async () => {
  const noRetry = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, maxRetries: 0 });
  await emu.fault({ count: 1, status: 429, retry_after: 7, path_prefix: "/api/v1/identities" });
  await assert.rejects(noRetry.listIdentities(), (e) => {
    assert.ok(e instanceof sdk.InkboxAPIError);
    assert.equal(e.statusCode, 429);
    assert.equal(e.retryAfterSeconds, 7);
    return true;
  });
});

test("a 5xx after every retry is an InkboxAPIError", async () => {
  const quick = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, maxRetries: 1 });
  await emu.fault({ count: 2, status: 503, path_prefix: "/api/v1/identities" });
  await assert.rejects(quick.listIdentities(), (e) => e instanceof sdk.InkboxAPIError && e.statusCode === 503);
});

test("timeouts and refused connections are InkboxError subclasses with the cause", async () => {
  const slow = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, timeoutMs: 200, maxRetries: 0 });
  await emu.fault({ count: 1, delay_ms: 1500, path_prefix: "/api/v1/identities" });
  await assert.rejects(slow.listIdentities(), (e) => {
    assert.ok(e instanceof sdk.InkboxTimeoutError, String(e));
    assert.ok(e instanceof sdk.InkboxConnectionError);
    assert.ok(e instanceof sdk.InkboxError);
    assert.ok(e.cause);
    return true;
  });
  await emu.control("DELETE", "/_emulator/faults");
  const closed = new sdk.Inkbox({ apiKey: "ApiKey_x", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  await assert.rejects(closed.listIdentities(), (e) => {
    assert.ok(e instanceof sdk.InkboxConnectionError, String(e));
    assert.ok(!String(e.message).includes("ApiKey_x"));
    return true;
  });
});

test("a custom fetch is used for every request", async () => {
  const seen = [];
  const client = new sdk.Inkbox({
    apiKey: emu.adminKey,
    baseUrl: emu.url,
    fetch: (url, init) => {
      seen.push([init.method, String(url)]);
      return fetch(url, init);
    },
  });
  await client.listIdentities();
  assert.deepEqual(seen, [["GET", `${emu.url}/api/v1/identities/`]]);
});

test("whoami keeps the official shape", async () => {
  const me = await inkbox.whoami();
  assert.equal(me.authType, "api_key");
  assert.equal(me.organizationId, emu.orgId);
});

test("phone: provision a number, send and list texts", async () => {
  const id = await inkbox.createIdentity("node-phone");
  const number = await id.provisionPhoneNumber();
  assert.match(number.number, /^\+1/);
  assert.equal(id.phoneNumber.id, number.id);
  const numbers = await inkbox.phoneNumbers.list();
  assert.ok(numbers.some((n) => n.id === number.id));
  await emu.control("POST", "/_emulator/phone/config", { sms_ready_delay_secs: 0, inline_sms_ready_delay_secs: 0 });
  const inbound = await emu.control("POST", "/_emulator/texts/inbound", { to: number.number, from: "+15550001111", text: "hi there" });
  assert.equal(inbound.text, "hi there");
  const texts = await id.listTexts();
  assert.ok(texts.some((t) => t.text === "hi there"));
  await id.releasePhoneNumber();
  assert.equal(id.phoneNumber, null);
});

test("a missing channel is a local InkboxError", async () => {
  const id = await inkbox.createIdentity("node-nophone");
  await assert.rejects(id.listTexts(), (e) => e instanceof sdk.InkboxError && /no phone number/.test(e.message));
  const noMail = Object.create(sdk.AgentIdentity.prototype, { _data: { value: { agentHandle: "x", mailbox: null } } });
  assert.throws(() => noMail.iterEmails(), (e) => e instanceof sdk.InkboxError && /no mailbox/.test(e.message));
});

test("vault: initialize, unlock, secrets, credentials, TOTP", async () => {
  const key = "Correct-Horse-Battery-9";
  const init = await inkbox.vault.initialize(key);
  assert.equal(init.recoveryCodes.length, init.recoveryKeyCount);
  assert.equal(init.recoveryKeys[0].recoveryCode, init.recoveryCodes[0]);
  const unlocked = await inkbox.vault.unlock(key);
  assert.equal(unlocked.secrets.length, 0);
  const id = await inkbox.createIdentity("node-vault");
  const meta = await id.createSecret({
    name: "github",
    payload: { username: "ada", password: "hunter2", totp: { secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", algorithm: "sha1", digits: 6, period: 30 } },
  });
  assert.equal(meta.name, "github");
  const creds = await id.getCredentials();
  assert.equal(creds.listLogins().length, 1);
  assert.equal(creds.getLogin(meta.id).password, "hunter2");
  const code = await id.getTotpCode(meta.id);
  assert.match(code.code, /^\d{6}$/);
  assert.equal(code.expiresIn, code.secondsRemaining);
  const rules = await inkbox.vault.listAccessRules(meta.id);
  assert.ok(rules.some((r) => r.identityId === id.id));
  await assert.rejects(inkbox.vault.unlock("Wrong-Key-Entirely-1"), (e) => e instanceof sdk.InkboxError);
  const bad = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, vaultKey: "Wrong-Key-Entirely-1" });
  await assert.rejects(bad.ready(), (e) => e instanceof sdk.InkboxError);
});

test("webhooks: verify strict by default, compat as the official, never throws", () => {
  const payload = Buffer.from('{"event":"message.received"}');
  const now = Math.floor(Date.now() / 1000);
  const headers = sdk.signWebhook({ payload, secret: "whsec_abc", requestId: "req-1", timestamp: now });
  assert.equal(sdk.verifyWebhook({ payload, headers, secret: "whsec_abc" }), true);
  assert.equal(sdk.verifyWebhook({ payload: payload.toString(), headers, secret: "whsec_abc" }), true);
  assert.equal(sdk.verifyWebhook({ payload, headers, secret: "whsec_other" }), false);
  assert.equal(sdk.verifyWebhook({ payload, headers, secrets: ["whsec_other", "whsec_abc"] }), true);
  const stale = sdk.signWebhook({ payload, secret: "whsec_abc", requestId: "req-1", timestamp: now - 3600 });
  assert.equal(sdk.verifyWebhook({ payload, headers: stale, secret: "whsec_abc" }), false);
  assert.match(sdk.verifyWebhookReason({ payload, headers: stale, secret: "whsec_abc" }), /^webhook\./);
  assert.equal(sdk.verifyWebhook({ payload, headers: stale, secret: "whsec_abc", compat: true }), true);
  const short = { ...headers, "x-inkbox-signature": "sha256=abcd" };
  assert.equal(sdk.verifyWebhook({ payload, headers: short, secret: "whsec_abc" }), false);
  assert.equal(sdk.verifyWebhook({ payload, headers: short, secret: "whsec_abc", compat: true }), false);
  assert.equal(sdk.verifyWebhook({ payload, headers: {}, secret: "whsec_abc" }), false);
  // Header names in any case, Headers objects, repeated values, a NUL inside a value.
  const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal(sdk.verifyWebhook({ payload, headers: upper, secret: "whsec_abc" }), true);
  assert.equal(sdk.verifyWebhook({ payload, headers: new Headers(headers), secret: "whsec_abc" }), true);
  assert.equal(sdk.verifyWebhook({ payload, headers: { ...headers, "x-inkbox-request-id": ["req-1", "req-2"] }, secret: "whsec_abc" }), false);
  assert.equal(sdk.verifyWebhook({ payload, headers: { ...headers, "x-inkbox-request-id": "req\u00001" }, secret: "whsec_abc" }), false);
  assert.throws(() => sdk.verifyWebhook({ payload, headers, secret: "" }), sdk.InkboxWebhookError);
});

test("TOTP helpers", () => {
  const cfg = { secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", algorithm: "sha1", digits: 8, period: 30 };
  assert.equal(sdk.generateTotp(cfg, 59).code, "94287082");
  assert.equal(sdk.verifyTotp(cfg, "94287082", { now: 59 }), true);
  const parsed = sdk.parseTotpUri("otpauth://totp/ACME:ada?secret=gezdgnbvgy3tqojq&issuer=ACME&digits=6");
  assert.equal(parsed.secret, "GEZDGNBVGY3TQOJQ");
  assert.equal(parsed.issuer, "ACME");
  assert.equal(parsed.accountName, "ada");
  assert.throws(() => sdk.parseTotpUri("otpauth://hotp/x?secret=AA"), sdk.InkboxTOTPError);
});

test("configuration errors", () => {
  assert.throws(() => new sdk.Inkbox({ apiKey: "k", baseUrl: "http://example.com" }), sdk.InkboxError);
  const saved = process.env.INKBOX_API_KEY;
  delete process.env.INKBOX_API_KEY;
  const home = process.env.HOME;
  process.env.HOME = "/nonexistent-home";
  try {
    assert.throws(() => new sdk.Inkbox({ baseUrl: "https://inkbox.ai" }), /No API key/);
  } finally {
    process.env.HOME = home;
    if (saved !== undefined) process.env.INKBOX_API_KEY = saved;
  }
});

test("AgentPost (seed 003): inboxes over core's agentpost operations", async () => {
  const AgentPost = require("../agentpost.cjs");
  const key = await emu.control("POST", "/_emulator/agentpost/keys", {});
  const client = new AgentPost({ apiKey: key.api_key, baseUrl: `${emu.url}/api/v1` });
  const inbox = await client.inboxes.create({ username: "deploy-alerts", display_name: "Deployment Alerts" });
  assert.match(inbox.email, /deploy-alerts/);
  const again = await client.inboxes.create({ username: "ticket-routing", display_name: "Ticket Router", client_id: "ticket-router-prod-v1" });
  const same = await client.inboxes.create({ username: "ticket-routing", display_name: "Ticket Router", client_id: "ticket-router-prod-v1" });
  assert.equal(same.id, again.id);
  const page = await client.inboxes.list({ limit: 20 });
  assert.equal(page.items.length, 2);
  assert.equal((await client.inboxes.get(inbox.id)).id, inbox.id);
  const all = [];
  for await (const i of client.inboxes.listAll({ limit: 1 })) all.push(i);
  assert.equal(all.length, 2);
  await assert.rejects(new AgentPost({ apiKey: "ap_sk_wrong", baseUrl: `${emu.url}/api/v1`, maxRetries: 0 }).inboxes.list(), (e) => e instanceof sdk.InkboxAPIError && e.statusCode === 401);
});

test("contacts: create with the official option names, get, list", async () => {
  const c = await inkbox.contacts.create({ givenName: "Ada", familyName: "Lovelace", emails: [{ value: "ada@example.com", label: "work", isPrimary: true }] });
  assert.equal(c.givenName, "Ada");
  const got = await inkbox.contacts.get(c.id);
  assert.equal(got.familyName, "Lovelace");
});

test("an unknown field of a nested argument is a validation error naming it", async () => {
  await assert.rejects(inkbox.contacts.create({ emails: [{ emailAddress: "ada@example.com" }] }), (e) => {
    assert.ok(e instanceof sdk.InkboxValidationError);
    assert.equal(e.field, "body.emails[0].email_address");
    return true;
  });
});

test("today's structured refusals are the official typed classes with their fields", async () => {
  const once = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, maxRetries: 0 });
  const cases = [
    [402, { error: "storage_limit_exceeded", message: "Mailbox full", upgrade_url: "https://c/b", limit_bytes: 1024 },
      "StorageLimitExceededError", { message: "Mailbox full", detailMessage: "Mailbox full", upgradeUrl: "https://c/b", limitBytes: 1024 }],
    [409, { error: "idempotency_key_reused", message: "Reused" },
      "IdempotencyKeyReusedError", { message: "Reused", detailMessage: "Reused" }],
    [402, { error: "dedicated_imessage_number_quota_exceeded", number_type: "dedicated", limit: 2, current: 2, contact_email: "s@example.com" },
      "DedicatedIMessageNumberQuotaExceededError", { numberType: "dedicated", limit: 2, current: 2, contactEmail: "s@example.com", detailMessage: "" }],
    [503, { error: "dedicated_imessage_number_inventory_pending", message: "Soon", retry_after_seconds: 30 },
      "DedicatedIMessageNumberInventoryPendingError", { retryAfterSeconds: 30, message: "Soon" }],
    [429, { error: "mail_import_quota_exceeded", message: "Tomorrow", retry_after_seconds: 600 },
      "MailImportQuotaExceededError", { retryAfterSeconds: 600 }],
  ];
  for (const [status, detail, cls, fields] of cases) {
    await emu.fault({ count: 1, status, detail, path_prefix: "/api/v1/identities" });
    await assert.rejects(once.listIdentities(), (e) => {
      assert.equal(e.constructor, sdk[cls], cls);
      assert.ok(e instanceof sdk.InkboxAPIError);
      assert.equal(e.name, cls);
      assert.equal(e.statusCode, status);
      assert.equal(e.code, `api.${detail.error}`);
      assert.deepEqual(e.detail, detail);
      for (const [k, v] of Object.entries(fields)) assert.deepEqual(e[k], v, `${cls}.${k}`);
      if (!detail.message) assert.match(e.message, new RegExp(`^HTTP ${status}`));
      return true;
    });
  }
  // The same code under another status is the plain class of that status.
  await emu.fault({ count: 1, status: 400, detail: { error: "storage_limit_exceeded" }, path_prefix: "/api/v1/identities" });
  await assert.rejects(once.listIdentities(), (e) => e.constructor === sdk.InkboxAPIError && e.statusCode === 400);
});

test("the envelope's agent_support reaches InkboxAPIError.agentSupport", async () => {
  const once = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, maxRetries: 0 });
  await emu.fault({ count: 1, status: 403, agent_support: "Ask a human", path_prefix: "/api/v1/identities" });
  await assert.rejects(once.listIdentities(), (e) => e instanceof sdk.InkboxAPIError && e.agentSupport === "Ask a human");
  await emu.fault({ count: 1, status: 404, path_prefix: "/api/v1/identities" });
  await assert.rejects(once.listIdentities(), (e) => e instanceof sdk.InkboxAPIError && e.agentSupport === null);
  assert.equal(new sdk.InkboxAPIError(500, "x").agentSupport, null);
});
