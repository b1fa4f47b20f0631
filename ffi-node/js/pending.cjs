"use strict";
// Methods of the official TypeScript SDK 0.5.14 whose operation inkbox-core
// does not have yet (routes the service added after the 0.4.9 wire; the
// issue "today's wire" brings them into core and the description). Each is
// installed as a method that rejects with InkboxUnsupportedOperationError
// naming the operation, so code written for the official SDK fails with a
// typed error, never a TypeError. test/surface.test.cjs keeps this list
// exact: every entry is missing from the implemented surface, and every
// official method is either implemented or here.

const PENDING = {
  "Inkbox": {
    "previewA2AInvitation": "a2a.invitations.preview"
  },
  "A2AClient": {
    "fetchCard": "a2a.client.fetch_card",
    "send": "a2a.client.send",
    "getTask": "a2a.client.get_task",
    "listTasks": "a2a.client.list_tasks",
    "cancel": "a2a.client.cancel",
    "wait": "a2a.client.wait"
  },
  "A2AInvitationsResource": {
    "create": "a2a.invitations.create",
    "list": "a2a.invitations.list",
    "get": "a2a.invitations.get",
    "revoke": "a2a.invitations.revoke",
    "accept": "a2a.invitations.accept"
  },
  "A2AResource": {
    "settings": "a2a.settings",
    "updateSettings": "a2a.update_settings",
    "publicDirectory": "a2a.public_directory",
    "organizationDirectory": "a2a.organization_directory",
    "iterPublicDirectory": "a2a.iter_public_directory",
    "iterOrganizationDirectory": "a2a.iter_organization_directory",
    "card": "a2a.card",
    "tasks": "a2a.tasks",
    "iterTasks": "a2a.iter_tasks",
    "task": "a2a.task",
    "sentTasks": "a2a.sent_tasks",
    "iterSentTasks": "a2a.iter_sent_tasks",
    "sentTask": "a2a.sent_task",
    "messages": "a2a.messages",
    "iterMessages": "a2a.iter_messages",
    "reply": "a2a.reply",
    "contexts": "a2a.contexts",
    "context": "a2a.context",
    "updateContext": "a2a.update_context",
    "sentContexts": "a2a.sent_contexts",
    "sentContext": "a2a.sent_context",
    "contactRules": "a2a.contact_rules",
    "addContactRule": "a2a.add_contact_rule",
    "updateContactRule": "a2a.update_contact_rule",
    "deleteContactRule": "a2a.delete_contact_rule"
  },
  "AgentIdentity": {
    "replyAllEmail": "mail.messages.reply_all",
    "forwardEmail": "mail.messages.forward",
    "listToolInvocations": "phone.calls.tool_invocations",
    "hangupCall": "phone.calls.hangup",
    "getHostedAgentConfig": "phone.hosted_agent.get_config",
    "setHostedAgentConfig": "phone.hosted_agent.set_config",
    "setHostedAgentAuthorityMode": "phone.hosted_agent.set_authority_mode",
    "getIncomingCallAction": "phone.incoming_call_action.get",
    "setIncomingCallAction": "phone.incoming_call_action.set",
    "listMailContactRules": "identities.mail_contact_rules.list",
    "getMailContactRule": "identities.mail_contact_rules.get",
    "createMailContactRule": "identities.mail_contact_rules.create",
    "updateMailContactRule": "identities.mail_contact_rules.update",
    "deleteMailContactRule": "identities.mail_contact_rules.delete",
    "listPhoneContactRules": "identities.phone_contact_rules.list",
    "getPhoneContactRule": "identities.phone_contact_rules.get",
    "createPhoneContactRule": "identities.phone_contact_rules.create",
    "updatePhoneContactRule": "identities.phone_contact_rules.update",
    "deletePhoneContactRule": "identities.phone_contact_rules.delete",
    "a2aEnable": "a2a.enable",
    "a2aDisable": "a2a.disable",
    "a2aSettings": "a2a.settings",
    "a2aSetPubliclyDiscoverable": "a2a.set_publicly_discoverable",
    "a2aSetAllowPublicEgress": "a2a.set_allow_public_egress",
    "a2aSetSkills": "a2a.set_skills",
    "a2aResetSkills": "a2a.reset_skills",
    "a2aSetFilterMode": "a2a.set_filter_mode",
    "a2aCard": "a2a.card",
    "a2aTasks": "a2a.tasks",
    "iterA2ATasks": "a2a.iter_tasks",
    "a2aTask": "a2a.task",
    "a2aSentTasks": "a2a.sent_tasks",
    "iterA2ASentTasks": "a2a.iter_sent_tasks",
    "a2aSentTask": "a2a.sent_task",
    "a2aMessages": "a2a.messages",
    "iterA2AMessages": "a2a.iter_messages",
    "a2aReply": "a2a.reply",
    "a2aContexts": "a2a.contexts",
    "a2aContext": "a2a.context",
    "a2aUpdateContext": "a2a.update_context",
    "a2aSentContexts": "a2a.sent_contexts",
    "a2aSentContext": "a2a.sent_context",
    "a2aContactRules": "a2a.contact_rules",
    "a2aAddContactRule": "a2a.add_contact_rule",
    "a2aUpdateContactRule": "a2a.update_contact_rule",
    "a2aDeleteContactRule": "a2a.delete_contact_rule",
    "a2aClient": "a2a.client"
  },
  "ContactFactsResource": {
    "list": "contacts.facts.list",
    "get": "contacts.facts.get",
    "resolveCitation": "contacts.facts.resolve_citation",
    "resolveCitationUrl": "contacts.facts.resolve_citation_url",
    "delete": "contacts.facts.delete"
  },
  "ContactsResource": {
    "merge": "contacts.merge",
    "bulkDelete": "contacts.bulk_delete"
  },
  "ContactCorrespondenceResource": {
    "get": "contacts.correspondence.get",
    "list": "contacts.correspondence.list"
  },
  "VCardsResource": {
    "exportMany": "contacts.vcards.export_many"
  },
  "IMessagesResource": {
    "listNumbers": "imessage.numbers.list",
    "claimNumber": "imessage.numbers.claim"
  },
  "MailIdentityContactRulesResource": {
    "list": "identities.mail_contact_rules.list",
    "get": "identities.mail_contact_rules.get",
    "create": "identities.mail_contact_rules.create",
    "update": "identities.mail_contact_rules.update",
    "delete": "identities.mail_contact_rules.delete",
    "listAll": "identities.mail_contact_rules.list_all"
  },
  "MailboxImportsResource": {
    "create": "mail.imports.create",
    "refreshUploadTarget": "mail.imports.refresh_upload_target",
    "upload": "mail.imports.upload",
    "start": "mail.imports.start",
    "get": "mail.imports.get",
    "list": "mail.imports.list",
    "cancel": "mail.imports.cancel",
    "wait": "mail.imports.wait"
  },
  "MessagesResource": {
    "replyAll": "mail.messages.reply_all",
    "forward": "mail.messages.forward"
  },
  "ThreadsResource": {
    "listFolders": "mail.threads.folders",
    "update": "mail.threads.update"
  },
  "CallsResource": {
    "hangup": "phone.calls.hangup",
    "transcripts": "phone.calls.transcripts",
    "toolInvocations": "phone.calls.tool_invocations"
  },
  "HostedAgentConfigResource": {
    "getConfig": "phone.hosted_agent.get_config",
    "setConfig": "phone.hosted_agent.set_config",
    "setAuthorityMode": "phone.hosted_agent.set_authority_mode"
  },
  "PhoneIdentityContactRulesResource": {
    "list": "identities.phone_contact_rules.list",
    "get": "identities.phone_contact_rules.get",
    "create": "identities.phone_contact_rules.create",
    "update": "identities.phone_contact_rules.update",
    "delete": "identities.phone_contact_rules.delete",
    "listAll": "identities.phone_contact_rules.list_all"
  },
  "IncomingCallActionResource": {
    "get": "phone.incoming_call_action.get",
    "set": "phone.incoming_call_action.set"
  },
  "WebhookDeliveriesResource": {
    "list": "webhooks.deliveries.list",
    "replay": "webhooks.deliveries.replay"
  }
};

module.exports = { PENDING };

const { InkboxUnsupportedOperationError } = require("./errors.cjs");

function stub(cls, method, operation) {
  return function unsupported() {
    const e = new InkboxUnsupportedOperationError(`${cls}.${method}`, operation);
    if (method.startsWith("iter")) throw e;
    return Promise.reject(e);
  };
}

/** Adds the pending methods of `name` that `proto` (a prototype, or a class for its static methods) lacks. */
function installPending(proto, name) {
  for (const [method, operation] of Object.entries(PENDING[name] || {})) {
    if (method in proto) continue;
    Object.defineProperty(proto, method, { value: stub(name, method, operation), configurable: true, writable: true, enumerable: false });
  }
}

/** A resource class core has none of (yet): every method pending. */
function pendingClass(name) {
  const cls = { [name]: class {} }[name];
  installPending(cls.prototype, name);
  return cls;
}

module.exports.installPending = installPending;
module.exports.pendingClass = pendingClass;

// Runtime exports of the official 0.5.14 that belong to the same pending
// families (calls and the hosted agent, dedicated iMessage numbers and
// groups, mail imports, A2A, the errors of routes core lacks): present, so
// that an import or an `instanceof` of them works, with the official values.
// They go when the description gains the families.
const PENDING_ENUMS = {
  CallMode: { CLIENT_WEBSOCKET: "client_websocket", HOSTED_AGENT: "hosted_agent" },
  CallOrigin: {
    DEDICATED_NUMBER: "dedicated_number",
    SHARED_IMESSAGE_NUMBER: "shared_imessage_number",
    DEDICATED_IMESSAGE_NUMBER: "dedicated_imessage_number",
  },
  HostedAgentAuthorityMode: { CONTACT_SCOPED: "contact_scoped", YOLO: "yolo" },
  HostedAgentToolInvocationStatus: { STARTED: "started", SUCCEEDED: "succeeded", FAILED: "failed" },
  IMessageGroupCreationStatus: { CREATING: "creating", NOT_CREATED: "not_created", READY: "ready" },
  IMessageNumberStatus: { ACTIVE: "active", PAUSED: "paused" },
  IMessageNumberType: { DEDICATED_INBOUND: "dedicated_inbound", DEDICATED_OUTBOUND: "dedicated_outbound" },
  MailImportFormat: { AUTO: "auto", MBOX: "mbox", EML: "eml", ZIP: "zip" },
  MailImportJobStatus: {
    PENDING_UPLOAD: "pending_upload", QUEUED: "queued", RUNNING: "running",
    COMPLETED: "completed", FAILED: "failed", CANCELLED: "cancelled",
  },
  VoicemailDetection: { ENABLED: "enabled", DISABLED: "disabled" },
};

/** The pending exports: enums, error classes, and the A2A classes and helper. */
function pendingExports(errors) {
  const out = {};
  for (const [name, values] of Object.entries(PENDING_ENUMS)) out[name] = Object.freeze({ ...values });
  const plain = (name, code) => ({
    [name]: class extends errors.InkboxError {
      constructor(message, options) {
        super(message, { code, ...options });
        this.name = name;
      }
    },
  })[name];
  out.MailImportUploadError = plain("MailImportUploadError", "mail_import.upload_failed");
  out.A2AProtocolError = plain("A2AProtocolError", "a2a.protocol");
  out.A2AInvitationParseError = plain("A2AInvitationParseError", "a2a.invitation_parse");
  out.A2AClient = pendingClass("A2AClient");
  out.A2AInvitationsResource = pendingClass("A2AInvitationsResource");
  out.extractA2AInvitationToken = function extractA2AInvitationToken() {
    throw new errors.InkboxUnsupportedOperationError("extractA2AInvitationToken", "a2a.invitations.extract_token");
  };
  return out;
}

module.exports.PENDING_ENUMS = PENDING_ENUMS;
module.exports.pendingExports = pendingExports;
