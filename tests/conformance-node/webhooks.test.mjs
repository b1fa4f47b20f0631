// Seed 001 "Webhooks", "Signing Keys" and "Verifying Webhook Signatures" through
// the official @inkbox/sdk 0.5.14: subscriptions, then real deliveries from the
// emulator to a loopback http server, checked with the official verifyWebhook.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InkboxAPIError, verifyWebhook } from "@inkbox/sdk";
import { handle, startReceiver, uniqueNumber, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

test("per-identity signing key: create, rotate, status", async () => {
  const identity = await inkbox().createIdentity(handle("support-agent"));
  assert.equal((await identity.getSigningKeyStatus()).configured, false);
  // Create or rotate this identity's webhook signing key (plaintext returned once)
  const key = await identity.createSigningKey();
  assert.match(key.signingKey, /^whsec_/);
  const status = await identity.getSigningKeyStatus();
  assert.equal(status.configured, true);
  assert.equal(status.createdAt?.getTime(), key.createdAt.getTime());
  const rotated = await inkbox().signingKeys.createOrRotate(identity.agentHandle);
  assert.notEqual(rotated.signingKey, key.signingKey);
});

test("a mail delivery to a loopback receiver verifies with verifyWebhook", async () => {
  const receiver = await startReceiver();
  try {
    const client = inkbox();
    const identity = await client.createIdentity(handle("hooked"));
    const sender = await client.createIdentity(handle("sender"));
    const key = await identity.createSigningKey();

    const created = await client.webhooks.subscriptions.create({
      mailboxId: identity.mailbox.id,
      url: receiver.url + "/hooks/mail",
      eventTypes: ["message.received", "message.bounced"],
    });
    assert.equal(created.mailboxId, identity.mailbox.id);
    assert.deepEqual(created.eventTypes, ["message.received", "message.bounced"]);
    assert.equal(created.signingKey, null); // the identity already had a key

    const sent = await sender.sendEmail({ to: [identity.emailAddress], subject: "ping", bodyText: "hello" });
    const d = await receiver.wait((d) => d.path === "/hooks/mail");
    assert.equal(d.method, "POST");
    // README (Express, express.raw): verifyWebhook({ payload: req.body, headers: req.headers, secret })
    assert.equal(verifyWebhook({ payload: d.body, headers: d.headers, secret: key.signingKey }), true);
    assert.equal(verifyWebhook({ payload: d.body.toString("utf8"), headers: d.headers, secret: key.signingKey }), true);
    assert.equal(
      verifyWebhook({ payload: d.body, headers: d.headers, secret: key.signingKey.replace(/^whsec_/, "") }),
      true,
    );
    assert.equal(verifyWebhook({ payload: Buffer.concat([d.body, Buffer.from(" ")]), headers: d.headers, secret: key.signingKey }), false);
    assert.equal(verifyWebhook({ payload: d.body, headers: d.headers, secret: "whsec_wrong" }), false);
    // 0.5.14 quirk: a signature of another length throws instead of returning false.
    assert.throws(
      () => verifyWebhook({ payload: d.body, headers: { ...d.headers, "x-inkbox-signature": "sha256=00" }, secret: key.signingKey }),
      RangeError,
    );

    const payload = JSON.parse(d.body.toString("utf8"));
    // The envelope's event id (evt_...) comes first, as the service sends it since 0.4.13.
    assert.deepEqual(Object.keys(payload), ["id", "event_type", "timestamp", "data"]);
    assert.match(payload.id, /^evt_[0-9a-f]{32}$/);
    assert.equal(payload.event_type, "message.received");
    const msg = payload.data.message;
    assert.equal(msg.mailbox_id, identity.mailbox.id);
    assert.equal(msg.message_id, sent.messageId);
    assert.equal(msg.from_address, sender.emailAddress);
    assert.equal(msg.direction, "inbound");
    assert.ok(Array.isArray(payload.data.contacts));
    for (const match of payload.data.agent_identities) assert.ok(["from", "to", "cc", "bcc"].includes(match.bucket));
  } finally {
    await receiver.close();
  }
});

test("a text delivery (text.received) verifies too", async () => {
  const receiver = await startReceiver();
  try {
    const client = inkbox();
    const identity = await client.createIdentity(handle("texthook"), { phoneNumber: { type: "local" } });
    const key = await identity.createSigningKey();
    const phone = identity.phoneNumber;
    await client.webhooks.subscriptions.create({
      phoneNumberId: phone.id,
      url: receiver.url + "/texts",
      eventTypes: ["text.received", "text.sent"],
    });
    const remote = uniqueNumber();
    await env.emu.control("POST", "/_emulator/texts/inbound", { from: remote, to: phone.number, text: "START" });
    const d = await receiver.wait((d) => d.path === "/texts" && d.json().event_type === "text.received");
    assert.equal(verifyWebhook({ payload: d.body, headers: d.headers, secret: key.signingKey }), true);
    const payload = d.json();
    assert.equal(payload.data.text_message.text, "START");
    assert.equal(payload.data.text_message.remote_phone_number, remote);
    assert.equal(payload.data.recipient_phone_number, null); // inbound
    assert.deepEqual(payload.data.contacts, []);
  } finally {
    await receiver.close();
  }
});

test("subscriptions: list, get, update, delete, server and SDK validation", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("subs"));
  const mb = identity.mailbox;
  const sub = await client.webhooks.subscriptions.create({
    mailboxId: mb.id,
    url: "https://example.com/hook",
    eventTypes: ["message.received"],
  });

  // List, update, remove.
  const subs = await client.webhooks.subscriptions.list({ mailboxId: mb.id });
  assert.deepEqual(subs.map((s) => s.id), [sub.id]);
  assert.equal((await client.webhooks.subscriptions.get(sub.id)).url, "https://example.com/hook");
  const updated = await client.webhooks.subscriptions.update(subs[0].id, { url: "https://new/hook" });
  assert.equal(updated.url, "https://new/hook");
  const retyped = await client.webhooks.subscriptions.update(sub.id, { eventTypes: ["message.sent", "message.failed"] });
  assert.deepEqual(retyped.eventTypes, ["message.sent", "message.failed"]);
  assert.deepEqual(
    (await client.webhooks.subscriptions.list({ mailboxId: mb.id, eventType: "message.sent" })).map((s) => s.id),
    [sub.id],
  );
  await client.webhooks.subscriptions.delete(subs[0].id);
  assert.deepEqual(await client.webhooks.subscriptions.list({ mailboxId: mb.id }), []);
  await assert.rejects(client.webhooks.subscriptions.get(sub.id), { statusCode: 404 });

  // A typo with a valid prefix passes the SDK's check; the server 422s it.
  await assert.rejects(
    client.webhooks.subscriptions.create({ mailboxId: mb.id, url: "https://example.com/hook", eventTypes: ["message.received_typo"] }),
    (err) => err instanceof InkboxAPIError && err.statusCode === 422,
  );
  // SDK-side checks fire before any request (plain Error).
  await assert.rejects(
    client.webhooks.subscriptions.create({ mailboxId: mb.id, url: "https://example.com/hook", eventTypes: ["text.received"] }),
    (err) => !(err instanceof InkboxAPIError),
  );
  // Text subscription on a phone number.
  const number = await identity.provisionPhoneNumber();
  const textSub = await client.webhooks.subscriptions.create({
    phoneNumberId: number.id,
    url: "https://example.com/texts",
    eventTypes: ["text.received", "text.sent", "text.delivered", "text.delivery_failed", "text.delivery_unconfirmed"],
  });
  assert.equal(textSub.phoneNumberId, number.id);
  assert.deepEqual((await client.webhooks.subscriptions.list({ phoneNumberId: number.id })).map((s) => s.id), [textSub.id]);
  // iMessage subscription: owned by the agent identity.
  const imsg = await client.webhooks.subscriptions.create({
    agentIdentityId: identity.id,
    url: "https://example.com/imessage",
    eventTypes: ["imessage.received", "imessage.reaction_received", "imessage.sent", "imessage.delivered", "imessage.delivery_failed"],
  });
  assert.equal(imsg.agentIdentityId, identity.id);
});
