"use strict";
// AgentIdentity: an identity's data plus its identity-scoped methods (the
// generated ones of gen/identity.cjs) and the few composite ones.

const errors = require("./errors.cjs");
const scoped = require("./gen/identity.cjs");
const { Credentials } = require("./credentials.cjs");

// What a bound value needs: [the property that must be set, the error when it is not].
const GUARDS = {
  email: [(i) => i.emailAddress, (i) => `Identity '${i.agentHandle}' has no mailbox`],
  phone: [(i) => i.phoneNumber, (i) => `Identity '${i.agentHandle}' has no phone number assigned. Call identity.provisionPhoneNumber() first.`],
  imessage: [(i) => i.imessageEnabled, (i) => `Identity '${i.agentHandle}' is not iMessage-enabled. Call identity.update({ imessageEnabled: true }) first.`],
};

function require_(identity, guard) {
  const [value, message] = GUARDS[guard];
  if (!value(identity)) throw new errors.InkboxError(message(identity), { code: "identity.missing_channel" });
}

class AgentIdentity {
  constructor(data, inkbox) {
    Object.defineProperty(this, "_inkbox", { value: inkbox });
    Object.defineProperty(this, "_data", { value: data, writable: true });
    Object.defineProperty(this, "_credentials", { value: null, writable: true });
  }

  get id() { return this._data.id; }
  get agentHandle() { return this._data.agentHandle; }
  get organizationId() { return this._data.organizationId; }
  get displayName() { return this._data.displayName; }
  get description() { return this._data.description; }
  get status() { return this._data.status; }
  get imessageEnabled() { return Boolean(this._data.imessageEnabled); }
  get imessageFilterMode() { return this._data.imessageFilterMode; }
  get mailbox() { return this._data.mailbox; }
  get phoneNumber() { return this._data.phoneNumber; }
  get tunnel() { return this._data.tunnel; }
  get createdAt() { return this._data.createdAt; }
  get updatedAt() { return this._data.updatedAt; }
  /** The identity's address: its own `emailAddress`, else its mailbox's. */
  get emailAddress() {
    return this._data.emailAddress || (this._data.mailbox && this._data.mailbox.emailAddress) || null;
  }
  /** The identity as last fetched (a plain object). */
  get data() { return this._data; }

  toJSON() {
    return this._data;
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `AgentIdentity { agentHandle: ${JSON.stringify(this.agentHandle)}, emailAddress: ${JSON.stringify(this.emailAddress)} }`;
  }

  /** Runs a generated identity-scoped method (gen/identity.cjs). */
  _scoped(name, entry, positional, options) {
    // A missing channel: iterators throw at call time (as the official
    // iterEmails does), the async methods reject.
    try {
      return this._scopedCall(entry, positional, options);
    } catch (e) {
      if (name.startsWith("iter")) throw e;
      return Promise.reject(e);
    }
  }

  _scopedCall(entry, positional, options) {
    const [getter, method, guard, bind, bindKw, fixed] = entry;
    if (guard) require_(this, guard);
    const bound = bind.map((b) => this._bound(b));
    const opts = { ...(options || {}) };
    for (const [k, v] of Object.entries(bindKw)) opts[k] = this._bound(v);
    Object.assign(opts, fixed);
    const target = this._inkbox[getter];
    const hasOptions = Object.keys(opts).length > 0 || entry[7];
    return target[method](...bound, ...positional, ...(hasOptions ? [opts] : []));
  }

  _bound(what) {
    switch (what) {
      case "email":
        require_(this, "email");
        return this.emailAddress;
      case "phone.id":
        require_(this, "phone");
        return this.phoneNumber.id;
      case "phone.number":
        require_(this, "phone");
        return this.phoneNumber.number;
      case "id":
        return this.id;
      case "handle":
        return this.agentHandle;
      default:
        throw new errors.InkboxError(`unknown bound value ${what}`);
    }
  }

  _store(data) {
    this._data = data;
    this._credentials = null;
    return this;
  }

  /** Re-fetches the identity and its channels; resolves `this`. */
  async refresh() {
    return this._store(await this._inkbox._idsResource.get(this.agentHandle));
  }

  /**
   * Updates the identity (`null` clears displayName / description). Resolves
   * `undefined`, as the official SDK; the identity is re-read afterwards so its
   * channels stay current.
   */
  async update(options) {
    const o = { ...(options || {}) };
    await this._inkbox._idsResource.update(this.agentHandle, o);
    await this._store(await this._inkbox._idsResource.get(o.newHandle || this.agentHandle));
  }

  /** Provisions a number linked to this identity and resolves it. */
  async provisionPhoneNumber(options) {
    const o = options || {};
    const number = await this._inkbox.phoneNumbers.provision({ agentHandle: this.agentHandle, type: o.type ?? "local", state: o.state });
    await this.refresh();
    return this.phoneNumber || number;
  }

  /** Releases the identity's phone number. */
  async releasePhoneNumber() {
    require_(this, "phone");
    await this._inkbox._idsResource.releasePhoneNumber(this.agentHandle);
    this._data = { ...this._data, phoneNumber: null };
  }

  /** The unread messages, newest first. */
  async *iterUnreadEmails(options) {
    for await (const m of this.iterEmails(options)) if (!m.isRead) yield m;
  }

  /** Marks the messages read (one request each, in order). */
  async markEmailsRead(messageIds) {
    const address = this._bound("email");
    for (const id of messageIds) await this._inkbox.messages.markRead(address, id);
  }

  /** Marks the messages unread (one request each, in order). */
  async markEmailsUnread(messageIds) {
    const address = this._bound("email");
    for (const id of messageIds) await this._inkbox.messages.markUnread(address, id);
  }

  /** Creates or rotates this identity's webhook signing key: {signingKey, createdAt} (shown once). */
  async createSigningKey() {
    return this._inkbox.signingKeys.createOrRotate(this.agentHandle);
  }

  /** Whether this identity has a signing key: {configured, createdAt}. */
  async getSigningKeyStatus() {
    return this._inkbox.signingKeys.getStatus(this.agentHandle);
  }

  // ---- credentials -------------------------------------------------------

  _unlocked() {
    const unlocked = this._inkbox.vault.unlocked;
    if (!unlocked) {
      throw new errors.InkboxError(
        "Vault must be unlocked before accessing credentials. Call inkbox.vault.unlock(vaultKey) first.",
        { code: "vault.locked" },
      );
    }
    return unlocked;
  }

  /** The vault secrets this identity can access (waits for the constructor's unlock). */
  async getCredentials() {
    await this._inkbox.ready();
    const unlocked = this._unlocked();
    if (!this._credentials || this._credentials._source !== unlocked) {
      this._credentials = new Credentials(unlocked, this.id);
    }
    return this._credentials;
  }

  /** Creates a secret (encrypted locally) and grants this identity access to it. */
  async createSecret(options) {
    const o = options || {};
    const created = await this._unlocked().createSecret({ ...o, identityId: this.id });
    this._credentials = null;
    return created;
  }

  async getSecret(secretId) { return this._unlocked().getSecret(secretId); }

  async deleteSecret(secretId) {
    this._credentials = null;
    return this._unlocked().deleteSecret(secretId);
  }

  async setTotp(secretId, totp) {
    this._credentials = null;
    return this._unlocked().setTotp(secretId, totp);
  }

  async removeTotp(secretId) {
    this._credentials = null;
    return this._unlocked().removeTotp(secretId);
  }

  async getTotpCode(secretId) { return this._unlocked().getTotpCode(secretId); }

  /** Revokes this identity's access to a secret (the secret stays). */
  async revokeCredentialAccess(secretId) {
    this._credentials = null;
    return this._inkbox.vault.revokeAccess(secretId, this.id);
  }
}

scoped.install(AgentIdentity);
require("./pending.cjs").installPending(AgentIdentity.prototype, "AgentIdentity");

// Data the official SDK reads from newer identity payloads; null until the
// service sends them (and core's model carries them).
for (const [name, key] of [["mailFilterMode", "mailFilterMode"], ["phoneFilterMode", "phoneFilterMode"],
  ["signingKeyConfigured", "signingKeyConfigured"], ["signingKeyCreatedAt", "signingKeyCreatedAt"], ["imessageNumber", "imessageNumber"]]) {
  if (!(name in AgentIdentity.prototype)) {
    Object.defineProperty(AgentIdentity.prototype, name, { configurable: true, get() { return this._data[key] ?? null; } });
  }
}

module.exports = { AgentIdentity };
