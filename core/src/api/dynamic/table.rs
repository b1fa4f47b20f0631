//! The dispatch table: one line per operation, mapping [`Args`] onto the
//! typed builder and naming the parser; the loose argument shapes of the
//! operations whose builders take loose arguments.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serializer};

use crate::api::catalog::Operation;
use crate::api::error::ApiError;
use crate::api::request::{Request, Response};
use crate::api::{
    agentpost, contacts, identities, imessage, keys, mail, notes, phone, signup, texts, tunnels, vault,
    webhook_subscriptions, whoami,
};

use super::args::*;
use super::*;

// ------------------------------------------------------------- the table

/// Declares the dispatch table: `OPERATION => build adapter, parser;`, one
/// line per operation. The adapter maps [`Args`] onto the typed builder.
macro_rules! operations {
    ($( $op:path => $build:expr, $parse:path; )*) => {
        pub(super) const TABLE: &[&Operation] = &[$( &$op, )*];

        pub(super) fn dispatch_build(name: &str, a: &Args<'_>) -> Option<Result<Request, ApiError>> {
            $(
                if name == $op.name {
                    let f: fn(&Args<'_>) -> Result<Request, ApiError> = $build;
                    return Some(f(a));
                }
            )*
            None
        }

        /// The Rust type `op`'s parser returns (`core::any::type_name`,
        /// module paths dropped: `Vec<PhoneNumber>`, `MessageDetail`, `()`).
        pub fn result_type(name: &str) -> Option<String> {
            $(
                if name == $op.name {
                    let probe = Response { status: 0, headers: &[], body: b"" };
                    return Some(short_type_name(ok_type_name(&$parse(&probe))));
                }
            )*
            None
        }

        pub(super) fn dispatch_parse<S: Serializer>(
            name: &str,
            resp: &Response<'_>,
            ser: S,
        ) -> Option<Result<S::Ok, DynParseError<S::Error>>> {
            $(
                if name == $op.name {
                    return Some(emit($parse(resp), ser));
                }
            )*
            None
        }
    };
}

operations! {
    identities::ops::CREATE => |a| identities::build_create(&a.body()?), identities::parse_create;
    identities::ops::LIST => |_| identities::build_list(), identities::parse_list;
    identities::ops::GET => |a| identities::build_get(a.path("handle")?), identities::parse_get;
    identities::ops::UPDATE => |a| identities::build_update(a.path("handle")?, &a.body()?), identities::parse_update;
    identities::ops::DELETE => |a| identities::build_delete(a.path("handle")?), identities::parse_delete;
    identities::ops::PHONE_NUMBER_RELEASE => |a| identities::build_release_phone_number(a.path("handle")?), identities::parse_release_phone_number;
    identities::ops::ACCESS_LIST => |a| identities::build_list_access(a.path("handle")?), identities::parse_list_access;
    identities::ops::ACCESS_GRANT => |a| {
        let b: identities::GrantIdentityAccessRequest = a.body()?;
        identities::build_grant_access(a.path("handle")?, b.viewer_identity_id.as_deref())
    }, identities::parse_grant_access;
    identities::ops::ACCESS_REVOKE => |a| identities::build_revoke_access(a.path("handle")?, a.path("viewer_identity_id")?), identities::parse_revoke_access;

    signup::ops::CREATE => |a| signup::build_signup(&a.body()?), signup::parse_signup;
    signup::ops::VERIFY => |a| {
        let b: signup::VerifySignupRequest = a.body()?;
        signup::build_verify(a.api_key()?, &b.verification_code)
    }, signup::parse_verify;
    signup::ops::RESEND_VERIFICATION => |a| signup::build_resend_verification(a.api_key()?), signup::parse_resend_verification;
    signup::ops::STATUS => |a| signup::build_status(a.api_key()?), signup::parse_status;

    mail::ops::MAILBOXES_LIST => |_| mail::build_list_mailboxes(), mail::parse_list_mailboxes;
    mail::ops::MAILBOXES_GET => |a| mail::build_get_mailbox(a.path("email")?), mail::parse_get_mailbox;
    mail::ops::MAILBOXES_UPDATE => |a| mail::build_update_mailbox(a.path("email")?, &a.body()?), mail::parse_update_mailbox;
    mail::ops::MAILBOXES_SEARCH => |a| {
        let q: SearchMailboxQuery = a.query()?;
        mail::build_search_mailbox(a.path("email")?, &q.q, q.limit)
    }, mail::parse_search_mailbox_ref;
    mail::ops::MESSAGES_LIST => |a| mail::build_list_messages(a.path("email")?, &a.query()?), mail::parse_list_messages_ref;
    mail::ops::MESSAGES_SEND => |a| mail::build_send_message(a.path("email")?, &a.body()?), mail::parse_send_message;
    mail::ops::MESSAGES_GET => |a| mail::build_get_message(a.path("email")?, a.path("message_id")?), mail::parse_get_message;
    mail::ops::MESSAGES_UPDATE => |a| {
        mail::build_update_message_flags(a.path("email")?, a.path("message_id")?, &a.body()?)
    }, mail::parse_update_message_flags;
    mail::ops::MESSAGES_DELETE => |a| mail::build_delete_message(a.path("email")?, a.path("message_id")?), mail::parse_delete_message;
    mail::ops::ATTACHMENTS_GET => |a| {
        let q: AttachmentQuery = a.query()?;
        mail::build_get_attachment_url(a.path("email")?, a.path("message_id")?, a.path("filename")?, q.redirect)
    }, mail::parse_get_attachment_url;
    mail::ops::THREADS_LIST => |a| mail::build_list_threads(a.path("email")?, &a.query()?), mail::parse_list_threads;
    mail::ops::THREADS_GET => |a| mail::build_get_thread(a.path("email")?, a.path("thread_id")?), mail::parse_get_thread;
    mail::ops::THREADS_DELETE => |a| mail::build_delete_thread(a.path("email")?, a.path("thread_id")?), mail::parse_delete_thread;
    mail::ops::DOMAINS_LIST => |a| {
        let q: DomainsQuery = a.query()?;
        mail::build_list_domains(q.status.as_ref())
    }, mail::parse_list_domains;
    mail::ops::DOMAINS_SET_DEFAULT => |a| mail::build_set_default_domain(a.path("domain_encoded")?), mail::parse_set_default_domain;
    mail::ops::CONTACT_RULES_LIST => |a| mail::build_list_contact_rules(a.path("email")?, &a.query()?), mail::parse_list_contact_rules;
    mail::ops::CONTACT_RULES_GET => |a| mail::build_get_contact_rule(a.path("email")?, a.path("rule_id")?), mail::parse_get_contact_rule;
    mail::ops::CONTACT_RULES_CREATE => |a| mail::build_create_contact_rule(a.path("email")?, &a.body()?), mail::parse_create_contact_rule;
    mail::ops::CONTACT_RULES_UPDATE => |a| {
        mail::build_update_contact_rule(a.path("email")?, a.path("rule_id")?, &a.body()?)
    }, mail::parse_update_contact_rule;
    mail::ops::CONTACT_RULES_DELETE => |a| mail::build_delete_contact_rule(a.path("email")?, a.path("rule_id")?), mail::parse_delete_contact_rule;
    mail::ops::ORG_CONTACT_RULES_LIST => |a| mail::build_list_org_contact_rules(&a.query()?), mail::parse_list_org_contact_rules;

    phone::ops::NUMBERS_LIST => |_| phone::build_list_numbers(), phone::parse_list_numbers;
    phone::ops::NUMBERS_GET => |a| phone::build_get_number(a.path("phone_number_id")?), phone::parse_get_number;
    phone::ops::NUMBERS_CREATE => |a| phone::build_provision_number(&a.body()?), phone::parse_provision_number;
    phone::ops::NUMBERS_UPDATE => |a| phone::build_update_number(a.path("phone_number_id")?, &a.body()?), phone::parse_update_number;
    phone::ops::NUMBERS_RELEASE => |a| phone::build_release_number(a.path("phone_number_id")?), phone::parse_release_number;
    phone::ops::TRANSCRIPTS_SEARCH => |a| phone::build_search_transcripts(a.path("phone_number_id")?, &a.query()?), phone::parse_search_transcripts;
    phone::ops::CALLS_LIST => |a| phone::build_list_calls(a.path("phone_number_id")?, &a.query()?), phone::parse_list_calls;
    phone::ops::CALLS_GET => |a| phone::build_get_call(a.path("phone_number_id")?, a.path("call_id")?), phone::parse_get_call;
    phone::ops::TRANSCRIPTS_LIST => |a| phone::build_list_transcripts(a.path("phone_number_id")?, a.path("call_id")?), phone::parse_list_transcripts;
    phone::ops::CALLS_PLACE => |a| phone::build_place_call(&a.body()?), phone::parse_place_call;
    phone::ops::CONTACT_RULES_LIST => |a| phone::build_list_contact_rules(a.path("phone_number_id")?, &a.query()?), phone::parse_list_contact_rules;
    phone::ops::CONTACT_RULES_GET => |a| {
        phone::build_get_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?)
    }, phone::parse_get_contact_rule;
    phone::ops::CONTACT_RULES_CREATE => |a| phone::build_create_contact_rule(a.path("phone_number_id")?, &a.body()?), phone::parse_create_contact_rule;
    phone::ops::CONTACT_RULES_UPDATE => |a| {
        phone::build_update_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?, &a.body()?)
    }, phone::parse_update_contact_rule;
    phone::ops::CONTACT_RULES_DELETE => |a| {
        phone::build_delete_contact_rule(a.path("phone_number_id")?, a.path("rule_id")?)
    }, phone::parse_delete_contact_rule;
    phone::ops::ORG_CONTACT_RULES_LIST => |a| phone::build_list_org_contact_rules(&a.query()?), phone::parse_list_org_contact_rules;

    texts::ops::SEND => |a| texts::build_send(a.path("phone_number_id")?, &a.body()?), texts::parse_send;
    texts::ops::LIST => |a| texts::build_list(a.path("phone_number_id")?, &a.query()?), texts::parse_list;
    texts::ops::SEARCH => |a| texts::build_search(a.path("phone_number_id")?, &a.query()?), texts::parse_search;
    texts::ops::CONVERSATIONS_LIST => |a| texts::build_list_conversations(a.path("phone_number_id")?, &a.query()?), texts::parse_list_conversations;
    texts::ops::CONVERSATION_GET => |a| {
        texts::build_get_conversation(a.path("phone_number_id")?, a.path("key")?, &a.query()?)
    }, texts::parse_get_conversation;
    texts::ops::CONVERSATION_UPDATE => |a| {
        texts::build_update_conversation(a.path("phone_number_id")?, a.path("key")?, &a.body()?)
    }, texts::parse_update_conversation;
    texts::ops::GET => |a| texts::build_get(a.path("phone_number_id")?, a.path("text_id")?), texts::parse_get;
    texts::ops::UPDATE => |a| texts::build_update(a.path("phone_number_id")?, a.path("text_id")?, &a.body()?), texts::parse_update;
    texts::ops::SMS_OPT_INS_LIST => |a| texts::build_list_sms_opt_ins(&a.query()?), texts::parse_list_sms_opt_ins;
    texts::ops::SMS_OPT_INS_GET => |a| texts::build_get_sms_opt_in(a.path("receiver_number")?), texts::parse_get_sms_opt_in;
    texts::ops::SMS_OPT_INS_OPT_IN => |a| texts::build_opt_in(a.path("receiver_number")?), texts::parse_opt_in;
    texts::ops::SMS_OPT_INS_OPT_OUT => |a| texts::build_opt_out(a.path("receiver_number")?), texts::parse_opt_out;

    imessage::ops::TRIAGE_NUMBER_GET => |_| imessage::build_get_triage_number(), imessage::parse_get_triage_number;
    imessage::ops::MESSAGES_SEND => |a| {
        let q: AgentIdentityQuery = a.query()?;
        imessage::build_send_message(&a.body()?, q.agent_identity_id.as_deref())
    }, imessage::parse_send_message;
    imessage::ops::MESSAGES_LIST => |a| imessage::build_list_messages(&a.query()?), imessage::parse_list_messages;
    imessage::ops::ASSIGNMENTS_LIST => |a| imessage::build_list_assignments(&a.query()?), imessage::parse_list_assignments;
    imessage::ops::CONVERSATIONS_LIST => |a| imessage::build_list_conversations(&a.query()?), imessage::parse_list_conversations;
    imessage::ops::CONVERSATIONS_GET => |a| {
        let q: AgentIdentityQuery = a.query()?;
        imessage::build_get_conversation(a.path("conversation_id")?, q.agent_identity_id.as_deref())
    }, imessage::parse_get_conversation;
    imessage::ops::REACTIONS_SEND => |a| imessage::build_send_reaction(&a.body()?), imessage::parse_send_reaction;
    imessage::ops::MARK_READ => |a| {
        let b: imessage::IMessageConversationRequest = a.body()?;
        imessage::build_mark_read(&b.conversation_id)
    }, imessage::parse_mark_read;
    imessage::ops::TYPING_SEND => |a| {
        let b: imessage::IMessageConversationRequest = a.body()?;
        imessage::build_send_typing(&b.conversation_id)
    }, imessage::parse_send_typing;
    imessage::ops::MEDIA_UPLOAD => |a| {
        let b: MediaUploadBody = a.body()?;
        let content = base64_field("body.content", &b.content)?;
        let seed = b.boundary_seed.as_deref().map(|s| base64_field("body.boundary_seed", s)).transpose()?;
        imessage::build_upload_media(&content, &b.filename, b.content_type.as_deref(), seed.as_deref())
    }, imessage::parse_upload_media;
    imessage::ops::CONTACT_RULES_LIST => |a| imessage::build_list_contact_rules(a.path("handle")?, &a.query()?), imessage::parse_list_contact_rules;
    imessage::ops::CONTACT_RULES_GET => |a| imessage::build_get_contact_rule(a.path("handle")?, a.path("rule_id")?), imessage::parse_get_contact_rule;
    imessage::ops::CONTACT_RULES_CREATE => |a| imessage::build_create_contact_rule(a.path("handle")?, &a.body()?), imessage::parse_create_contact_rule;
    imessage::ops::CONTACT_RULES_UPDATE => |a| {
        imessage::build_update_contact_rule(a.path("handle")?, a.path("rule_id")?, &a.body()?)
    }, imessage::parse_update_contact_rule;
    imessage::ops::CONTACT_RULES_DELETE => |a| imessage::build_delete_contact_rule(a.path("handle")?, a.path("rule_id")?), imessage::parse_delete_contact_rule;
    imessage::ops::ORG_CONTACT_RULES_LIST => |a| imessage::build_list_org_contact_rules(&a.query()?), imessage::parse_list_org_contact_rules;

    tunnels::ops::LIST => |_| tunnels::build_list(), tunnels::parse_list;
    tunnels::ops::GET => |a| tunnels::build_get(a.path("tunnel_id")?), tunnels::parse_get;
    tunnels::ops::UPDATE => |a| tunnels::build_update(a.path("tunnel_id")?, &a.body()?), tunnels::parse_update;
    tunnels::ops::SIGN_CSR => |a| {
        let b: tunnels::SignCsrRequest = a.body()?;
        tunnels::build_sign_csr(a.path("tunnel_id")?, &b.csr_pem)
    }, tunnels::parse_sign_csr;

    vault::ops::INFO => |_| vault::build_info(), vault::parse_info;
    vault::ops::INITIALIZE => |a| vault::build_initialize(&a.body()?), vault::parse_initialize;
    vault::ops::UNLOCK => |a| {
        let q: UnlockQuery = a.query()?;
        vault::build_unlock(&q.auth_hash)
    }, vault::parse_unlock;
    vault::ops::KEYS_LIST => |a| {
        let q: KeysQuery = a.query()?;
        vault::build_list_keys(q.r#type.as_deref())
    }, vault::parse_list_keys;
    vault::ops::KEYS_REVOKE => |a| vault::build_revoke_key(a.path("auth_hash")?), vault::parse_revoke_key;
    vault::ops::KEYS_UPDATE_PRIMARY => |a| vault::build_update_primary_key(&a.body()?), vault::parse_update_primary_key;
    vault::ops::SECRETS_LIST => |a| {
        let q: SecretsQuery = a.query()?;
        vault::build_list_secrets(q.secret_type.as_deref())
    }, vault::parse_list_secrets;
    vault::ops::SECRETS_CREATE => |a| vault::build_create_secret(&a.body()?), vault::parse_create_secret;
    vault::ops::SECRETS_GET => |a| vault::build_get_secret(a.path("secret_id")?), vault::parse_get_secret;
    vault::ops::SECRETS_UPDATE => |a| vault::build_update_secret(a.path("secret_id")?, &a.body()?), vault::parse_update_secret;
    vault::ops::SECRETS_DELETE => |a| vault::build_delete_secret(a.path("secret_id")?), vault::parse_delete_secret;
    vault::ops::ACCESS_LIST => |a| vault::build_list_access(a.path("secret_id")?), vault::parse_list_access;
    vault::ops::ACCESS_GRANT => |a| {
        let b: vault::GrantAccessRequest = a.body()?;
        vault::build_grant_access(a.path("secret_id")?, &b.identity_id)
    }, vault::parse_grant_access;
    vault::ops::ACCESS_REVOKE => |a| vault::build_revoke_access(a.path("secret_id")?, a.path("identity_id")?), vault::parse_revoke_access;

    webhook_subscriptions::ops::LIST => |a| webhook_subscriptions::build_list(&a.query()?), webhook_subscriptions::parse_list;
    webhook_subscriptions::ops::GET => |a| webhook_subscriptions::build_get(a.path("id")?), webhook_subscriptions::parse_get;
    webhook_subscriptions::ops::CREATE => |a| {
        let b: SubscriptionCreateBody = a.body()?;
        let input = webhook_subscriptions::CreateSubscriptionRequest::from_parts(
            b.mailbox_id,
            b.phone_number_id,
            b.agent_identity_id,
            b.url,
            b.event_types,
        )?;
        webhook_subscriptions::build_create(&input)
    }, webhook_subscriptions::parse_create;
    webhook_subscriptions::ops::UPDATE => |a| webhook_subscriptions::build_update(a.path("id")?, &a.body()?), webhook_subscriptions::parse_update;
    webhook_subscriptions::ops::DELETE => |a| webhook_subscriptions::build_delete(a.path("id")?), webhook_subscriptions::parse_delete;

    whoami::ops::WHOAMI => |_| whoami::build_whoami(), whoami::parse_whoami;
    keys::ops::SIGNING_KEY_CREATE => |_| keys::build_create_signing_key(), keys::parse_create_signing_key;
    keys::ops::SIGNING_KEY_STATUS => |_| keys::build_get_signing_key_status(), keys::parse_get_signing_key_status;
    keys::ops::IDENTITY_SIGNING_KEY_CREATE => |a| keys::build_create_identity_signing_key(a.path("handle")?), keys::parse_create_identity_signing_key;
    keys::ops::IDENTITY_SIGNING_KEY_STATUS => |a| keys::build_get_identity_signing_key_status(a.path("handle")?), keys::parse_get_identity_signing_key_status;
    keys::ops::API_KEY_CREATE => |a| keys::build_create_api_key(&a.body()?), keys::parse_create_api_key;

    agentpost::ops::INBOXES_CREATE => |a| agentpost::build_create_inbox(&a.body()?), agentpost::parse_create_inbox;
    agentpost::ops::INBOXES_LIST => |a| agentpost::build_list_inboxes(&a.query()?), agentpost::parse_list_inboxes;
    agentpost::ops::INBOXES_GET => |a| agentpost::build_get_inbox(a.path("id")?), agentpost::parse_get_inbox;
    agentpost::ops::INBOXES_UPDATE => |a| agentpost::build_update_inbox(a.path("id")?, &a.body()?), agentpost::parse_update_inbox;
    agentpost::ops::INBOXES_DELETE => |a| agentpost::build_delete_inbox(a.path("id")?), agentpost::parse_delete_inbox;

    contacts::ops::LIST => |a| contacts::build_list(&a.query()?), contacts::parse_list;
    contacts::ops::LOOKUP => |a| contacts::build_lookup(&a.query()?), contacts::parse_lookup;
    contacts::ops::GET => |a| contacts::build_get(a.path("contact_id")?), contacts::parse_get;
    contacts::ops::CREATE => |a| contacts::build_create(&a.body()?), contacts::parse_create;
    contacts::ops::UPDATE => |a| contacts::build_update(a.path("contact_id")?, &a.body()?), contacts::parse_update;
    contacts::ops::DELETE => |a| contacts::build_delete(a.path("contact_id")?), contacts::parse_delete;
    contacts::ops::ACCESS_LIST => |a| contacts::build_list_access(a.path("contact_id")?), contacts::parse_list_access;
    contacts::ops::ACCESS_GRANT => |a| {
        let b: contacts::GrantContactAccessRequest = a.body()?;
        contacts::build_grant_access(a.path("contact_id")?, b.identity_id.as_deref())
    }, contacts::parse_grant_access;
    contacts::ops::ACCESS_REVOKE => |a| contacts::build_revoke_access(a.path("contact_id")?, a.path("identity_id")?), contacts::parse_revoke_access;
    contacts::ops::VCARDS_IMPORT => |a| {
        let b: contacts::ImportVCardsRequest = a.body()?;
        contacts::build_import_vcards(b.content.as_bytes(), b.content_type.as_deref())
    }, contacts::parse_import_vcards;
    contacts::ops::VCARDS_EXPORT => |a| contacts::build_export_vcard(a.path("contact_id")?), contacts::parse_export_vcard;

    notes::ops::LIST => |a| notes::build_list(&a.query()?), notes::parse_list;
    notes::ops::GET => |a| notes::build_get(a.path("note_id")?), notes::parse_get;
    notes::ops::CREATE => |a| notes::build_create(&a.body()?), notes::parse_create;
    notes::ops::UPDATE => |a| notes::build_update(a.path("note_id")?, &a.body()?), notes::parse_update;
    notes::ops::DELETE => |a| notes::build_delete(a.path("note_id")?), notes::parse_delete;
    notes::ops::ACCESS_LIST => |a| notes::build_list_access(a.path("note_id")?), notes::parse_list_access;
    notes::ops::ACCESS_GRANT => |a| {
        let b: notes::GrantNoteAccessRequest = a.body()?;
        notes::build_grant_access(a.path("note_id")?, &b.identity_id)
    }, notes::parse_grant_access;
    notes::ops::ACCESS_REVOKE => |a| notes::build_revoke_access(a.path("note_id")?, a.path("identity_id")?), notes::parse_revoke_access;
}

// -------------------------------------------- loose argument shapes

/// Query of `mail.mailboxes.search`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchMailboxQuery {
    q: String,
    #[serde(default)]
    limit: Option<u32>,
}

/// Query of `mail.attachments.get`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttachmentQuery {
    #[serde(default)]
    redirect: bool,
}

/// Query of `domains.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DomainsQuery {
    #[serde(default)]
    status: Option<mail::SendingDomainStatus>,
}

/// Query of `imessage.messages.send` and `imessage.conversations.get`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentIdentityQuery {
    #[serde(default)]
    agent_identity_id: Option<String>,
}

/// Body of `imessage.media.upload`: the multipart part, content in base64.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MediaUploadBody {
    content: String,
    filename: String,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    boundary_seed: Option<String>,
}

/// Query of `vault.unlock`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnlockQuery {
    auth_hash: String,
}

/// Query of `vault.keys.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KeysQuery {
    #[serde(default)]
    r#type: Option<String>,
}

/// Query of `vault.secrets.list`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecretsQuery {
    #[serde(default)]
    secret_type: Option<String>,
}

/// Body of `webhooks.subscriptions.create`, checked by
/// [`CreateSubscriptionRequest::from_parts`](webhook_subscriptions::CreateSubscriptionRequest::from_parts).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SubscriptionCreateBody {
    #[serde(default)]
    mailbox_id: Option<String>,
    #[serde(default)]
    phone_number_id: Option<String>,
    #[serde(default)]
    agent_identity_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    event_types: Option<Vec<webhook_subscriptions::EventType>>,
}

/// The name of `T` in `Result<T, ApiError>`.
pub(super) fn ok_type_name<T>(_: &Result<T, ApiError>) -> &'static str {
    core::any::type_name::<T>()
}

/// `name` with module paths and lifetimes dropped:
/// `alloc::vec::Vec<a::b::C<'_>>` → `Vec<C>`.
pub(super) fn short_type_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let (path, tail) = rest.split_at(end);
        out.push_str(path.rsplit("::").next().unwrap_or(path));
        let mut chars = tail.chars();
        match chars.next() {
            // A lifetime: skip it, its separator and an emptied `<>`.
            Some('\'') => {
                let after = chars.as_str().trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                let after = after.strip_prefix(", ").unwrap_or(after);
                if out.ends_with('<') && after.starts_with('>') {
                    out.pop();
                    rest = after.get(1..).unwrap_or("");
                } else {
                    rest = after;
                }
            }
            Some(c) => {
                out.push(c);
                rest = chars.as_str();
            }
            None => rest = "",
        }
    }
    out
}

/// Decodes padded standard base64 (RFC 4648 §4), refusing anything else.
pub(super) fn base64_field(field: &'static str, value: &str) -> Result<Vec<u8>, ApiError> {
    let data = value.trim_end_matches('=');
    let canonical = value.len().is_multiple_of(4)
        && value.len() - data.len() <= 2
        && data.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/');
    let decoded = if canonical { crate::vault::base64::decode_lenient_to_vec(value).ok() } else { None };
    decoded.ok_or_else(|| ApiError::validation(field, "must be standard base64 (A-Z a-z 0-9 + /, = padding)"))
}
