// Seed 001 phone flows (identity helpers, org-level numbers, outbound calls,
// transcript search) through the official @inkbox/sdk 0.5.14. Transcripts are
// injected with the emulator's control API (POST /_emulator/transcripts).
// 0.5.14 lists calls and transcripts through org-wide /api/v1/phone/calls routes,
// which the emulator does not serve (see README.md): those calls assert the 404.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InkboxAPIError, InkboxError, SmsStatus } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

function inject(callId, party, text) {
  return env.emu.control("POST", "/_emulator/transcripts", { call_id: callId, party, text });
}

test("identity phone flow: provision, placeCall, transcript search", async () => {
  const identity = await inkbox().createIdentity(handle("support-bot"));
  const phone = await identity.provisionPhoneNumber();
  assert.equal(phone.smsStatus, SmsStatus.PENDING); // 10DLC propagation pending
  assert.ok(phone.smsReadyAt instanceof Date);

  // Place an outbound call — stream audio over WebSocket
  const call = await identity.placeCall({
    toNumber: "+15551234567",
    clientWebsocketUrl: "wss://your-agent.example.com/ws",
  });
  assert.equal(call.direction, "outbound");
  assert.equal(call.localPhoneNumber, phone.number);
  assert.equal(call.remotePhoneNumber, "+15551234567");
  assert.equal(call.clientWebsocketUrl, "wss://your-agent.example.com/ws");
  assert.equal(call.rateLimit.callsRemaining, call.rateLimit.callsLimit - call.rateLimit.callsUsed);

  await inject(call.id, "local", "Hello, how can I help?");
  await inject(call.id, "remote", "I would like a refund please");
  // Search transcripts across a phone number (org-level)
  const hits = await inkbox().phoneNumbers.searchTranscripts(phone.id, { q: "refund", party: "remote" });
  assert.deepEqual(hits.map((t) => `[${t.party}] ${t.text}`), ["[remote] I would like a refund please"]);
  assert.deepEqual(await inkbox().phoneNumbers.searchTranscripts(phone.id, { q: "refund", party: "local" }), []);

  // Not served: GET /api/v1/phone/calls (listCalls) and /calls/{id}/transcripts.
  await assert.rejects(identity.listCalls({ limit: 10, offset: 0 }), { statusCode: 404 });
  await assert.rejects(identity.listTranscripts(call.id), { statusCode: 404 });
});

test("placeCall without a phone number is an SDK error", async () => {
  const identity = await inkbox().createIdentity(handle("nophone"));
  await assert.rejects(
    identity.placeCall({ toNumber: "+18005559999", clientWebsocketUrl: "wss://my-app.com/voice" }),
    (err) => err instanceof InkboxError && !(err instanceof InkboxAPIError),
  );
});

test("org-level numbers: provision, list, get, update, release", async () => {
  const client = inkbox();
  const h = handle("sales-bot");
  await client.createIdentity(h);
  const num = await client.phoneNumbers.provision({ agentHandle: h }); // local by default
  assert.equal(num.type, "local");
  assert.ok((await client.phoneNumbers.list()).some((n) => n.id === num.id));
  assert.equal((await client.phoneNumbers.get(num.id)).number, num.number);
  await assert.rejects(client.phoneNumbers.provision({ agentHandle: h, state: "NY" }), { statusCode: 409 });

  // Update incoming call behaviour
  let updated = await client.phoneNumbers.update(num.id, {
    incomingCallAction: "webhook",
    incomingCallWebhookUrl: "https://example.com/calls",
  });
  assert.equal(updated.incomingCallAction, "webhook");
  assert.equal(updated.incomingCallWebhookUrl, "https://example.com/calls");
  updated = await client.phoneNumbers.update(num.id, {
    incomingCallAction: "auto_accept",
    clientWebsocketUrl: "wss://example.com/ws",
  });
  assert.equal(updated.clientWebsocketUrl, "wss://example.com/ws");
  // Omitted keys are unchanged; an explicit null clears.
  updated = await client.phoneNumbers.update(num.id, { incomingCallAction: "auto_reject", clientWebsocketUrl: null });
  assert.equal(updated.clientWebsocketUrl, null);
  assert.equal(updated.incomingCallWebhookUrl, "https://example.com/calls");
  await assert.rejects(client.phoneNumbers.update(num.id, { incomingCallAction: "auto_accept" }), { statusCode: 422 });
  assert.equal((await client.phoneNumbers.update(num.id, { filterMode: "whitelist" })).filterMode, "whitelist");

  // Release a number
  await client.phoneNumbers.release(num.id);
  await assert.rejects(client.phoneNumbers.get(num.id), { statusCode: 404 });
  assert.equal((await client.getIdentity(h)).phoneNumber, null);
});

test("provision in a state, unknown handle, toll-free", async () => {
  const client = inkbox();
  const h = handle("ny");
  await client.createIdentity(h);
  const inNy = await client.phoneNumbers.provision({ agentHandle: h, state: "NY" });
  assert.equal(inNy.state, "NY");
  await assert.rejects(client.phoneNumbers.provision({ agentHandle: handle("ghost") }), { statusCode: 404 });
  const other = handle("tf");
  await client.createIdentity(other);
  await assert.rejects(client.phoneNumbers.provision({ agentHandle: other, type: "toll_free" }), { statusCode: 422 });
});

test("SMS readiness follows the emulated clock", async () => {
  const identity = await inkbox().createIdentity(handle("clock"));
  const phone = await identity.provisionPhoneNumber();
  assert.equal(phone.smsStatus, SmsStatus.PENDING);
  await env.emu.advanceClock(601);
  assert.equal((await inkbox().phoneNumbers.get(phone.id)).smsStatus, SmsStatus.READY);
  assert.equal((await identity.refresh()).phoneNumber.smsStatus, SmsStatus.READY);
});

test("calls.place from a number UUID or E.164; errors", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("caller"));
  const phone = await identity.provisionPhoneNumber();
  const call = await client.calls.place({
    fromNumber: phone.number,
    toNumber: "+15551234567",
    clientWebsocketUrl: "wss://example.com/ws",
  });
  assert.equal(call.remotePhoneNumber, "+15551234567");
  const byId = await client.calls.place({ fromNumber: phone.id, toNumber: "+15557654321" });
  assert.equal(byId.localPhoneNumber, phone.number);
  await assert.rejects(client.calls.place({ fromNumber: phone.number, toNumber: "not-a-number" }), {
    statusCode: 422,
  });
  await assert.rejects(client.calls.place({ fromNumber: "+15550000000", toNumber: "+15551234567" }), {
    statusCode: 404,
  });
});
