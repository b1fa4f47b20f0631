// Seed 001 "Identities" through the official @inkbox/sdk 0.5.14, as its README
// shows it. Handles get a random suffix; everything else is the README's code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AgentIdentity, HandleUnavailableError, InkboxAPIError, InkboxError } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

test("createIdentity provisions mailbox and tunnel; provisionPhoneNumber", async () => {
  const h = handle("sales-bot");
  const identity = await inkbox().createIdentity(h, {
    displayName: "Sales Bot",
    description: "Sales-outreach agent",
  });
  assert.ok(identity instanceof AgentIdentity);
  assert.equal(identity.agentHandle, h);
  assert.equal(identity.displayName, "Sales Bot");
  assert.equal(identity.description, "Sales-outreach agent");
  assert.equal(identity.emailAddress, `${h}@inkboxmail.com`);
  assert.equal(identity.mailbox.emailAddress, identity.emailAddress);
  assert.equal(identity.mailbox.sendingDomain, "inkboxmail.com");
  assert.equal(identity.mailbox.agentIdentityId, identity.id);
  assert.equal(identity.tunnel?.publicHost, `${h}.localhost`);
  assert.equal(identity.phoneNumber, null); // phone numbers stay opt-in
  assert.equal(identity.imessageEnabled, false);

  const phone = await identity.provisionPhoneNumber(); // provisions a local number
  assert.equal(phone, identity.phoneNumber);
  assert.match(phone.number, /^\+1\d{10}$/);
  assert.equal(phone.type, "local");
  assert.equal(phone.agentIdentityId, identity.id);
});

test("createIdentity defaults and handle normalization", async () => {
  const h = handle("plain");
  const identity = await inkbox().createIdentity(h);
  assert.equal(identity.displayName, h); // the server defaults it to the handle
  assert.equal(identity.description, null);
  assert.equal(identity.mailbox.filterMode, "blacklist");
  const n = handle("norm");
  assert.equal((await inkbox().createIdentity("@" + n)).agentHandle, n);
});

test("createIdentity with a passthrough tunnel", async () => {
  // README: inkbox.createIdentity("sales-bot-pt", { tunnel: { tlsMode: "passthrough" } })
  const identity = await inkbox().createIdentity(handle("sales-bot-pt"), { tunnel: { tlsMode: "passthrough" } });
  assert.equal(identity.tunnel.tlsMode, "passthrough");
  assert.equal(identity.tunnel.status, "awaiting_cert");
});

test("createIdentity with an inline phone number and iMessage", async () => {
  const identity = await inkbox().createIdentity(handle("inline"), {
    imessageEnabled: true,
    phoneNumber: {
      type: "local",
      state: "NY",
      incomingCallAction: "auto_accept",
      clientWebsocketUrl: "wss://my-app.example.com/voice",
    },
  });
  assert.equal(identity.imessageEnabled, true);
  const phone = identity.phoneNumber;
  assert.match(phone.number, /^\+1/);
  assert.equal(phone.state, "NY");
  assert.equal(phone.incomingCallAction, "auto_accept");
  assert.equal(phone.clientWebsocketUrl, "wss://my-app.example.com/voice");
  assert.equal(phone.smsStatus, "ready");
});

test("an unverified custom sending domain is refused", async () => {
  // README: inkbox.createIdentity("sales-bot-2", { sendingDomain: "mail.acme.com" })
  // works only once the org has verified mail.acme.com; the emulator has none.
  await assert.rejects(inkbox().createIdentity(handle("sales-bot-2"), { sendingDomain: "mail.acme.com" }), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.statusCode, 422);
    return true;
  });
});

test("getIdentity, refresh, listIdentities", async () => {
  const h = handle("sales-bot");
  const created = await inkbox().createIdentity(h, { displayName: "Sales Bot" });
  const identity = await inkbox().getIdentity(h);
  assert.equal(identity.id, created.id);
  assert.equal(identity.mailbox.id, created.mailbox.id);
  assert.equal(identity.tunnel.id, created.tunnel.id);
  assert.equal(await identity.refresh(), identity); // re-fetch channels from API

  const all = await inkbox().listIdentities();
  const mine = all.filter((i) => i.agentHandle === h);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].id, created.id);
  assert.equal(mine[0].emailAddress, created.emailAddress);
  assert.equal(mine[0].organizationId, env.emu.orgId);
  assert.ok(mine[0].createdAt instanceof Date);
});

test("update keeps the channels (PATCH answers the full identity)", async () => {
  const h = handle("sales-bot");
  const identity = await inkbox().createIdentity(h, { displayName: "Sales Bot", description: "first" });
  const phone = await identity.provisionPhoneNumber();
  const mailboxId = identity.mailbox.id;
  const tunnelId = identity.tunnel.id;

  assert.equal(await identity.update({ displayName: "New Name", description: "New blurb" }), undefined);
  assert.equal(identity.displayName, "New Name");
  assert.equal(identity.description, "New blurb");
  // update() replaces every cached channel from the PATCH response.
  assert.equal(identity.mailbox?.id, mailboxId);
  assert.equal(identity.tunnel?.id, tunnelId);
  assert.equal(identity.phoneNumber?.id, phone.id);
  assert.equal(identity.emailAddress, `${h}@inkboxmail.com`);

  // Omitted keys are left untouched; null clears.
  await identity.update({ imessageEnabled: true });
  let again = await inkbox().getIdentity(h);
  assert.equal(again.displayName, "New Name");
  assert.equal(again.imessageEnabled, true);
  await identity.update({ description: null });
  assert.equal(identity.description, null);
  again = await inkbox().getIdentity(h);
  assert.equal(again.description, null);
  assert.equal(again.displayName, "New Name");
  await identity.update({ displayName: null });
  assert.equal((await inkbox().getIdentity(h)).displayName, null);

  await identity.update({ imessageFilterMode: "whitelist" }); // admin-only
  assert.equal(identity.imessageFilterMode, "whitelist");
  await assert.rejects(identity.update({ imessageFilterMode: "sideways" }), { statusCode: 422 });
});

test("rename on the platform domain is refused (409, not a HandleUnavailableError)", async () => {
  // README: await identity.update({ newHandle: "sales-bot-v2" }). The handle is the
  // platform mailbox's local part, so the server refuses the rename with 409
  // handle_rename_blocked; 0.5.14 maps only code agent_handle_unavailable.
  const h = handle("sales-bot");
  const identity = await inkbox().createIdentity(h);
  await assert.rejects(identity.update({ newHandle: h + "-v2" }), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.ok(!(err instanceof HandleUnavailableError));
    assert.equal(err.statusCode, 409);
    assert.equal(err.detail.error, "handle_rename_blocked");
    return true;
  });
  assert.equal((await inkbox().getIdentity(h)).agentHandle, h);
});

test("a taken handle is a HandleUnavailableError with blockingNamespace", async () => {
  const h = handle("dup");
  await inkbox().createIdentity(h);
  await assert.rejects(inkbox().createIdentity(h), (err) => {
    assert.ok(err instanceof HandleUnavailableError);
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.name, "HandleUnavailableError");
    assert.equal(err.statusCode, 409);
    assert.equal(err.blockingNamespace, "identities");
    assert.equal(err.detail.code, "agent_handle_unavailable");
    assert.match(err.message, /^HTTP 409: /);
    return true;
  });
  // A reserved handle too.
  await assert.rejects(inkbox().createIdentity("postmaster"), HandleUnavailableError);
});

test("an invalid handle is a plain 422", async () => {
  await assert.rejects(inkbox().createIdentity("No Spaces--Allowed"), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.ok(!(err instanceof HandleUnavailableError));
    assert.equal(err.statusCode, 422);
    return true;
  });
});

test("releasePhoneNumber, then delete cascades", async () => {
  const h = handle("sales-bot");
  const identity = await inkbox().createIdentity(h);
  const phone = await identity.provisionPhoneNumber();

  await identity.releasePhoneNumber();
  assert.equal(identity.phoneNumber, null);
  assert.equal((await inkbox().getIdentity(h)).phoneNumber, null);
  await assert.rejects(inkbox().phoneNumbers.get(phone.id), { statusCode: 404 });
  await assert.rejects(identity.releasePhoneNumber(), InkboxError); // SDK guard: no number any more

  const address = identity.emailAddress;
  await identity.delete(); // cascades to mailbox + tunnel + phone-number release
  await assert.rejects(inkbox().getIdentity(h), { statusCode: 404 });
  await assert.rejects(inkbox().mailboxes.get(address), { statusCode: 404 });
  assert.ok(!(await inkbox().listIdentities()).some((i) => i.agentHandle === h));
});

test("a scoped key sees its own identity; admin-only settings are refused", async () => {
  const identity = await inkbox().createIdentity(handle("scoped"));
  const other = await inkbox().createIdentity(handle("hidden"));
  const created = await inkbox().apiKeys.create({ label: "agent key", scopedIdentityId: identity.id });
  assert.match(created.apiKey, /^ApiKey_/);
  assert.equal(created.record.scopedIdentityId, identity.id);

  const scoped = env.emu.client(created.apiKey);
  const visible = (await scoped.listIdentities()).map((i) => i.agentHandle);
  assert.deepEqual(visible, [identity.agentHandle]);
  await assert.rejects(scoped.getIdentity(other.agentHandle), { statusCode: 404 });
  const me = await scoped.getIdentity(identity.agentHandle);
  await assert.rejects(me.update({ imessageFilterMode: "whitelist" }), { statusCode: 403 });
  await me.update({ displayName: "Scoped Bot" }); // not admin-only
  assert.equal(me.displayName, "Scoped Bot");
  assert.equal(me.mailbox?.id, identity.mailbox.id);
});
