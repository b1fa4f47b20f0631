"use strict";
// The vault: its REST calls, and core's flows (unlock, initialize, key
// update, secret create/get/update, TOTP) driven by the runtime. Keys and
// plaintext stay in the native module until the caller reads a payload.

const { native, guard } = require("./native.cjs");
const { fromWire, camelDeep, snakeDeep } = require("./convert.cjs");
const errors = require("./errors.cjs");

/** A payload given as the official SDK takes it (camelCase), as wire JSON text. */
function payloadJson(payload) {
  if (!payload || typeof payload !== "object") {
    throw new errors.InkboxValidationError("payload must be an object (login, API key, key pair, SSH key or other)", { field: "payload" });
  }
  const wire = snakeDeep(payload);
  delete wire.type; // the type is inferred from the keys, as the official SDK does
  return JSON.stringify(wire);
}

/** A decrypted secret as the official SDK returns it. */
function decrypted(d) {
  return {
    id: d.id,
    name: d.name,
    description: d.description ?? null,
    secretType: d.secretType,
    createdAt: d.createdAt ? new Date(d.createdAt) : null,
    updatedAt: d.updatedAt ? new Date(d.updatedAt) : null,
    payload: camelDeep(d.payload()),
  };
}

/** [configJson, uri] of a TOTPConfig or an otpauth:// URI. */
function totpArgs(totp) {
  if (typeof totp === "string") return [null, totp];
  return [JSON.stringify(snakeDeep(totp)), null];
}

function totpCode(c) {
  // `expiresIn` is the README's name for `secondsRemaining`.
  return { code: c.code, periodStart: c.periodStart, periodEnd: c.periodEnd, secondsRemaining: c.secondsRemaining, expiresIn: c.secondsRemaining };
}

class UnlockedVault {
  constructor(nativeVault, runner) {
    Object.defineProperty(this, "_native", { value: nativeVault });
    Object.defineProperty(this, "_r", { value: runner });
    Object.defineProperty(this, "_cache", { value: new Map(), writable: true });
    for (const d of guard(() => nativeVault.secrets())) this._cache.set(d.id, decrypted(d));
  }

  get organizationId() {
    return this._native.organizationId;
  }

  /** The secrets decrypted at unlock (and since changed through this object). */
  get secrets() {
    return [...this._cache.values()];
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `UnlockedVault { secrets: ${this._cache.size} }`;
  }

  toJSON() {
    return { organizationId: this.organizationId, secrets: this._cache.size };
  }

  _remember(secret) {
    this._cache.set(secret.id, secret);
    return secret;
  }

  /** Fetches and decrypts one secret. */
  async getSecret(secretId) {
    const flow = guard(() => native.Flow.getSecret(this._native, String(secretId)));
    return this._remember(decrypted(await this._r.drive(flow)));
  }

  /** Encrypts and stores a new secret (with identityId, grants that identity access); resolves its metadata. */
  async createSecret(options) {
    const o = options || {};
    const flow = guard(() =>
      native.Flow.createSecret(this._native, o.name, o.description ?? null, payloadJson(o.payload), o.identityId ?? null),
    );
    const meta = fromWire(await this._r.drive(flow), "VaultSecret");
    await this.getSecret(meta.id);
    return meta;
  }

  /** Renames, re-describes and/or re-encrypts a secret; resolves its metadata. */
  async updateSecret(secretId, options) {
    const o = options || {};
    const flow = guard(() =>
      native.Flow.updateSecret(
        this._native,
        String(secretId),
        o.name ?? null,
        o.description ?? null,
        o.payload === undefined ? null : payloadJson(o.payload),
        "description" in o && o.description === null,
      ),
    );
    const meta = fromWire(await this._r.drive(flow), "VaultSecret");
    if (o.payload !== undefined || o.name !== undefined) await this.getSecret(secretId);
    return meta;
  }

  /** Deletes a secret. */
  async deleteSecret(secretId) {
    await this._r.raw("vault.secrets.delete", { path: { secret_id: String(secretId) } });
    this._cache.delete(String(secretId));
  }

  /** Adds or replaces a login's TOTP (a TOTPConfig or an otpauth:// URI); resolves the updated secret. */
  async setTotp(secretId, totp) {
    const flow = guard(() => native.Flow.setTotp(this._native, String(secretId), ...totpArgs(totp)));
    return this._remember(decrypted(await this._r.drive(flow)));
  }

  /** Removes a login's TOTP; resolves the updated secret. */
  async removeTotp(secretId) {
    const flow = guard(() => native.Flow.setTotp(this._native, String(secretId), null, null));
    return this._remember(decrypted(await this._r.drive(flow)));
  }

  /** The current code of a login's TOTP: code, periodStart, periodEnd, secondsRemaining. */
  async getTotpCode(secretId) {
    const flow = guard(() => native.Flow.getSecret(this._native, String(secretId)));
    const d = await this._r.drive(flow);
    this._remember(decrypted(d));
    return totpCode(guard(() => d.totpCode(Math.floor(Date.now() / 1000))));
  }
}

class VaultResource {
  constructor(runner, inkbox) {
    Object.defineProperty(this, "_r", { value: runner });
    Object.defineProperty(this, "_inkbox", { value: inkbox });
    Object.defineProperty(this, "_unlocked", { value: null, writable: true });
  }

  /** The vault unlocked by `unlock` (or the constructor's vaultKey), else null. */
  get unlocked() {
    return this._unlocked;
  }

  /** The vault's metadata, or null when the organization has none. */
  async info() {
    const v = await this._r.raw("vault.info");
    return v === null ? null : fromWire(v, "VaultInfo");
  }

  /** Creates the vault: resolves vaultId, vaultKeyId, recoveryKeyCount and the recovery codes (show them once). */
  async initialize(vaultKey) {
    const r = await this._r.drive(guard(() => native.Flow.initialize(vaultKey)));
    const codes = r.recoveryCodes;
    return {
      vaultId: r.vaultId,
      vaultKeyId: r.vaultKeyId,
      recoveryKeyCount: r.recoveryKeyCount,
      recoveryCodes: codes,
      // The README's form: recoveryKeys[i].recoveryCode.
      recoveryKeys: codes.map((code, i) => ({ id: r.recoveryKeyIds ? r.recoveryKeyIds[i] : null, recoveryCode: code })),
    };
  }

  /** Unlocks the vault (Argon2id off the main thread); resolves the UnlockedVault. */
  async unlock(vaultKey, options) {
    const o = options || {};
    const flow = guard(() => native.Flow.unlock(vaultKey, o.identityId ?? null));
    const v = await this._r.drive(flow);
    this._unlocked = new UnlockedVault(v, this._r);
    return this._unlocked;
  }

  /** Replaces the primary key, proven by currentVaultKey or recoveryCode. */
  async updateKey(options) {
    const o = options || {};
    const flow = guard(() => native.Flow.updateKey(o.newVaultKey, o.currentVaultKey ?? null, o.recoveryCode ?? null));
    return fromWire(await this._r.drive(flow), "VaultKey");
  }

  async listKeys(options) {
    const o = options || {};
    const query = o.keyType ? { type: String(o.keyType).toLowerCase() } : {};
    return (await this._r.raw("vault.keys.list", { query })).map((k) => fromWire(k, "VaultKey"));
  }

  async deleteKey(authHash) {
    await this._r.raw("vault.keys.revoke", { path: { auth_hash: authHash } });
  }

  async listSecrets(options) {
    const o = options || {};
    const query = o.secretType ? { secret_type: String(o.secretType).toLowerCase() } : {};
    return (await this._r.raw("vault.secrets.list", { query })).map((s) => fromWire(s, "VaultSecret"));
  }

  async deleteSecret(secretId) {
    await this._r.raw("vault.secrets.delete", { path: { secret_id: String(secretId) } });
    if (this._unlocked) this._unlocked._cache.delete(String(secretId));
  }

  async listAccessRules(secretId) {
    return (await this._r.raw("vault.secrets.access.list", { path: { secret_id: String(secretId) } })).map((a) => fromWire(a, "AccessRule"));
  }

  async grantAccess(secretId, identityId) {
    const v = await this._r.raw("vault.secrets.access.grant", { path: { secret_id: String(secretId) }, body: { identity_id: String(identityId) } });
    return fromWire(v, "AccessRule");
  }

  async revokeAccess(secretId, identityId) {
    await this._r.raw("vault.secrets.access.revoke", { path: { secret_id: String(secretId), identity_id: String(identityId) } });
  }
}

module.exports = { VaultResource, UnlockedVault, decrypted, totpCode };
