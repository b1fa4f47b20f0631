// Mail and phone contact rules through the official @inkbox/sdk 0.5.14's
// deprecated mailbox- and number-keyed resources (mailContactRules,
// phoneContactRules), the ones the emulator serves; rules applied to inbound texts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DuplicateContactRuleError, InkboxAPIError } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

test("mail contact rules: create, 409 duplicate, list, get, update, listAll, delete", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("mrules"));
  const email = identity.mailbox.emailAddress;
  const rules = client.mailContactRules;
  const block = await rules.create(email, { action: "block", matchType: "domain", matchTarget: "spam.example" });
  assert.equal(block.matchType, "domain");
  assert.equal(block.status, "active");
  assert.equal(block.mailboxId, identity.mailbox.id);
  await assert.rejects(rules.create(email, { action: "allow", matchType: "domain", matchTarget: "spam.example" }), (err) => {
    assert.ok(err instanceof DuplicateContactRuleError);
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.statusCode, 409);
    assert.equal(err.existingRuleId, block.id);
    return true;
  });
  const allow = await rules.create(email, { action: "allow", matchType: "exact_email", matchTarget: "friend@example.com" });
  assert.deepEqual((await rules.list(email)).map((r) => r.id), [block.id, allow.id]);
  assert.deepEqual((await rules.list(email, { matchType: "exact_email" })).map((r) => r.id), [allow.id]);
  assert.equal((await rules.get(email, block.id)).id, block.id);
  assert.equal((await rules.update(email, block.id, { action: "allow" })).action, "allow");
  assert.deepEqual(new Set((await rules.listAll({ mailboxId: identity.mailbox.id })).map((r) => r.id)), new Set([block.id, allow.id]));
  await rules.delete(email, allow.id);
  assert.deepEqual((await rules.list(email)).map((r) => r.id), [block.id]);
});

test("phone contact rules block inbound texts", async () => {
  const client = inkbox();
  const identity = await client.createIdentity(handle("prules"));
  const number = await identity.provisionPhoneNumber();
  const rules = client.phoneContactRules;
  const rule = await rules.create(number.id, { action: "block", matchTarget: "+15550001001" });
  assert.equal(rule.matchType, "exact_number");
  assert.equal(rule.phoneNumberId, number.id);
  await assert.rejects(rules.create(number.id, { action: "allow", matchTarget: "+15550001001" }), DuplicateContactRuleError);
  assert.deepEqual((await rules.listAll({ phoneNumberId: number.id })).map((r) => r.id), [rule.id]);

  const inject = (from, text) => env.emu.control("POST", "/_emulator/texts/inbound", { to: number.number, from, text });
  const blocked = await inject("+15550001001", "x");
  const passed = await inject("+15550001002", "y");
  assert.deepEqual([blocked.is_blocked, passed.is_blocked], [true, false]);
  assert.deepEqual((await client.texts.list(number.id, { isBlocked: true })).map((t) => t.id), [blocked.id]);

  assert.equal((await rules.update(number.id, rule.id, { action: "allow" })).action, "allow");
  const again = await inject("+15550001001", "z");
  assert.equal(again.is_blocked, false);
  await rules.delete(number.id, rule.id);
  assert.deepEqual(await rules.list(number.id), []);
});
