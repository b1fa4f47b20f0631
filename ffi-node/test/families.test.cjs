"use strict";
// The resource families client.test.cjs does not cover, against a real
// emulator: one realistic flow each (notes, iMessage, tunnels, API keys,
// webhook subscriptions, mail/phone contact rules, signup statics, whoami,
// identity-scoped methods), with the shapes (camelCase keys, Date values,
// ids as strings) and the typed errors of real responses.

const test = require("node:test");
const assert = require("node:assert/strict");
const { startEmulator } = require("./_emulator.cjs");
const sdk = require("..");

let emu;
let inkbox;
let seq = 0;
const handle = (base) => `${base}-${process.pid % 1000}-${++seq}`;

test.before(async () => {
  emu = await startEmulator();
  inkbox = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url });
});

test.after(async () => {
  if (emu) assert.equal(await emu.stop(), 0);
});

/** An object of the official shape: no snake_case key, these keys Dates, these ids strings. */
function assertShape(obj, { dates = ["createdAt", "updatedAt"], ids = ["id"] } = {}) {
  assert.equal(typeof obj, "object");
  assert.ok(obj !== null);
  for (const k of Object.keys(obj)) assert.ok(!k.includes("_"), `snake_case key ${k}`);
  for (const k of dates) assert.ok(obj[k] instanceof Date && !Number.isNaN(obj[k].getTime()), `${k}: ${obj[k]}`);
  for (const k of ids) {
    assert.equal(typeof obj[k], "string", `${k}: ${obj[k]}`);
    assert.ok(obj[k].length > 0, k);
  }
}

/** Asserts `promise` rejects with an InkboxAPIError of `status` (and `cls`, when given). */
async function rejectsWith(promise, status, cls = sdk.InkboxAPIError) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof cls, `${cls.name}: ${e && e.stack}`);
    assert.ok(e instanceof sdk.InkboxAPIError);
    assert.ok(e instanceof sdk.InkboxError);
    assert.equal(e.statusCode, status, String(e));
    assert.match(e.code, /^api\./);
    assert.match(e.message, new RegExp(`^HTTP ${status}`));
    return true;
  });
}

// ---------------------------------------------------------------------- notes

test("notes: create, get, list with q, update (title cleared), access, delete", async () => {
  const agent = await inkbox.createIdentity(handle("notes-agent"));
  const note = await inkbox.notes.create({ title: "Q3 plan", body: "Ship the Node package." });
  assertShape(note, { ids: ["id", "organizationId"] });
  assert.equal(note.title, "Q3 plan");
  assert.equal(note.body, "Ship the Node package.");
  assert.equal(note.organizationId, emu.orgId);
  assert.ok(Array.isArray(note.access));

  const got = await inkbox.notes.get(note.id);
  assert.equal(got.id, note.id);
  assert.equal(got.body, note.body);

  await inkbox.notes.create({ body: "Unrelated groceries list" });
  const hits = await inkbox.notes.list({ q: "Node package" });
  assert.deepEqual(hits.map((n) => n.id), [note.id]);
  assert.ok((await inkbox.notes.list()).length >= 2);

  const cleared = await inkbox.notes.update(note.id, { title: null });
  assert.equal(cleared.title, null);
  assert.equal(cleared.body, "Ship the Node package.");
  assert.ok(cleared.updatedAt.getTime() >= note.updatedAt.getTime());
  const rebodied = await inkbox.notes.update(note.id, { body: "Shipped." });
  assert.equal(rebodied.body, "Shipped.");
  assert.equal(rebodied.title, null);

  const grant = await inkbox.notes.access.grant(note.id, { identityId: agent.id });
  assertShape(grant, { dates: ["createdAt"], ids: ["id", "noteId", "identityId"] });
  assert.equal(grant.noteId, note.id);
  assert.equal(grant.identityId, agent.id);
  assert.deepEqual((await inkbox.notes.access.list(note.id)).map((a) => a.identityId), [agent.id]);
  await inkbox.notes.access.revoke(note.id, agent.id);
  assert.deepEqual(await inkbox.notes.access.list(note.id), []);

  await inkbox.notes.delete(note.id);
  await rejectsWith(inkbox.notes.get(note.id), 404);
  await rejectsWith(inkbox.notes.update(note.id, { body: "gone" }), 404);
});

test("notes: a body-less create is refused before any request", async () => {
  await assert.rejects(inkbox.notes.create({ title: "no body" }), (e) => {
    assert.ok(e instanceof sdk.InkboxValidationError, String(e));
    assert.match(e.field, /body/);
    return true;
  });
});

// ------------------------------------------------------------------- iMessage

test("iMessage: router, connect, read, reply, tapback, read receipt, typing, rules, release", async () => {
  const HUMAN = "+15558675309";
  const h = handle("imsg");
  const identity = await inkbox.createIdentity(h, { imessageEnabled: true });
  assert.equal(identity.imessageEnabled, true);

  const router = await inkbox.imessages.getTriageNumber();
  assert.match(router.number, /^\+\d+$/);
  assert.equal(router.connectCommand, `connect @${h}`);

  await emu.control("POST", "/_emulator/imessage/inbound", { from: HUMAN, text: `connect @${h}` });
  await emu.control("POST", "/_emulator/imessage/inbound", { from: HUMAN, text: "Can you check my order?" });

  const convos = await identity.listIMessageConversations({ limit: 20 });
  assert.deepEqual(convos.map((c) => c.remoteNumber), [HUMAN]);
  assertShape(convos[0], { dates: ["createdAt", "updatedAt"], ids: ["id"] });
  assert.ok(convos[0].unreadCount >= 1);

  const msgs = await identity.listIMessages({ conversationId: convos[0].id });
  const inbound = msgs.find((m) => m.content === "Can you check my order?");
  assert.ok(inbound, JSON.stringify(msgs.map((m) => m.content)));
  assertShape(inbound, { dates: ["createdAt"], ids: ["id", "conversationId"] });
  assert.equal(inbound.direction, sdk.IMessageDirection.INBOUND);
  // The org-wide resource sees the same message.
  const orgWide = await inkbox.imessages.list({ agentIdentityId: identity.id });
  assert.ok(orgWide.some((m) => m.id === inbound.id));

  const sent = await identity.sendIMessage({ conversationId: convos[0].id, text: "On it — two minutes." });
  assert.equal(sent.content, "On it — two minutes.");
  assert.equal(sent.direction, "outbound");
  assert.equal(sent.conversationId, convos[0].id);

  const assignments = await identity.listIMessageAssignments();
  assert.deepEqual(assignments.map((a) => [a.remoteNumber, a.status, a.agentIdentityId]), [[HUMAN, "active", identity.id]]);

  const reaction = await identity.sendIMessageReaction({ messageId: inbound.id, reaction: "like" });
  assert.equal(reaction.reaction, "like");

  const conv = await identity.getIMessageConversation(convos[0].id);
  assert.equal(conv.id, convos[0].id);
  assert.equal(conv.remoteNumber, HUMAN);
  await identity.markIMessageConversationRead(convos[0].id);
  assert.equal((await identity.listIMessageConversations({ limit: 20 }))[0].unreadCount, 0);
  assert.equal(await identity.sendIMessageTyping(convos[0].id), undefined);
  const events = await emu.control("GET", "/_emulator/imessage/events");
  assert.ok(JSON.stringify(events).includes("typing"));

  // Per-identity rules.
  const rules = inkbox.imessageContactRules;
  const rule = await rules.create(h, { action: sdk.IMessageRuleAction.BLOCK, matchTarget: "+15555550999" });
  assertShape(rule, { ids: ["id", "agentIdentityId"] });
  assert.equal(rule.matchTarget, "+15555550999");
  assert.equal(rule.action, "block");
  assert.deepEqual((await rules.list(h)).map((r) => r.id), [rule.id]);
  assert.equal((await rules.get(h, rule.id)).id, rule.id);
  assert.equal((await rules.update(h, rule.id, { action: "allow" })).action, "allow");
  assert.ok((await rules.listAll({ agentIdentityId: identity.id })).some((r) => r.id === rule.id));
  await rules.delete(h, rule.id);
  assert.deepEqual(await rules.list(h), []);
  await rejectsWith(rules.get(h, rule.id), 404);

  // A released conversation stays readable; sending into it is a 409.
  await emu.control("POST", "/_emulator/imessage/disconnect", { from: HUMAN });
  assert.equal((await identity.listIMessageConversations({ limit: 20 }))[0].assignmentStatus, "released");
  await rejectsWith(identity.sendIMessage({ conversationId: convos[0].id, text: "still there?" }), 409);
});

test("iMessage: without the opt-in a local InkboxError; a cold send is a 404", async () => {
  const plain = await inkbox.createIdentity(handle("no-imsg"));
  await assert.rejects(plain.listIMessages({}), (e) => e instanceof sdk.InkboxError && !(e instanceof sdk.InkboxAPIError));
  const enabled = await inkbox.createIdentity(handle("cold-imsg"), { imessageEnabled: true });
  await rejectsWith(enabled.sendIMessage({ to: "+15550009999", text: "cold outreach" }), 404);
});

// -------------------------------------------------------------------- tunnels

test("tunnels: list, get, update metadata (and clear it), 404", async () => {
  const identity = await inkbox.createIdentity(handle("tunnel"));
  assert.ok(identity.tunnel, "an identity comes with a tunnel");
  const tunnels = await inkbox.tunnels.list();
  assert.ok(tunnels.some((t) => t.id === identity.tunnel.id));
  const t = await inkbox.tunnels.get(identity.tunnel.id);
  assertShape(t, { ids: ["id", "organizationId"] });
  assert.equal(t.tunnelName, identity.agentHandle);
  assert.equal(t.publicHost, `${identity.agentHandle}.localhost`);
  assert.equal(t.tlsMode, sdk.TLSMode.EDGE);
  assert.equal(t.status, sdk.TunnelStatus.ACTIVE);
  assert.equal(t.currentlyConnected, false);
  assert.equal(t.lastConnectedAt, null);
  const updated = await inkbox.tunnels.update(t.id, { metadata: { team: "gtm", tier: 2 } });
  assert.deepEqual(updated.metadata, { team: "gtm", tier: 2 });
  assert.deepEqual((await inkbox.tunnels.get(t.id)).metadata, { team: "gtm", tier: 2 });
  // The emulator's control API marks it connected: the Date arrives as a Date.
  await emu.control("POST", `/_emulator/tunnels/${t.id}`, { currently_connected: true });
  const connected = await inkbox.tunnels.get(t.id);
  assert.equal(connected.currentlyConnected, true);
  assert.ok(connected.lastConnectedAt instanceof Date);
  assert.equal(connected.lastConnectedIpAddr, "127.0.0.1");
  await rejectsWith(inkbox.tunnels.get("00000000-0000-4000-8000-000000000001"), 404);
});

// ------------------------------------------------------------------- API keys

test("API keys: a scoped key, its whoami, admin-only minting, revoked with its identity", async () => {
  const identity = await inkbox.createIdentity(handle("keyed"));
  const created = await inkbox.apiKeys.create({ label: "agent key", description: "for the agent", scopedIdentityId: identity.id });
  assert.match(created.apiKey, /^ApiKey_/);
  assertShape(created.record, { ids: ["id", "organizationId"] });
  assert.equal(created.record.label, "agent key");
  assert.equal(created.record.description, "for the agent");
  assert.equal(created.record.scopedIdentityId, identity.id);
  assert.equal(created.record.status, sdk.ApiKeyStatus.ACTIVE);
  assert.ok(created.apiKey.endsWith(created.record.last4));
  assert.equal(created.record.revokedAt, null);

  const scoped = new sdk.Inkbox({ apiKey: created.apiKey, baseUrl: emu.url, maxRetries: 0 });
  const me = await scoped.whoami();
  assert.equal(me.authType, "api_key");
  assert.equal(me.authSubtype, sdk.AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED);
  assert.equal(me.label, "agent key");
  assert.equal(me.keyId, created.record.id);
  await rejectsWith(scoped.apiKeys.create({ label: "nope", scopedIdentityId: identity.id }), 403);
  await rejectsWith(inkbox.apiKeys.create({ label: "another admin" }), 403);

  await identity.delete(); // revokes its scoped keys
  await rejectsWith(scoped.whoami(), 401);
});

test("API keys: a label is required (local validation)", async () => {
  await assert.rejects(inkbox.apiKeys.create({ description: "no label" }), (e) => {
    assert.ok(e instanceof sdk.InkboxValidationError, String(e));
    assert.match(e.field, /label/);
    return true;
  });
});

// ------------------------------------------------------ webhook subscriptions

test("webhook subscriptions: create, list (filters), get, update, delete, 404, 422", async () => {
  const identity = await inkbox.createIdentity(handle("subs"));
  const mb = identity.mailbox;
  const sub = await inkbox.webhooks.subscriptions.create({
    mailboxId: mb.id,
    url: "https://example.com/hook",
    eventTypes: [sdk.WebhookEventType.MESSAGE_RECEIVED],
  });
  assertShape(sub, { ids: ["id", "organizationId", "mailboxId"] });
  assert.equal(sub.mailboxId, mb.id);
  assert.equal(sub.phoneNumberId, null);
  assert.equal(sub.url, "https://example.com/hook");
  assert.deepEqual(sub.eventTypes, ["message.received"]);
  assert.equal(sub.status, "active");

  const listed = await inkbox.webhooks.subscriptions.list({ mailboxId: mb.id });
  assert.deepEqual(listed.map((s) => s.id), [sub.id]);
  assertShape(listed[0], { ids: ["id", "organizationId", "mailboxId"] });
  const got = await inkbox.webhooks.subscriptions.get(sub.id);
  assert.equal(got.url, "https://example.com/hook");
  assert.equal(got.createdAt.getTime(), sub.createdAt.getTime());

  const moved = await inkbox.webhooks.subscriptions.update(sub.id, { url: "https://example.com/new-hook" });
  assert.equal(moved.url, "https://example.com/new-hook");
  assert.deepEqual(moved.eventTypes, ["message.received"], "an omitted eventTypes is left unchanged");
  const retyped = await inkbox.webhooks.subscriptions.update(sub.id, { eventTypes: ["message.sent", "message.failed"] });
  assert.deepEqual(retyped.eventTypes, ["message.sent", "message.failed"]);
  assert.equal(retyped.url, "https://example.com/new-hook", "an omitted url is left unchanged");
  assert.deepEqual((await inkbox.webhooks.subscriptions.list({ mailboxId: mb.id, eventType: "message.sent" })).map((s) => s.id), [sub.id]);
  assert.deepEqual(await inkbox.webhooks.subscriptions.list({ mailboxId: mb.id, eventType: "message.received" }), []);

  await inkbox.webhooks.subscriptions.delete(sub.id);
  assert.deepEqual(await inkbox.webhooks.subscriptions.list({ mailboxId: mb.id }), []);
  await rejectsWith(inkbox.webhooks.subscriptions.get(sub.id), 404);
  // A typo with a valid prefix reaches the server, which refuses it.
  await rejectsWith(
    inkbox.webhooks.subscriptions.create({ mailboxId: mb.id, url: "https://example.com/hook", eventTypes: ["message.received_typo"] }),
    422,
  );
});

// ------------------------------------------------------- mail / phone rules

test("mail contact rules: create, 409 duplicate, list (filter), get, update, listAll, delete", async () => {
  const identity = await inkbox.createIdentity(handle("mrules"));
  const email = identity.mailbox.emailAddress;
  const rules = inkbox.mailContactRules;
  const block = await rules.create(email, { action: sdk.RuleAction.BLOCK, matchType: sdk.MailRuleMatchType.DOMAIN, matchTarget: "spam.example" });
  assertShape(block, { ids: ["id", "mailboxId"] });
  assert.equal(block.matchType, "domain");
  assert.equal(block.status, sdk.ContactRuleStatus.ACTIVE);
  assert.equal(block.mailboxId, identity.mailbox.id);
  await assert.rejects(rules.create(email, { action: "allow", matchType: "domain", matchTarget: "spam.example" }), (e) => {
    assert.ok(e instanceof sdk.DuplicateContactRuleError, String(e));
    assert.ok(e instanceof sdk.InkboxAPIError);
    assert.equal(e.statusCode, 409);
    assert.equal(e.existingRuleId, block.id);
    return true;
  });
  const allow = await rules.create(email, { action: "allow", matchType: "exact_email", matchTarget: "friend@example.com" });
  assert.deepEqual((await rules.list(email)).map((r) => r.id), [block.id, allow.id]);
  assert.deepEqual((await rules.list(email, { matchType: "exact_email" })).map((r) => r.id), [allow.id]);
  assert.equal((await rules.get(email, block.id)).matchTarget, "spam.example");
  assert.equal((await rules.update(email, block.id, { action: "allow" })).action, "allow");
  assert.deepEqual(new Set((await rules.listAll({ mailboxId: identity.mailbox.id })).map((r) => r.id)), new Set([block.id, allow.id]));
  await rules.delete(email, allow.id);
  assert.deepEqual((await rules.list(email)).map((r) => r.id), [block.id]);
  await rejectsWith(rules.get(email, allow.id), 404);
});

test("phone contact rules: create, 409, listAll, applied to inbound texts, update, delete", async () => {
  const identity = await inkbox.createIdentity(handle("prules"));
  const number = await identity.provisionPhoneNumber();
  const rules = inkbox.phoneContactRules;
  const rule = await rules.create(number.id, { action: "block", matchTarget: "+15550001001" });
  assertShape(rule, { ids: ["id", "phoneNumberId"] });
  assert.equal(rule.matchType, sdk.PhoneRuleMatchType.EXACT_NUMBER);
  assert.equal(rule.phoneNumberId, number.id);
  await assert.rejects(rules.create(number.id, { action: "allow", matchTarget: "+15550001001" }), (e) => {
    assert.ok(e instanceof sdk.DuplicateContactRuleError, String(e));
    assert.equal(e.statusCode, 409);
    assert.equal(e.existingRuleId, rule.id);
    return true;
  });
  assert.deepEqual((await rules.listAll({ phoneNumberId: number.id })).map((r) => r.id), [rule.id]);
  assert.equal((await rules.get(number.id, rule.id)).matchTarget, "+15550001001");

  const inject = (from, text) => emu.control("POST", "/_emulator/texts/inbound", { to: number.number, from, text });
  const blocked = await inject("+15550001001", "x");
  const passed = await inject("+15550001002", "y");
  assert.deepEqual([blocked.is_blocked, passed.is_blocked], [true, false]);
  assert.deepEqual((await inkbox.texts.list(number.id, { isBlocked: true })).map((t) => t.id), [blocked.id]);

  assert.equal((await rules.update(number.id, rule.id, { action: "allow" })).action, "allow");
  assert.equal((await inject("+15550001001", "z")).is_blocked, false);
  await rules.delete(number.id, rule.id);
  assert.deepEqual(await rules.list(number.id), []);
  await rejectsWith(rules.get(number.id, rule.id), 404);
});

// ------------------------------------------------------------- signup statics

function codeFor(agents, h) {
  const mine = agents.filter((a) => a.agent_handle === h);
  assert.equal(mine.length, 1, h);
  return String(mine[0].verification_code);
}

test("signup statics: signup, status, wrong code 401, resend 429, verify, claimed key works", async () => {
  const opts = { baseUrl: emu.url, maxRetries: 0 };
  const h = handle("sig");
  const human = `owner-${seq}@example.com`;
  const result = await sdk.Inkbox.signup({ humanEmail: human, noteToHuman: "hello", displayName: "Sales Agent", agentHandle: h }, opts);
  assert.equal(result.agentHandle, h);
  assert.match(result.apiKey, /^ApiKey_/);
  assert.equal(result.claimStatus, sdk.ClaimStatus.AGENT_UNCLAIMED);
  assert.equal(result.humanEmail, human);
  assert.equal(result.emailAddress, `${h}@inkboxmail.com`);
  assert.equal(typeof result.organizationId, "string");
  assert.ok(result.organizationId.length > 0);
  for (const k of Object.keys(result)) assert.ok(!k.includes("_"), k);
  const key = result.apiKey;

  const status = await sdk.Inkbox.getSignupStatus(key, opts);
  assert.equal(status.claimStatus, "agent_unclaimed");
  assert.equal(status.humanEmail, human);
  assert.deepEqual(status.restrictions.allowedRecipients, [human]);
  assert.equal(typeof status.restrictions.maxSendsPerDay, "number");

  const code = codeFor((await emu.control("GET", "/_emulator/signup")).agents, h);
  assert.match(code, /^\d{6}$/);
  const wrong = code === "000000" ? "111111" : "000000";
  await rejectsWith(sdk.Inkbox.verifySignup(key, { verificationCode: wrong }, opts), 401);
  // Within 5 minutes of the first email.
  await rejectsWith(sdk.Inkbox.resendSignupVerification(key, opts), 429);
  const verified = await sdk.Inkbox.verifySignup(key, { verificationCode: code }, opts);
  assert.equal(verified.claimStatus, "agent_claimed");
  assert.equal(verified.organizationId, result.organizationId);
  assert.equal((await sdk.Inkbox.getSignupStatus(key, opts)).claimStatus, "agent_claimed");
  assert.equal((await sdk.Inkbox.resendSignupVerification(key, opts)).claimStatus, "agent_claimed");

  // The key is a working client key.
  const agent = new sdk.Inkbox({ apiKey: key, baseUrl: emu.url, maxRetries: 0 });
  const me = await agent.whoami();
  assert.equal(me.authType, "api_key");
  assert.equal(me.organizationId, result.organizationId);
});

test("signup statics: a bad email is refused locally; omitted fields are not sent", async () => {
  await assert.rejects(sdk.Inkbox.signup({ humanEmail: "not-an-email", noteToHuman: "hi" }, { baseUrl: emu.url }), (e) => {
    assert.ok(e instanceof sdk.InkboxValidationError, String(e));
    assert.match(e.field, /human_email|humanEmail/);
    return true;
  });
  const result = await sdk.Inkbox.signup({ humanEmail: "someone@example.com", noteToHuman: "no handle" }, { baseUrl: emu.url });
  assert.equal(typeof result.agentHandle, "string");
  assert.ok(result.agentHandle.length > 0, "the emulator chose a handle: nothing was sent as null");
  await rejectsWith(sdk.Inkbox.getSignupStatus("ApiKey_not-a-real-key", { baseUrl: emu.url, maxRetries: 0 }), 401);
});

// --------------------------------------------------------------------- whoami

test("whoami: an admin key, numeric times; a bad key is 401", async () => {
  const me = await inkbox.whoami();
  assert.equal(me.authType, "api_key");
  assert.equal(me.authSubtype, sdk.AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED);
  assert.equal(me.organizationId, emu.orgId);
  assert.equal(typeof me.keyId, "string");
  assert.ok(me.keyId.length > 0);
  // The official keeps whoami times as numbers (not Dates).
  assert.ok(me.createdAt === null || typeof me.createdAt === "number", String(me.createdAt));
  for (const k of Object.keys(me)) assert.ok(!k.includes("_"), k);
  const bad = new sdk.Inkbox({ apiKey: "ApiKey_not-a-real-key", baseUrl: emu.url, maxRetries: 0 });
  await rejectsWith(bad.whoami(), 401);
});

// ------------------------------------------------- identity-scoped methods

test("AgentIdentity: access grants, refresh, mail (getMessage, iterEmails), signing key", async () => {
  const a = await inkbox.createIdentity(handle("scoped-a"), { displayName: "A" });
  const b = await inkbox.createIdentity(handle("scoped-b"));

  const grant = await a.grantAccess(b.id);
  assertShape(grant, { dates: ["createdAt"], ids: ["id", "targetIdentityId", "viewerIdentityId"] });
  assert.equal(grant.targetIdentityId, a.id);
  assert.equal(grant.viewerIdentityId, b.id);
  assert.ok((await a.listAccess()).some((g) => g.viewerIdentityId === b.id));
  await a.revokeAccess(b.id);
  assert.ok(!(await a.listAccess()).some((g) => g.viewerIdentityId === b.id));

  // refresh() re-reads the identity after a change made through another object.
  const other = await inkbox.getIdentity(a.agentHandle);
  await other.update({ displayName: "A renamed" });
  assert.equal(a.displayName, "A");
  const refreshed = await a.refresh();
  assert.equal(refreshed, a);
  assert.equal(a.displayName, "A renamed");
  assert.ok(a.updatedAt instanceof Date);

  const sent = await a.sendEmail({ to: [b.emailAddress], subject: "scoped", bodyText: "hello b", bodyHtml: "<p>hello b</p>" });
  assertShape(sent, { dates: ["createdAt"], ids: ["id", "mailboxId"] });
  const inbox = [];
  for await (const m of b.iterEmails({ pageSize: 1 })) inbox.push(m);
  assert.equal(inbox.length, 1);
  assert.equal(inbox[0].subject, "scoped");
  const detail = await b.getMessage(inbox[0].id);
  assert.equal(detail.bodyText, "hello b");
  assert.equal(detail.bodyHtml, "<p>hello b</p>");
  assert.ok(detail.createdAt instanceof Date);
  const thread = await b.getThread(detail.threadId);
  assert.deepEqual(thread.messages.map((m) => m.id), [detail.id]);
  await rejectsWith(b.getMessage("00000000-0000-4000-8000-000000000001"), 404);

  const key = await a.createSigningKey();
  assert.equal(typeof key.signingKey, "string");
  assert.ok(key.signingKey.length > 0);
  const st = await a.getSigningKeyStatus();
  assert.equal(st.configured, true);
  assert.ok(st.createdAt instanceof Date, String(st.createdAt));
});

test("AgentIdentity: texts (send, get, read, conversations) and calls", async () => {
  const id = await inkbox.createIdentity(handle("scoped-phone"));
  await emu.control("POST", "/_emulator/phone/config", { sms_ready_delay_secs: 0, inline_sms_ready_delay_secs: 0 });
  const number = await id.provisionPhoneNumber();
  const REMOTE = "+15550004242";
  // START opts the remote number in (texts to it are refused before).
  await rejectsWith(id.sendText({ to: REMOTE, text: "too early" }), 403);
  await emu.control("POST", "/_emulator/texts/inbound", { to: number.number, from: REMOTE, text: "START" });
  const inbound = await emu.control("POST", "/_emulator/texts/inbound", { to: number.number, from: REMOTE, text: "hello agent" });

  const got = await id.getText(inbound.id);
  assertShape(got, { ids: ["id"] });
  assert.equal(got.text, "hello agent");
  assert.equal(got.isRead, false);
  const read = await id.markTextRead(inbound.id);
  assert.equal(read.isRead, true);

  const convs = await id.listTextConversations();
  assert.ok(convs.some((c) => c.remotePhoneNumber === REMOTE), JSON.stringify(convs));
  const conv = await id.getTextConversation(REMOTE);
  assert.ok(conv.some((t) => t.id === inbound.id));
  const marked = await id.markTextConversationRead(REMOTE);
  assert.equal(typeof marked, "object");

  const reply = await id.sendText({ to: REMOTE, text: "hi human" });
  assert.equal(reply.text, "hi human");
  assert.equal(reply.direction, sdk.TextDirection.OUTBOUND);
  assert.ok(reply.createdAt instanceof Date);
  await rejectsWith(id.getText("00000000-0000-4000-8000-000000000001"), 404);

  const call = await id.placeCall({ toNumber: "+15550007777", clientWebsocketUrl: "wss://example.com/ws" });
  assertShape(call, { ids: ["id"] });
  assert.equal(call.remotePhoneNumber, "+15550007777");
  assert.equal(call.direction, sdk.CallDirection.OUTBOUND);
  const calls = await id.listCalls();
  assert.ok(calls.some((c) => c.id === call.id));
  await emu.control("POST", "/_emulator/transcripts", { call_id: call.id, party: "remote", text: "hello?" });
  const transcript = await id.listTranscripts(call.id);
  assert.deepEqual(transcript.map((t) => t.text), ["hello?"]);
});
