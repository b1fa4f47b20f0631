"use strict";
// The hand-written resource methods (as Python's mixins): each shapes its
// arguments in a way the description cannot say, then runs one operation.

const gen = require("./gen/resources.cjs");
const { snakeDeep } = require("./convert.cjs");
const errors = require("./errors.cjs");

function define(cls, name, fn) {
  Object.defineProperty(cls.prototype, name, { value: fn, configurable: true, writable: true, enumerable: false });
}

/** messages.send(email, {to, subject, bodyText, bodyHtml, cc, bcc, inReplyToMessageId, attachments}) */
define(gen.MessagesResource, "send", async function send(emailAddress, options) {
  const o = options || {};
  const recipients = { to: o.to };
  if (o.cc && o.cc.length) recipients.cc = o.cc;
  if (o.bcc && o.bcc.length) recipients.bcc = o.bcc;
  const body = { recipients, subject: o.subject };
  if (o.bodyText !== undefined) body.body_text = o.bodyText;
  if (o.bodyHtml !== undefined) body.body_html = o.bodyHtml;
  if (o.inReplyToMessageId !== undefined) body.in_reply_to_message_id = String(o.inReplyToMessageId);
  if (o.attachments !== undefined) body.attachments = snakeDeep(o.attachments);
  return this._r.call("mail.messages.send", { path: { email: emailAddress }, body }, "Message");
});

/** A temporary signed URL of an attachment: the wire's {url, filename, expires_in} (the official SDK's shape), plus expiresIn. */
define(gen.MessagesResource, "getAttachment", async function getAttachment(emailAddress, messageId, filename, options) {
  const o = options || {};
  const raw = await this._r.raw("mail.attachments.get", {
    path: { email: emailAddress, message_id: String(messageId), filename },
    query: { redirect: Boolean(o.redirect) },
  });
  return { ...raw, expiresIn: raw.expires_in };
});

/** domains.setDefault(name): the new default, or null when reverted to the platform domain. */
define(gen.DomainsResource, "setDefault", async function setDefault(domainName) {
  const r = await this._r.raw("domains.set_default", { path: { domain_encoded: domainName } });
  return r === null ? null : r.default_domain ?? null;
});

/** mailboxes.update(email, {filterMode}) */
define(gen.MailboxesResource, "update", async function update(emailAddress, options) {
  const o = options || {};
  const body = {};
  if (o.filterMode !== undefined) body.filter_mode = o.filterMode;
  return this._r.call("mail.mailboxes.update", { path: { email: emailAddress }, body }, "Mailbox");
});

/** imessages.uploadMedia({content: Uint8Array | Blob, filename, contentType}) */
define(gen.IMessagesResource, "uploadMedia", async function uploadMedia(options) {
  const o = options || {};
  let content = o.content;
  if (content && typeof content.arrayBuffer === "function" && !(content instanceof Uint8Array)) {
    content = new Uint8Array(await content.arrayBuffer());
  }
  if (!(content instanceof Uint8Array)) {
    throw new errors.InkboxValidationError("content must be a Uint8Array, Buffer or Blob", { field: "content" });
  }
  const body = { content: Buffer.from(content).toString("base64"), filename: o.filename };
  if (o.contentType) body.content_type = o.contentType;
  return this._r.call("imessage.media.upload", { body }, "IMessageMediaUpload");
});

/** texts.update(numberId, textId, {isRead}); the README's {status: "deleted"} is not a field the service takes. */
const textsUpdate = gen.TextsResource.prototype.update;
if (textsUpdate) {
  define(gen.TextsResource, "update", function update(numberId, textId, options) {
    const o = { ...(options || {}) };
    delete o.status;
    return textsUpdate.call(this, numberId, textId, o);
  });
}

/** contacts.create({...}): the official option names; accessIdentityIds: omitted / "wildcard" = every identity, [] = none. */
define(gen.ContactsResource, "create", async function create(options) {
  const { accessIdentityIds, ...rest } = options || {};
  const body = snakeDeep(rest);
  if (accessIdentityIds === null) body.access_identity_ids = null;
  else if (accessIdentityIds !== undefined && accessIdentityIds !== "wildcard") body.access_identity_ids = accessIdentityIds.map(String);
  return this._r.call("contacts.create", { body }, "Contact");
});

/** Webhook signing keys: per identity (with a handle) or the organization's (deprecated). */
class SigningKeysResource {
  constructor(runner) {
    Object.defineProperty(this, "_r", { value: runner });
  }

  /** Creates or rotates a signing key: resolves {signingKey, createdAt}; the key is shown once. */
  async createOrRotate(agentHandle) {
    const v = agentHandle
      ? await this._r.raw("identities.signing_key.create", { path: { handle: agentHandle } })
      : await this._r.raw("signing_keys.create");
    return { signingKey: v.signing_key, createdAt: v.created_at ? new Date(v.created_at) : null };
  }

  /** Whether a signing key is configured: {configured, createdAt}. */
  async getStatus(agentHandle) {
    const v = agentHandle
      ? await this._r.raw("identities.signing_key.get", { path: { handle: agentHandle } })
      : await this._r.raw("signing_keys.get");
    return { configured: Boolean(v.configured), createdAt: v.created_at ? new Date(v.created_at) : null };
  }
}

module.exports = { SigningKeysResource };
