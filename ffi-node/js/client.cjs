"use strict";
// The client: option resolution as the official SDK does it (option → env →
// ~/.inkbox/config), the resource getters, the identity helpers and the
// class methods (signup).

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const gen = require("./gen/resources.cjs");
const errors = require("./errors.cjs");
const { Runner } = require("./runtime.cjs");
const { fromWire } = require("./convert.cjs");
const { AgentIdentity } = require("./identity.cjs");
const { VaultResource } = require("./vault.cjs");
const custom = require("./custom.cjs");
const { VERSION } = require("./version.cjs");
const { PENDING, installPending, pendingClass } = require("./pending.cjs");

// Official methods whose operations core lacks: typed rejections (pending.cjs).
for (const name of Object.keys(PENDING)) if (gen[name]) installPending(gen[name].prototype, name);
const Pending = {};
for (const name of Object.keys(PENDING)) if (!gen[name] && name !== "AgentIdentity" && name !== "Inkbox") Pending[name] = pendingClass(name);

const DEFAULT_BASE_URL = "https://inkbox.ai";
const DEFAULT_TIMEOUT_MS = 30000;

function readConfigFile() {
  const file = path.join(os.homedir(), ".inkbox", "config");
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const i = t.indexOf("=");
    if (i < 0) continue;
    out[t.slice(0, i).trim()] = t.slice(i + 1).trim().replace(/^["']|["']$/g, "");
  }
  return out;
}

function checkBaseUrl(baseUrl) {
  let u;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new errors.InkboxValidationError(`baseUrl is not a URL: ${baseUrl}`, { field: "baseUrl" });
  }
  const local = u.hostname === "localhost" || u.hostname === "127.0.0.1";
  if (u.protocol !== "https:" && !(u.protocol === "http:" && local)) {
    throw new errors.InkboxValidationError("baseUrl must use https:// (http:// only for localhost or 127.0.0.1)", { field: "baseUrl" });
  }
  return baseUrl.replace(/\/+$/, "");
}

function runnerOptions(options) {
  const o = options || {};
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new errors.InkboxValidationError("timeoutMs must be a positive number", { field: "timeoutMs" });
  }
  const maxRetries = o.maxRetries ?? 2;
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0 && maxRetries <= 10)) {
    throw new errors.InkboxValidationError("maxRetries must be an integer from 0 to 10", { field: "maxRetries" });
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") {
    throw new errors.InkboxValidationError("fetch must be a fetch-compatible function", { field: "fetch" });
  }
  const prefix = o.userAgentPrefix ? `${o.userAgentPrefix} ` : "";
  return { timeoutMs, maxRetries, fetch: o.fetch, userAgent: `${prefix}inkbox-node/${VERSION}` };
}

const ACCESSORS = {
  mailboxes: "MailboxesResource",
  messages: "MessagesResource",
  threads: "ThreadsResource",
  domains: "DomainsResource",
  phoneNumbers: "PhoneNumbersResource",
  calls: "CallsResource",
  transcripts: "TranscriptsResource",
  texts: "TextsResource",
  smsOptIns: "SmsOptInsResource",
  imessages: "IMessagesResource",
  imessageContactRules: "IMessageContactRulesResource",
  mailContactRules: "MailContactRulesResource",
  phoneContactRules: "PhoneContactRulesResource",
  tunnels: "TunnelsResource",
  apiKeys: "ApiKeysResource",
  contacts: "ContactsResource",
  notes: "NotesResource",
};

class Inkbox {
  /**
   * @param {object} [options] apiKey, baseUrl, timeoutMs, vaultKey, userAgentPrefix (as the official SDK),
   *   plus maxRetries (default 2; 0 gives the official behaviour) and fetch (any fetch-compatible function).
   */
  constructor(options) {
    const o = options || {};
    const file = o.apiKey && o.baseUrl ? {} : readConfigFile();
    const apiKey = o.apiKey ?? process.env.INKBOX_API_KEY ?? file.api_key;
    if (!apiKey) {
      throw new errors.InkboxError(
        "No API key found: pass { apiKey }, set INKBOX_API_KEY, or add api_key to ~/.inkbox/config",
        { code: "api.no_api_key" },
      );
    }
    const baseUrl = checkBaseUrl(o.baseUrl ?? process.env.INKBOX_BASE_URL ?? file.base_url ?? DEFAULT_BASE_URL);
    const r = new Runner({ apiKey, baseUrl, ...runnerOptions(o) });
    Object.defineProperty(this, "_r", { value: r });
    for (const [attr, cls] of Object.entries(ACCESSORS)) {
      Object.defineProperty(this, "_" + attr, { value: new gen[cls](r) });
    }
    Object.defineProperty(this, "_idsResource", { value: new gen.IdentitiesResource(r) });
    Object.defineProperty(this, "_webhookSubscriptions", { value: new gen.WebhookSubscriptionsResource(r) });
    Object.defineProperty(this, "_vaultResource", { value: new VaultResource(r, this) });
    Object.defineProperty(this, "_signingKeys", { value: new custom.SigningKeysResource(r) });
    // Families of the official SDK whose operations core lacks (pending.cjs).
    for (const [attr, cls] of [["a2a", "A2AResource"], ["a2aInvitations", "A2AInvitationsResource"],
      ["incomingCallAction", "IncomingCallActionResource"], ["hostedAgent", "HostedAgentConfigResource"],
      ["mailIdentityContactRules", "MailIdentityContactRulesResource"], ["phoneIdentityContactRules", "PhoneIdentityContactRulesResource"]]) {
      Object.defineProperty(this, "_" + attr, { value: new Pending[cls]() });
    }
    Object.defineProperty(this, "_webhookDeliveries", { value: new Pending.WebhookDeliveriesResource() });
    if (!this._mailboxes.imports) Object.defineProperty(this._mailboxes, "imports", { value: new Pending.MailboxImportsResource() });
    for (const [attr, cls] of [["facts", "ContactFactsResource"], ["correspondence", "ContactCorrespondenceResource"]]) {
      if (!this._contacts[attr]) Object.defineProperty(this._contacts, attr, { value: new Pending[cls]() });
    }
    const vaultKey = o.vaultKey ?? process.env.INKBOX_VAULT_KEY ?? file.vault_key;
    let unlock = null;
    if (vaultKey) {
      unlock = this._vaultResource.unlock(vaultKey);
      // Observed here so an unawaited wrong key is never an unhandled
      // rejection; ready() and getCredentials() still reject with it.
      unlock.catch(() => {});
    }
    Object.defineProperty(this, "_vaultUnlockPromise", { value: unlock, writable: true });
  }

  /** Resolves once the constructor's vault unlock (if any) is done; rejects with its error. */
  async ready() {
    if (this._vaultUnlockPromise) await this._vaultUnlockPromise;
    return this;
  }

  get vault() {
    return this._vaultResource;
  }

  get signingKeys() {
    return this._signingKeys;
  }

  get webhooks() {
    return { subscriptions: this._webhookSubscriptions, deliveries: this._webhookDeliveries };
  }

  get a2a() { return this._a2a; }
  get a2aInvitations() { return this._a2aInvitations; }
  get incomingCallAction() { return this._incomingCallAction; }
  get hostedAgent() { return this._hostedAgent; }
  get mailIdentityContactRules() { return this._mailIdentityContactRules; }
  get phoneIdentityContactRules() { return this._phoneIdentityContactRules; }

  /** Creates an identity with its mailbox (and optionally a tunnel and a phone number). */
  async createIdentity(agentHandle, options) {
    const o = options || {};
    const mailbox = {};
    if (o.emailLocalPart !== undefined) mailbox.emailLocalPart = o.emailLocalPart;
    if ("sendingDomain" in o) mailbox.sendingDomain = o.sendingDomain;
    const body = { agentHandle, mailbox };
    for (const k of ["displayName", "description", "imessageEnabled", "tunnel", "phoneNumber", "vaultSecretIds"]) {
      if (o[k] !== undefined) body[k] = o[k];
    }
    const data = await this._idsResource.create(body);
    return new AgentIdentity(data, this);
  }

  /** One identity by handle. */
  async getIdentity(agentHandle) {
    return new AgentIdentity(await this._idsResource.get(agentHandle), this);
  }

  /** Every identity visible to the caller. */
  async listIdentities() {
    return this._idsResource.list();
  }

  /** Who the API key is: a WhoamiApiKeyResponse or WhoamiJwtResponse (`authType`). */
  async whoami() {
    const raw = await this._r.raw("whoami.get");
    return fromWire(raw, raw && raw.auth_type === "jwt" ? "WhoamiJwtResponse" : "WhoamiApiKeyResponse");
  }

  /** Creates or rotates the organization's webhook signing key (deprecated by the service for per-identity keys). */
  async createSigningKey() {
    return this._signingKeys.createOrRotate();
  }
}

for (const attr of Object.keys(ACCESSORS)) {
  Object.defineProperty(Inkbox.prototype, attr, {
    configurable: true,
    enumerable: false,
    get() {
      return this["_" + attr];
    },
  });
}

// ------------------------------------------------------------ class methods

/** The class methods, from the description: `Inkbox.signup(request, options)`,
 * `Inkbox.verifySignup(apiKey, request, options)`, ... (`options`: baseUrl, timeoutMs, maxRetries, fetch). */
for (const [name, spec] of Object.entries(gen.STATICS)) {
  const lead = spec.pos ? spec.pos.length : 0;
  Inkbox[name] = function (...args) {
    const positional = args.slice(0, lead);
    const request = spec.opt ? args[lead] : undefined;
    const o = args[spec.opt ? lead + 1 : lead] || {};
    const baseUrl = checkBaseUrl(o.baseUrl ?? process.env.INKBOX_BASE_URL ?? DEFAULT_BASE_URL);
    const r = new Runner({ apiKey: null, baseUrl, ...runnerOptions(o) });
    return r.invoke(spec, positional, request);
  };
}

// Class methods of the official SDK whose operations core lacks (pending.cjs).
installPending(Inkbox, "Inkbox");

module.exports = { Inkbox, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS };
