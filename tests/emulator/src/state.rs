//! The emulator's whole state: one serde-serializable value kept in memory.
//! Its collections are [`Table`]s, persisted record by record (when `--data`
//! is given) by [`crate::store`].

use inkbox_core::api::common::FilterMode;
use inkbox_core::api::identities::{IdentityAccess, IdentityStatus};
use inkbox_core::api::keys::ApiKey;
use inkbox_core::api::mail::{Mailbox, MessageDetail, ThreadFolder};
use inkbox_core::api::phone::{PhoneCall, PhoneNumber, PhoneTranscript};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::tunnels::Tunnel;
use serde::{Deserialize, Serialize};

use crate::table::{Family, Table};

/// An organization.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Org {
    pub(crate) id: String,
    /// The org-level (0.4.9 legacy) webhook signing key.
    #[serde(default)]
    pub(crate) signing_key: Option<SigningKeyRec>,
}

/// A webhook signing secret (kept in plaintext: the emulator signs with it later).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SigningKeyRec {
    pub(crate) secret: String,
    pub(crate) created_at: Timestamp,
}

/// An API key: the secret and core's record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ApiKeyRec {
    pub(crate) secret: String,
    pub(crate) record: ApiKey,
}

/// An agent identity; its channels live in their own tables.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IdentityRec {
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) agent_handle: String,
    pub(crate) display_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) imessage_enabled: bool,
    pub(crate) imessage_filter_mode: FilterMode,
    pub(crate) status: IdentityStatus,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    pub(crate) mailbox_id: String,
    pub(crate) tunnel_id: String,
    pub(crate) phone_number_id: Option<String>,
    #[serde(default)]
    pub(crate) signing_key: Option<SigningKeyRec>,
}

/// A mailbox (core's model) plus whether it was deleted with its identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MailboxRec {
    pub(crate) mailbox: Mailbox,
    pub(crate) organization_id: String,
    pub(crate) deleted: bool,
}

/// A stored attachment of one mailbox's copy of a message. The content is a
/// [`MailBlob`], written once per send however many mailboxes get a copy,
/// and never rewritten when the message changes (flags, folders).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AttachmentRec {
    pub(crate) filename: String,
    pub(crate) content_type: String,
    /// The id of its [`MailBlob`].
    #[serde(default)]
    pub(crate) blob: String,
    /// The content inline: only records written before blobs existed
    /// (state files of format 1 and their migration) have it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) content_base64: String,
}

/// Attachment content (standard base64, as it was sent), shared by every
/// mailbox copy of one send.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MailBlob {
    pub(crate) id: String,
    pub(crate) content_base64: String,
}

/// One mailbox's copy of a message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MessageRec {
    /// Insertion order (tie-breaker of `created_at`).
    pub(crate) seq: u64,
    pub(crate) detail: MessageDetail,
    #[serde(default)]
    pub(crate) attachments: Vec<AttachmentRec>,
}

/// A thread of one mailbox; counts and times are derived from its messages.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ThreadRec {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) mailbox_id: String,
    pub(crate) subject: Option<String>,
    pub(crate) folder: ThreadFolder,
    pub(crate) created_at: Timestamp,
}

/// A call of one of the org's numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CallRec {
    /// Insertion order (tie-breaker of `created_at`).
    pub(crate) seq: u64,
    pub(crate) phone_number_id: String,
    pub(crate) call: PhoneCall,
}

/// A fault to inject into the next matching requests (not persisted).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Fault {
    pub(crate) remaining: u32,
    #[serde(default)]
    pub(crate) status: Option<u16>,
    #[serde(default)]
    pub(crate) retry_after: Option<u64>,
    #[serde(default)]
    pub(crate) delay_ms: Option<u64>,
    #[serde(default)]
    pub(crate) drop_connection: bool,
    #[serde(default)]
    pub(crate) path_prefix: Option<String>,
    /// The `detail` of the fault's body (any JSON; default a message), e.g.
    /// a structured refusal such as `{"error": "storage_limit_exceeded", …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) detail: Option<serde_json::Value>,
    /// The body's top-level `agent_support` (the service's instructions for
    /// an agent), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) agent_support: Option<String>,
    /// Apply the fault after the request has been processed (the change is
    /// kept, the client sees the failure) — for testing idempotent retries.
    #[serde(default)]
    pub(crate) after: bool,
}

/// How long new numbers stay `sms_status: pending` (10DLC propagation).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PhoneConfig {
    /// Numbers provisioned with `phone.numbers.create` (default 600 s).
    pub(crate) sms_ready_delay_secs: u64,
    /// Numbers created inline by `identities.create` (default 0: ready at once).
    pub(crate) inline_sms_ready_delay_secs: u64,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig { sms_ready_delay_secs: 600, inline_sms_ready_delay_secs: 0 }
    }
}

/// A remembered response to a request carrying an `Idempotency-Key`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IdempotencyRec {
    /// The API key's id: keys are scoped per caller.
    pub(crate) scope: String,
    pub(crate) key: String,
    /// Method, path, query and body of the first request (FNV-1a, hex).
    pub(crate) fingerprint: String,
    pub(crate) status: u16,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) at_ms: i64,
}

/// Everything the emulator knows.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Emulated clock = real time + this offset (milliseconds).
    pub(crate) clock_offset_ms: i64,
    pub(crate) orgs: Table<Org>,
    pub(crate) api_keys: Table<ApiKeyRec>,
    /// Live identities (deleted ones are removed; their channels stay, marked deleted).
    pub(crate) identities: Table<IdentityRec>,
    pub(crate) mailboxes: Table<MailboxRec>,
    pub(crate) tunnels: Table<Tunnel>,
    pub(crate) phone_numbers: Table<PhoneNumber>,
    pub(crate) access: Table<IdentityAccess>,
    /// Mail to addresses outside the emulator (placeholder until mail delivery exists).
    #[serde(default)]
    pub(crate) outbox: Table<serde_json::Value>,
    /// Every mailbox's messages (each recipient mailbox has its own copy).
    #[serde(default)]
    pub(crate) messages: Table<MessageRec>,
    #[serde(default)]
    pub(crate) threads: Table<ThreadRec>,
    /// Attachment contents, one per attachment of a send (see [`AttachmentRec`]).
    #[serde(default)]
    pub(crate) mail_blobs: Table<MailBlob>,
    /// Phone calls (all orgs).
    #[serde(default)]
    pub(crate) calls: Table<CallRec>,
    /// Call transcript segments (injected through the control API).
    #[serde(default)]
    pub(crate) transcripts: Table<PhoneTranscript>,
    /// Next `seq` of messages, threads and calls.
    #[serde(default)]
    pub(crate) next_seq: u64,
    /// Texts, SMS opt-ins and send limits (`texts`).
    #[serde(default)]
    pub(crate) texts: crate::texts::TextsState,
    /// iMessage (`imessage`).
    #[serde(default)]
    pub(crate) imessage: crate::imessage::IMessageState,
    /// Agent self-signup and AgentPost (`signup`).
    #[serde(default)]
    pub(crate) signup: crate::signup::SignupState,
    /// The vault (`vault`).
    #[serde(default)]
    pub(crate) vault: crate::vault::VaultState,
    /// Webhook subscriptions, event queue and delivery log (`webhooks`).
    #[serde(default)]
    pub(crate) webhooks: crate::webhooks::WebhooksState,
    /// Tunnel state beyond core's `Tunnel` (`tunnels`).
    #[serde(default)]
    pub(crate) tunnel_ext: crate::tunnels::TunnelsState,
    /// Phone settings of the control API (`/_emulator/phone/config`).
    #[serde(default)]
    pub(crate) phone_config: PhoneConfig,
    /// Contacts and notes (`contacts`).
    #[serde(default)]
    pub(crate) contacts: crate::contacts::ContactsState,
    /// Mail and phone contact rules (`rules`).
    #[serde(default)]
    pub(crate) rules: crate::rules::RulesState,
    /// Responses remembered by `Idempotency-Key` (24 h of emulated time).
    #[serde(default)]
    pub(crate) idempotency: Table<IdempotencyRec>,
    /// Set by a handler whose refused request changed the state anyway, so
    /// that the change is persisted too (reset after every request).
    #[serde(skip)]
    pub(crate) persist_refused: bool,
    /// Pending faults; runtime only.
    #[serde(skip)]
    pub(crate) faults: Vec<Fault>,
    /// Number of persisted mutations (diagnostics).
    #[serde(default)]
    pub(crate) mutations: u64,
}

/// Who a webhook event belongs to (the subscription owner kinds of spec/webhooks.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventOwner {
    Mailbox(String),
    PhoneNumber(String),
    AgentIdentity(String),
}

/// An event raised by a handler, to be delivered to matching subscriptions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OutEvent {
    /// e.g. `message.received`, `text.sent`, `imessage.reaction_received`.
    pub(crate) event_type: String,
    pub(crate) organization_id: String,
    pub(crate) owner: EventOwner,
    /// The identity whose signing key signs the delivery (else the org's key).
    pub(crate) identity_id: Option<String>,
    /// The envelope's `data` object, built by the raising module.
    pub(crate) data: serde_json::Value,
    pub(crate) at: Timestamp,
}

impl State {
    /// Every table of the state with its family name in the store. A table
    /// missing here is caught by [`crate::store::take_batch`] (its count of
    /// tables serialized in meta mode would differ).
    pub(crate) fn families(&mut self) -> Vec<(&'static str, &mut dyn Family)> {
        let texts = &mut self.texts;
        let im = &mut self.imessage;
        let su = &mut self.signup;
        let v = &mut self.vault;
        let w = &mut self.webhooks;
        vec![
            ("orgs", &mut self.orgs),
            ("api_keys", &mut self.api_keys),
            ("identities", &mut self.identities),
            ("mailboxes", &mut self.mailboxes),
            ("tunnels", &mut self.tunnels),
            ("phone_numbers", &mut self.phone_numbers),
            ("access", &mut self.access),
            ("outbox", &mut self.outbox),
            ("mail_messages", &mut self.messages),
            ("mail_threads", &mut self.threads),
            ("mail_blobs", &mut self.mail_blobs),
            ("calls", &mut self.calls),
            ("transcripts", &mut self.transcripts),
            ("idempotency", &mut self.idempotency),
            ("texts", &mut texts.texts),
            ("texts_conversations", &mut texts.conversations),
            ("texts_opt_ins", &mut texts.opt_ins),
            ("texts_opt_in_audit", &mut texts.audit),
            ("texts_sends", &mut texts.sends),
            ("texts_campaigns", &mut texts.campaigns),
            ("texts_call_webhooks", &mut texts.call_webhooks),
            ("imessage_assignments", &mut im.assignments),
            ("imessage_conversations", &mut im.conversations),
            ("imessage_messages", &mut im.messages),
            ("imessage_reactions", &mut im.reactions),
            ("imessage_media", &mut im.media),
            ("imessage_rules", &mut im.rules),
            ("imessage_log", &mut im.log),
            ("signup_agents", &mut su.agents),
            ("signup_recent_ms", &mut su.recent_signups_ms),
            ("agentpost_keys", &mut su.agentpost.keys),
            ("agentpost_inboxes", &mut su.agentpost.inboxes),
            ("vaults", &mut v.vaults),
            ("vault_keys", &mut v.keys),
            ("vault_secrets", &mut v.secrets),
            ("vault_access", &mut v.access),
            ("webhook_queue", &mut w.queue),
            ("webhook_subscriptions", &mut w.subscriptions),
            ("webhook_deliveries", &mut w.deliveries),
            ("tunnel_certs", &mut self.tunnel_ext.issued),
            ("contacts", &mut self.contacts.contacts),
            ("contact_notes", &mut self.contacts.notes),
            ("mail_rules", &mut self.rules.mail),
            ("phone_rules", &mut self.rules.phone),
        ]
    }
    /// Raises a webhook event (queued; delivered outside the request).
    pub(crate) fn emit(&mut self, event: OutEvent) {
        self.webhooks.enqueue(event);
    }

    pub(crate) fn take_seq(&mut self) -> u64 {
        self.next_seq = self.next_seq.saturating_add(1);
        self.next_seq
    }

    pub(crate) fn identity_by_handle(&self, handle: &str) -> Option<&IdentityRec> {
        self.identities.iter().find(|i| i.agent_handle == handle)
    }

    pub(crate) fn identity_by_id(&self, id: &str) -> Option<&IdentityRec> {
        self.identities.iter().find(|i| i.id == id)
    }

    /// The content (standard base64) of a stored attachment: its blob's, or
    /// the inline copy of a record written before blobs.
    pub(crate) fn attachment_content<'a>(&'a self, a: &'a AttachmentRec) -> Option<&'a str> {
        if a.blob.is_empty() {
            return Some(a.content_base64.as_str());
        }
        self.mail_blobs.iter().find(|b| b.id == a.blob).map(|b| b.content_base64.as_str())
    }

    pub(crate) fn mailbox(&self, id: &str) -> Option<&MailboxRec> {
        self.mailboxes.iter().find(|m| m.mailbox.id == id)
    }

    pub(crate) fn tunnel(&self, id: &str) -> Option<&Tunnel> {
        self.tunnels.iter().find(|t| t.id == id)
    }

    pub(crate) fn phone(&self, id: &str) -> Option<&PhoneNumber> {
        self.phone_numbers.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_table_is_a_registered_family_with_a_unique_name() {
        let mut s = State::default();
        // Fails when a `Table` field is missing from `families`.
        crate::store::take_batch(&mut s, &mut String::new()).unwrap();
        let mut names: Vec<&str> = s.families().into_iter().map(|(n, _)| n).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "family names are unique");
    }
}
