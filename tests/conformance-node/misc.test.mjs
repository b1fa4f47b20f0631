// Seed 001 "Whoami", API keys, org-level tunnels, client construction and how
// HTTP errors reach the caller through the official @inkbox/sdk 0.5.14.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED,
  AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED,
  HandleUnavailableError,
  Inkbox,
  InkboxAPIError,
  InkboxConnectionError,
  InkboxError,
  VERSION,
} from "@inkbox/sdk";
import { handle, startEmulator, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

test("the peer is @inkbox/sdk 0.5.14; baseUrl must be https or loopback", () => {
  assert.equal(VERSION, "0.5.14");
  const port = new URL(env.emu.url).port;
  assert.throws(() => new Inkbox({ apiKey: env.emu.adminKey, baseUrl: `http://example.com:${port}` }));
  assert.throws(() => new Inkbox({ apiKey: env.emu.adminKey, baseUrl: `http://[::1]:${port}` }));
  new Inkbox({ apiKey: env.emu.adminKey, baseUrl: `http://localhost:${port}` });
});

test("whoami with an admin key", async () => {
  // Check the authenticated caller's identity
  const info = await inkbox().whoami();
  assert.equal(info.authType, "api_key");
  assert.equal(info.organizationId, env.emu.orgId);
  assert.equal(info.authSubtype, AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED);
  assert.ok(info.keyId);
});

test("API keys: scoped key, admin-only minting, revoked on delete", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("keyed"));
  const created = await client.apiKeys.create({
    label: "agent key",
    description: "for the agent",
    scopedIdentityId: identity.id,
  });
  assert.match(created.apiKey, /^ApiKey_/);
  assert.equal(created.record.label, "agent key");
  assert.equal(created.record.description, "for the agent");
  assert.equal(created.record.scopedIdentityId, identity.id);
  assert.equal(created.record.status, "active");
  assert.ok(created.apiKey.endsWith(created.record.last4));

  const scoped = env.emu.client(created.apiKey);
  const me = await scoped.whoami();
  assert.equal(me.authSubtype, AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED);
  assert.equal(me.label, "agent key");
  await assert.rejects(scoped.apiKeys.create({ label: "nope", scopedIdentityId: identity.id }), { statusCode: 403 });
  await assert.rejects(client.apiKeys.create({ label: "another admin" }), { statusCode: 403 });

  await identity.delete(); // revokes its scoped keys
  await assert.rejects(scoped.whoami(), { statusCode: 401 });
});

test("a bad API key is 401", async () => {
  await assert.rejects(env.emu.client("ApiKey_not-a-real-key").listIdentities(), { statusCode: 401 });
});

test("tunnels: list, get, update metadata", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("tunnel"));
  const tunnels = await client.tunnels.list();
  assert.ok(tunnels.some((t) => t.id === identity.tunnel.id));
  const t = await client.tunnels.get(identity.tunnel.id);
  assert.equal(t.tunnelName, identity.agentHandle);
  assert.equal(t.publicHost, `${identity.agentHandle}.localhost`);
  assert.equal(t.tlsMode, "edge");
  assert.equal(t.status, "active");
  const updated = await client.tunnels.update(identity.tunnel.id, { metadata: { team: "gtm" } });
  assert.deepEqual(updated.metadata, { team: "gtm" });
  assert.deepEqual((await client.tunnels.get(identity.tunnel.id)).metadata, { team: "gtm" });
});

test("error mapping: 404, 409, 422 and an injected 503", async () => {
  const client = inkbox();
  await assert.rejects(client.getIdentity(handle("missing")), (err) => {
    assert.ok(err instanceof InkboxAPIError && err instanceof InkboxError);
    assert.equal(err.name, "InkboxAPIError");
    assert.equal(err.statusCode, 404);
    assert.equal(typeof err.detail, "string");
    assert.equal(err.message, `HTTP 404: ${err.detail}`);
    assert.equal(err.retryAfterSeconds, null);
    return true;
  });
  await assert.rejects(client.mailboxes.get("nobody@inkboxmail.com"), { statusCode: 404 });
  await assert.rejects(client.phoneNumbers.get("00000000-0000-4000-8000-000000000001"), { statusCode: 404 });

  const h = handle("taken");
  const identity = await client.createIdentity(h);
  await assert.rejects(client.createIdentity(h), HandleUnavailableError);
  await assert.rejects(identity.sendEmail({ to: [], subject: "no recipients", bodyText: "x" }), { statusCode: 422 });

  await env.emu.control("POST", "/_emulator/faults", {
    status: 503,
    retry_after: 7,
    path_prefix: "/api/v1/identities",
  });
  await assert.rejects(client.listIdentities(), (err) => {
    assert.equal(err.statusCode, 503);
    assert.equal(err.retryAfterSeconds, 7);
    return true;
  });
  await client.listIdentities(); // the fault is consumed; the SDK never retries
});

test("a refused connection is an InkboxConnectionError", async () => {
  const gone = await startEmulator();
  const client = gone.client();
  assert.deepEqual(await gone.stop(), { code: 0, signal: null });
  await assert.rejects(client.listIdentities(), (err) => {
    assert.ok(err instanceof InkboxConnectionError);
    assert.match(err.message, /ECONNREFUSED 127\.0\.0\.1/);
    return true;
  });
});
