// Seed 001 "Text Messages (SMS/MMS)" and "SMS Opt-Ins" through the official
// @inkbox/sdk 0.5.14. Inbound texts (START/STOP and messages from people) are
// injected with POST /_emulator/texts/inbound {"from", "to", "text", "media_urls"?}.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InkboxAPIError, InkboxError, SmsDeliveryStatus, SmsOptInStatus } from "@inkbox/sdk";
import { handle, uniqueNumber, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

function inbound(from, to, text, mediaUrls) {
  const body = { from, to, text };
  if (mediaUrls) body.media_urls = mediaUrls;
  return env.emu.control("POST", "/_emulator/texts/inbound", body);
}

/** An identity whose number is SMS-ready (numbers created inline start ready). */
async function texter() {
  const identity = await inkbox().createIdentity(handle("texter"), { phoneNumber: { type: "local" } });
  assert.equal(identity.phoneNumber.smsStatus, "ready");
  return identity;
}

test("sending needs an opt-in; STOP opts out (403 details)", async () => {
  const identity = await texter();
  const phone = identity.phoneNumber;
  const remote = uniqueNumber();

  await assert.rejects(identity.sendText({ to: remote, text: "Hello from Inkbox" }), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.statusCode, 403);
    assert.equal(err.detail.error, "recipient_not_opted_in");
    return true;
  });

  await inbound(remote, phone.number, "START");
  const sent = await identity.sendText({ to: remote, text: "Hello from Inkbox" });
  assert.equal(sent.deliveryStatus, SmsDeliveryStatus.QUEUED); // "queued"
  assert.equal(sent.direction, "outbound");
  assert.equal(sent.remotePhoneNumber, remote);
  assert.equal(sent.localPhoneNumber, phone.number);
  assert.equal(sent.text, "Hello from Inkbox");

  const row = await inkbox().smsOptIns.get(remote);
  assert.equal(row.status, SmsOptInStatus.OPTED_IN);
  assert.equal(row.source, "sms");
  assert.ok(row.optedInAt instanceof Date);

  await inbound(remote, phone.number, "STOP");
  await assert.rejects(identity.sendText({ to: remote, text: "still there?" }), (err) => {
    assert.equal(err.statusCode, 403);
    assert.equal(err.detail.error, "recipient_opted_out");
    return true;
  });
  const optedOut = await inkbox().smsOptIns.list({ status: SmsOptInStatus.OPTED_OUT });
  assert.ok(optedOut.some((r) => r.receiverNumber === remote));
});

test("a pending sender is 409 sender_sms_pending", async () => {
  const identity = await inkbox().createIdentity(handle("pending"));
  const phone = await identity.provisionPhoneNumber();
  const remote = uniqueNumber();
  await inbound(remote, phone.number, "START");
  await assert.rejects(identity.sendText({ to: remote, text: "too early" }), (err) => {
    assert.equal(err.statusCode, 409);
    assert.equal(err.detail.error, "sender_sms_pending");
    return true;
  });
});

test("inbound texts: list, get, update, conversations, search", async () => {
  const identity = await texter();
  const phone = identity.phoneNumber;
  const remote = uniqueNumber();
  await inbound(remote, phone.number, "START");
  await inbound(remote, phone.number, "Where is my invoice?");
  await identity.sendText({ to: remote, text: "Sending the invoice now" });

  const texts = await identity.listTexts({ limit: 20 });
  assert.deepEqual(texts.slice(0, 2).map((t) => t.text), ["Sending the invoice now", "Where is my invoice?"]);
  const unread = await identity.listTexts({ isRead: false });
  assert.ok(unread.length > 0 && unread.every((t) => t.direction === "inbound"));

  const question = texts.find((t) => t.text === "Where is my invoice?");
  const text = await identity.getText(question.id);
  assert.equal(text.type, "sms");
  assert.equal(text.remotePhoneNumber, remote);
  assert.ok(text.createdAt instanceof Date);
  assert.equal((await identity.markTextRead(question.id)).isRead, true);

  const convos = await identity.listTextConversations({ limit: 20, includeGroups: true });
  const convo = convos.find((c) => c.remotePhoneNumber === remote);
  assert.equal(convo.latestText, "Sending the invoice now");
  assert.ok(convo.totalCount >= 3);
  const msgs = await identity.getTextConversation(remote, { limit: 50 });
  const bodies = msgs.map((m) => m.text);
  assert.ok(bodies.includes("Where is my invoice?") && bodies.includes("Sending the invoice now"));
  const marked = await identity.markTextConversationRead(remote);
  assert.equal(marked.isRead, true);
  assert.deepEqual(await identity.listTexts({ isRead: false }), []);

  // Org-level: search and update.
  const results = await inkbox().texts.search(phone.id, { q: "invoice", limit: 20 });
  assert.deepEqual(results.map((t) => t.text).sort(), ["Sending the invoice now", "Where is my invoice?"]);
  assert.equal((await inkbox().texts.update(phone.id, question.id, { isRead: false })).isRead, false);
  // README: inkbox.texts.update(phone.id, id, { status: "deleted" }). 0.5.14 takes only
  // isRead and drops `status`, so it PATCHes {} and the text stays.
  const same = await inkbox().texts.update(phone.id, question.id, { status: "deleted" });
  assert.equal(same.id, question.id);
  assert.equal((await inkbox().texts.get(phone.id, question.id)).text, "Where is my invoice?");
});

test("group MMS and a reply by conversationId", async () => {
  const identity = await texter();
  const phone = identity.phoneNumber;
  const a = uniqueNumber();
  const b = uniqueNumber();
  await inbound(a, phone.number, "START");
  await inbound(b, phone.number, "START");
  const group = await identity.sendText({
    to: [a, b],
    text: "Hello group",
    mediaUrls: ["https://example.com/photo.jpg"],
  });
  assert.ok(group.conversationId);
  assert.deepEqual(group.recipients.map((r) => r.recipientPhoneNumber).sort(), [a, b].sort());
  assert.equal(group.type, "mms");
  const reply = await identity.sendText({
    conversationId: group.conversationId,
    text: "Following up in the same conversation.",
  });
  assert.equal(reply.conversationId, group.conversationId);
  const convos = await identity.listTextConversations({ limit: 20, includeGroups: true });
  assert.ok(convos.some((c) => c.isGroup && c.id === group.conversationId));
  assert.ok(!(await identity.listTextConversations({ limit: 20 })).some((c) => c.isGroup));
});

test("SMS opt-in registry: list, get 404, writes need a customer campaign", async () => {
  const identity = await texter();
  const remote = uniqueNumber();
  await inbound(remote, identity.phoneNumber.number, "START");
  const rows = await inkbox().smsOptIns.list({ limit: 50 });
  assert.ok(rows.some((r) => r.receiverNumber === remote));
  await assert.rejects(inkbox().smsOptIns.get("+15550000001"), { statusCode: 404 });
  await assert.rejects(inkbox().smsOptIns.optIn(remote), (err) => {
    assert.equal(err.statusCode, 409);
    assert.equal(err.detail.error, "customer_campaign_required");
    return true;
  });
});

test("text helpers need a phone number (SDK guard)", async () => {
  const identity = await inkbox().createIdentity(handle("nophone"));
  await assert.rejects(identity.listTexts({}), (err) => err instanceof InkboxError && !(err instanceof InkboxAPIError));
});
