// Seed 001 "iMessage" through the official @inkbox/sdk 0.5.14. The human side
// (texting the router, disconnecting) is injected with the emulator's control API:
// POST /_emulator/imessage/inbound {"from", "text"} (no "to" = the router number)
// and POST /_emulator/imessage/disconnect {"from"}.

import { test } from "node:test";
import assert from "node:assert/strict";
import { IMessageRuleAction, InkboxAPIError, InkboxError } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();
const HUMAN = "+15558675309";

test("iMessage flow: router, connect, read, reply, tapback, read receipt, typing, media, rules, release", async () => {
  const h = handle("my-agent");
  const client = inkbox();
  // Shared service: opt an identity in at create time or later.
  const identity = await client.createIdentity(h, { imessageEnabled: true });

  // Resolve the router number at runtime — never hardcode it.
  const router = await client.imessages.getTriageNumber();
  assert.match(router.number, /^\+/);
  assert.equal(router.connectCommand, `connect @${h}`); // the org's only iMessage identity

  await env.emu.control("POST", "/_emulator/imessage/inbound", { from: HUMAN, text: `connect @${h}` });
  await env.emu.control("POST", "/_emulator/imessage/inbound", { from: HUMAN, text: "Can you check my order?" });

  // Once a human has connected and messaged, read and reply.
  const convos = await identity.listIMessageConversations({ limit: 20 });
  assert.deepEqual(convos.map((c) => c.remoteNumber), [HUMAN]);
  const msgs = await identity.listIMessages({ conversationId: convos[0].id });
  assert.ok(msgs.some((m) => m.content === "Can you check my order?"));
  const sent = await identity.sendIMessage({
    conversationId: convos[0].id,
    text: "On it — give me two minutes.",
  });
  assert.equal(sent.content, "On it — give me two minutes.");
  assert.equal(sent.direction, "outbound");

  // Who is currently connected?
  const connections = await identity.listIMessageAssignments();
  assert.deepEqual(
    connections.map((c) => [c.remoteNumber, c.status, c.agentIdentityId]),
    [[HUMAN, "active", identity.id]],
  );

  // Tapbacks: "custom" is rejected locally (a plain Error, no request).
  const inboundMsg = msgs.find((m) => m.content === "Can you check my order?");
  const reaction = await identity.sendIMessageReaction({ messageId: inboundMsg.id, reaction: "like" });
  assert.equal(reaction.reaction, "like");
  await assert.rejects(
    identity.sendIMessageReaction({ messageId: inboundMsg.id, reaction: "custom" }),
    (err) => err instanceof Error && !(err instanceof InkboxError),
  );

  // Read receipts, typing indicator, media.
  await identity.markIMessageConversationRead(convos[0].id);
  assert.equal((await identity.listIMessageConversations({ limit: 20 }))[0].unreadCount, 0);
  await identity.sendIMessageTyping(convos[0].id);
  const fileBytes = new Uint8Array(Buffer.from("\x89PNG\r\n\x1a\nfake chart", "latin1"));
  const upload = await identity.uploadIMessageMedia({
    content: fileBytes,
    filename: "chart.png",
    contentType: "image/png",
  });
  assert.ok(upload.mediaUrl.startsWith(env.emu.url + "/"));
  const stored = Buffer.from(await (await fetch(upload.mediaUrl)).arrayBuffer());
  assert.deepEqual(new Uint8Array(stored), fileBytes);
  const withMedia = await identity.sendIMessage({ conversationId: convos[0].id, mediaUrls: [upload.mediaUrl] });
  assert.notEqual(withMedia.id, sent.id);

  // Per-identity allow/block rules, interpreted via imessageFilterMode.
  const rule = await client.imessageContactRules.create(h, {
    action: IMessageRuleAction.BLOCK,
    matchTarget: "+15555550999",
  });
  assert.equal(rule.matchTarget, "+15555550999");
  assert.deepEqual((await client.imessageContactRules.list(h)).map((r) => r.id), [rule.id]);

  // Disconnected conversations stay readable; sends into them return 409.
  await env.emu.control("POST", "/_emulator/imessage/disconnect", { from: HUMAN });
  const released = (await identity.listIMessageConversations({ limit: 20 }))[0];
  assert.equal(released.assignmentStatus, "released");
  await assert.rejects(identity.sendIMessage({ conversationId: convos[0].id, text: "still there?" }), {
    statusCode: 409,
  });
});

test("iMessage needs the opt-in (SDK guard); a cold send is refused", async () => {
  const client = inkbox();
  const plain = await client.createIdentity(handle("no-imsg"));
  await assert.rejects(plain.listIMessages({}), (err) => err instanceof InkboxError && !(err instanceof InkboxAPIError));
  const enabled = await client.createIdentity(handle("imsg"), { imessageEnabled: true });
  await assert.rejects(enabled.sendIMessage({ to: HUMAN, text: "cold outreach" }), { statusCode: 404 });
});
