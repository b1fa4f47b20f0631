"use strict";
// Credentials: the decrypted secrets of an unlocked vault, read synchronously.

const errors = require("./errors.cjs");

const TYPES = { login: "login", apiKey: "api_key", keyPair: "key_pair", sshKey: "ssh_key" };

class Credentials {
  constructor(unlocked, identityId) {
    Object.defineProperty(this, "_source", { value: unlocked });
    Object.defineProperty(this, "_identityId", { value: identityId ?? null });
  }

  get length() {
    return this._source.secrets.length;
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `Credentials { length: ${this.length} }`;
  }

  list() {
    return this._source.secrets;
  }

  _of(type) {
    return this._source.secrets.filter((s) => s.secretType === type);
  }

  listLogins() { return this._of(TYPES.login); }
  listApiKeys() { return this._of(TYPES.apiKey); }
  listKeyPairs() { return this._of(TYPES.keyPair); }
  listSshKeys() { return this._of(TYPES.sshKey); }

  get(secretId) {
    const s = this._source.secrets.find((x) => x.id === String(secretId));
    if (!s) throw new errors.InkboxError(`No secret ${secretId} in the unlocked vault`, { code: "vault.secret_not_found" });
    return s;
  }

  _payload(secretId, type) {
    const s = this.get(secretId);
    if (s.secretType !== type) throw new TypeError(`Secret ${secretId} is a ${s.secretType}, not a ${type}`);
    const p = { ...s.payload };
    // The README reads an API key's value as `accessKey`; the payload's name is `apiKey`.
    if (type === TYPES.apiKey && p.accessKey === undefined) Object.defineProperty(p, "accessKey", { value: p.apiKey, enumerable: false });
    return p;
  }

  getLogin(secretId) { return this._payload(secretId, TYPES.login); }
  getApiKey(secretId) { return this._payload(secretId, TYPES.apiKey); }
  getKeyPair(secretId) { return this._payload(secretId, TYPES.keyPair); }
  getSshKey(secretId) { return this._payload(secretId, TYPES.sshKey); }

  /** The current TOTP code of a login secret. */
  getTotpCode(secretId) {
    const { native, guard } = require("./native.cjs");
    const { totpCode } = require("./vault.cjs");
    const s = this.get(secretId);
    const totp = s.payload && s.payload.totp;
    if (!totp) throw new errors.InkboxError(`Secret ${secretId} has no TOTP`, { code: "vault.no_totp" });
    const { snakeDeep } = require("./convert.cjs");
    return totpCode(guard(() => native.generateTotp(JSON.stringify(snakeDeep(totp)), Math.floor(Date.now() / 1000))));
  }
}

module.exports = { Credentials };
