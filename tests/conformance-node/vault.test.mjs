// Seed 001 "Credentials", "Vault Management", "Access control", "Identity Secret
// Management" and "TOTP" through the official @inkbox/sdk 0.5.14. One org has one
// vault, so the tests of this file run in order on the file's own emulator.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Inkbox, InkboxAPIError, InkboxError, InkboxVaultKeyError, generateTotp, parseTotpUri } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const VAULT_KEY = "my-Vault-key-01!";
const NEW_VAULT_KEY = "new-Vault-key-02!";
const TOTP_URI = "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example";
const state = {};

test("initialize", async () => {
  const inkbox = env.emu.client();
  assert.equal(await inkbox.vault.info(), null); // not initialized yet (404 → null)
  await assert.rejects(inkbox.vault.initialize("weak"), InkboxVaultKeyError);

  // Initialize a new vault (creates primary key + recovery keys)
  const result = await inkbox.vault.initialize(VAULT_KEY);
  // README: `for (const key of result.recoveryKeys) key.recoveryCode`; 0.5.14 returns
  // recoveryCodes (plain strings) instead.
  assert.equal(result.recoveryKeys, undefined);
  assert.equal(result.recoveryCodes.length, 4);
  for (const code of result.recoveryCodes) assert.match(code, /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){7}$/);
  assert.equal(result.recoveryKeyCount, 4);
  state.recoveryCodes = result.recoveryCodes;

  const info = await inkbox.vault.info();
  assert.deepEqual([info.keyCount, info.secretCount, info.recoveryKeyCount], [1, 0, 4]);
  assert.equal(info.id, result.vaultId);
  await assert.rejects(inkbox.vault.initialize(VAULT_KEY), { statusCode: 409 });
});

test("unlock, createSecret, getSecret, TOTP", async () => {
  const inkbox = env.emu.client();
  await inkbox.vault.unlock(VAULT_KEY); // Unlock the vault (once per session)
  const identity = await inkbox.createIdentity(handle("my-agent"));
  state.handle = identity.agentHandle;

  // README: payload { type: "login", username, password }; the type is inferred
  // from the keys (a `type` key is ignored).
  const secret = await identity.createSecret({
    name: "CRM Login",
    payload: { type: "login", username: "bot@crm.com", password: "s3cret" },
    description: "CRM service account",
  });
  assert.equal(secret.name, "CRM Login");
  assert.equal(secret.secretType, "login");
  state.loginId = secret.id;

  const decrypted = await identity.getSecret(secret.id); // Fetch and decrypt
  assert.equal(decrypted.payload.username, "bot@crm.com");
  assert.equal(decrypted.payload.password, "s3cret");
  assert.equal(decrypted.description, "CRM service account");

  // Add TOTP to a login secret (accepts otpauth:// URI or TOTPConfig)
  await identity.setTotp(secret.id, TOTP_URI);
  const code = await identity.getTotpCode(secret.id);
  // README prints code.expiresIn; 0.5.14's TOTPCode has secondsRemaining.
  assert.equal(code.expiresIn, undefined);
  assert.ok(code.secondsRemaining > 0 && code.secondsRemaining <= 30);
  assert.match(code.code, /^\d{6}$/);
  const expected = generateTotp(parseTotpUri(TOTP_URI));
  assert.ok(code.code === expected.code || code.periodStart !== expected.periodStart);

  const rules = await inkbox.vault.listAccessRules(secret.id);
  assert.deepEqual(rules.map((r) => r.identityId), [identity.id]);

  const apiSecret = await identity.createSecret({ name: "Stripe", payload: { apiKey: "sk_test_123" } });
  assert.equal(apiSecret.secretType, "api_key");
  state.apiId = apiSecret.id;
});

test("credentials with the vault unlocked at construction", async () => {
  const { emu } = env;
  // Quick start: new Inkbox({ apiKey, vaultKey }).ready()
  const inkbox = await new Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, vaultKey: VAULT_KEY }).ready();
  const identity = await inkbox.getIdentity(state.handle);
  const creds = await identity.getCredentials();
  assert.deepEqual(creds.listLogins().map((l) => [l.name, l.payload.username]), [["CRM Login", "bot@crm.com"]]);
  // README reads (key.payload as APIKeyPayload).accessKey; the field is apiKey.
  const keys = creds.listApiKeys();
  assert.deepEqual(keys.map((k) => k.payload.apiKey), ["sk_test_123"]);
  assert.equal(keys[0].payload.accessKey, undefined);

  const login = creds.getLogin(state.loginId); // → LoginPayload
  assert.equal(login.password, "s3cret");
  assert.ok(login.totp);
  assert.equal(creds.getApiKey(state.apiId).apiKey, "sk_test_123");
  assert.equal(creds.get(state.loginId).name, "CRM Login");
  assert.throws(() => creds.getApiKey(state.loginId), TypeError);
  assert.match((await identity.getTotpCode(state.loginId)).code, /^\d{6}$/);

  const unlocked = await inkbox.vault.unlock(VAULT_KEY);
  assert.equal((await unlocked.getSecret(state.loginId)).payload.username, "bot@crm.com");
});

test("a locked vault and a wrong key", async () => {
  const inkbox = env.emu.client();
  const identity = await inkbox.getIdentity(state.handle);
  await assert.rejects(identity.getCredentials(), InkboxError);
  await assert.rejects(inkbox.vault.unlock("Wrong-Vault-key-9!"), /No vault key matched/);
});

test("org vault management and access control", async () => {
  const inkbox = env.emu.client();
  const keys = await inkbox.vault.listKeys(); // all keys
  assert.deepEqual(keys.map((k) => k.keyType).sort(), ["primary", "recovery", "recovery", "recovery", "recovery"]);
  assert.deepEqual((await inkbox.vault.listKeys({ keyType: "PRIMARY" })).map((k) => k.keyType), ["primary"]);
  assert.equal((await inkbox.vault.listKeys({ keyType: "RECOVERY" })).length, 4);

  assert.deepEqual((await inkbox.vault.listSecrets()).map((s) => s.name).sort(), ["CRM Login", "Stripe"]);
  assert.deepEqual((await inkbox.vault.listSecrets({ secretType: "login" })).map((s) => s.name), ["CRM Login"]);

  const other = await inkbox.createIdentity(handle("other-agent"));
  await inkbox.vault.grantAccess(state.apiId, other.id); // Grant an identity access to a secret
  assert.equal((await inkbox.vault.listAccessRules(state.apiId)).length, 2);
  await inkbox.vault.revokeAccess(state.apiId, other.id);
  assert.equal((await inkbox.vault.listAccessRules(state.apiId)).length, 1);
});

test("identity secret lifecycle: removeTotp, revoke, delete", async () => {
  const inkbox = env.emu.client();
  await inkbox.vault.unlock(VAULT_KEY);
  const identity = await inkbox.getIdentity(state.handle);
  await identity.removeTotp(state.loginId);
  assert.ok(!(await identity.getSecret(state.loginId)).payload.totp);

  await identity.revokeCredentialAccess(state.apiId);
  assert.deepEqual(await inkbox.vault.listAccessRules(state.apiId), []);
  await inkbox.vault.deleteSecret(state.apiId);
  const unlocked = await inkbox.vault.unlock(VAULT_KEY);
  await assert.rejects(unlocked.getSecret(state.apiId), (err) => err instanceof InkboxAPIError && err.statusCode === 404);
  await identity.deleteSecret(state.loginId);
  assert.deepEqual(await inkbox.vault.listSecrets(), []);
});

test("rotate the vault key, with the current key and with a recovery code", async () => {
  const inkbox = env.emu.client();
  await inkbox.vault.updateKey({ newVaultKey: NEW_VAULT_KEY, currentVaultKey: VAULT_KEY });
  await assert.rejects(inkbox.vault.unlock(VAULT_KEY), /No vault key matched/);
  await inkbox.vault.unlock(NEW_VAULT_KEY);

  // Rotate using a recovery code (if primary key is lost); it is consumed.
  const code = state.recoveryCodes[0];
  await inkbox.vault.updateKey({ newVaultKey: VAULT_KEY, recoveryCode: code });
  await inkbox.vault.unlock(VAULT_KEY);
  assert.equal((await inkbox.vault.info()).recoveryKeyCount, 3);
  // A consumed code no longer unwraps anything: the SDK stops before the PUT.
  await assert.rejects(inkbox.vault.updateKey({ newVaultKey: NEW_VAULT_KEY, recoveryCode: code }), /No vault key matched/);
  await inkbox.vault.unlock(VAULT_KEY); // the key set by the recovery code still opens it
});
