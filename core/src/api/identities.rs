//! Agent identities, their channels and visibility grants (spec/identities.md).
//!
//! Identities are addressed by **handle** in paths. Every handle given to a
//! builder — in a path or a body — is normalized first: one leading `@`
//! removed, then lowercased ([`validate::normalize_handle`]). Like the
//! official SDK, builders do not enforce the handle syntax (the server is
//! authoritative, and also refuses reserved names); call
//! [`validate::handle`] to check one up front.
//!
//! Provisioning a phone number for an existing identity is
//! [`phone::build_provision_number`](super::phone::build_provision_number).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::catalog::Operation;
use super::error::ApiError;
use super::patch::Patch;
use super::phone::{
    FilterMode, FilterModeChangeNotice, IncomingCallAction, PhoneNumber, PhoneNumberType, null_as_default,
};
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::tunnels::{TlsMode, Tunnel};
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `POST /api/v1/identities/` (error.rs turns every 409 of this name into
    /// `api.handle_unavailable`).
    pub const CREATE: Operation = Operation::new("identities.create", Method::Post, "/api/v1/identities/");
    /// `GET /api/v1/identities/`
    pub const LIST: Operation = Operation::new("identities.list", Method::Get, "/api/v1/identities/");
    /// `GET /api/v1/identities/{handle}`
    pub const GET: Operation = Operation::new("identities.get", Method::Get, "/api/v1/identities/{handle}");
    /// `PATCH /api/v1/identities/{handle}` (409 → `api.handle_unavailable`, by this name).
    pub const UPDATE: Operation = Operation::new("identities.update", Method::Patch, "/api/v1/identities/{handle}");
    /// `DELETE /api/v1/identities/{handle}` (cascades).
    pub const DELETE: Operation = Operation::new("identities.delete", Method::Delete, "/api/v1/identities/{handle}");
    /// `DELETE /api/v1/identities/{handle}/phone_number`
    pub const PHONE_NUMBER_RELEASE: Operation =
        Operation::new("identities.phone_number.release", Method::Delete, "/api/v1/identities/{handle}/phone_number");
    /// `GET /api/v1/identities/{handle}/access`
    pub const ACCESS_LIST: Operation =
        Operation::new("identities.access.list", Method::Get, "/api/v1/identities/{handle}/access");
    /// `POST /api/v1/identities/{handle}/access`
    pub const ACCESS_GRANT: Operation =
        Operation::new("identities.access.grant", Method::Post, "/api/v1/identities/{handle}/access");
    /// `DELETE /api/v1/identities/{handle}/access/{viewer_identity_id}`
    pub const ACCESS_REVOKE: Operation = Operation::new(
        "identities.access.revoke",
        Method::Delete,
        "/api/v1/identities/{handle}/access/{viewer_identity_id}",
    );
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::CREATE,
    &ops::LIST,
    &ops::GET,
    &ops::UPDATE,
    &ops::DELETE,
    &ops::PHONE_NUMBER_RELEASE,
    &ops::ACCESS_LIST,
    &ops::ACCESS_GRANT,
    &ops::ACCESS_REVOKE,
];

wire_enum! {
    /// An identity's lifecycle status.
    pub enum IdentityStatus {
        /// In service.
        Active = "active",
        /// Paused.
        Paused = "paused",
        /// Deleted (set only by `DELETE`; refused in an update).
        Deleted = "deleted",
    }
}

// ---------------------------------------------------------------- models

/// An identity as listed (and as returned by update at 0.4.9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentIdentitySummary {
    /// UUID.
    pub id: String,
    /// The organization (`org_…`).
    pub organization_id: String,
    /// The handle.
    pub agent_handle: String,
    /// Display name (server default on create: the handle).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Org-internal description (never in outbound mail).
    #[serde(default)]
    pub description: Option<String>,
    /// The linked mailbox address; use it verbatim, never derive it.
    #[serde(default)]
    pub email_address: Option<String>,
    /// iMessage opt-in; absent or null → false.
    #[serde(default, deserialize_with = "null_as_default")]
    pub imessage_enabled: bool,
    /// iMessage filter mode; absent or null → `blacklist`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub imessage_filter_mode: FilterMode,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Lifecycle status, when a server sends it (0.4.9 servers do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IdentityStatus>,
}

/// The mailbox embedded in an identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "IdentityMailboxWire")]
pub struct IdentityMailbox {
    /// UUID.
    pub id: String,
    /// The address.
    pub email_address: String,
    /// The bare sending domain; when absent, the part of `email_address` after `@`.
    pub sending_domain: String,
    /// Mail filter mode; absent or null → `blacklist`.
    pub filter_mode: FilterMode,
    /// The owning identity's UUID.
    pub agent_identity_id: Option<String>,
    /// Present only after a PATCH that changed `filter_mode`.
    pub filter_mode_change_notice: Option<FilterModeChangeNotice>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

#[derive(Deserialize)]
struct IdentityMailboxWire {
    id: String,
    email_address: String,
    #[serde(default)]
    sending_domain: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    filter_mode: FilterMode,
    #[serde(default)]
    agent_identity_id: Option<String>,
    #[serde(default)]
    filter_mode_change_notice: Option<FilterModeChangeNotice>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<IdentityMailboxWire> for IdentityMailbox {
    fn from(w: IdentityMailboxWire) -> Self {
        let sending_domain = match w.sending_domain {
            Some(d) if !d.is_empty() => d,
            _ => w.email_address.split_once('@').map(|(_, d)| String::from(d)).unwrap_or_default(),
        };
        IdentityMailbox {
            id: w.id,
            email_address: w.email_address,
            sending_domain,
            filter_mode: w.filter_mode,
            agent_identity_id: w.agent_identity_id,
            filter_mode_change_notice: w.filter_mode_change_notice,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// An identity with its channels (create and get responses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentIdentity {
    /// UUID.
    pub id: String,
    /// The organization (`org_…`).
    pub organization_id: String,
    /// The handle.
    pub agent_handle: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Org-internal description.
    #[serde(default)]
    pub description: Option<String>,
    /// The linked mailbox address; use it verbatim.
    #[serde(default)]
    pub email_address: Option<String>,
    /// iMessage opt-in; absent or null → false.
    #[serde(default, deserialize_with = "null_as_default")]
    pub imessage_enabled: bool,
    /// iMessage filter mode; absent or null → `blacklist`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub imessage_filter_mode: FilterMode,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Lifecycle status, when a server sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IdentityStatus>,
    /// The mailbox (non-null for every live identity).
    #[serde(default)]
    pub mailbox: Option<IdentityMailbox>,
    /// The phone number, once provisioned.
    #[serde(default)]
    pub phone_number: Option<PhoneNumber>,
    /// The tunnel (non-null for every live identity).
    #[serde(default)]
    pub tunnel: Option<Tunnel>,
}

/// An identity's email address, the one rule every binding follows: the
/// identity's own `email_address` (assigned at creation; the 0.4.9 SDK reads
/// only this field and says to trust it verbatim), else the linked mailbox's
/// (a response without the field). Empty strings count as absent.
pub fn identity_email_address<'a>(own: Option<&'a str>, mailbox: Option<&'a str>) -> Option<&'a str> {
    own.filter(|a| !a.is_empty()).or_else(|| mailbox.filter(|a| !a.is_empty()))
}

impl AgentIdentity {
    /// The email address by [`identity_email_address`].
    pub fn email_address(&self) -> Option<&str> {
        identity_email_address(self.email_address.as_deref(), self.mailbox.as_ref().map(|m| m.email_address.as_str()))
    }

    /// Applies the answer of `PATCH /api/v1/identities/{handle}` (the fields
    /// of the summary; the channels are kept, a `status` the answer lacks is
    /// kept too), as the 0.4.9 SDK does instead of fetching the identity again.
    /// Returns `true` when the identity must still be fetched again (under
    /// `summary.agent_handle`): its handle changed and it has a tunnel, which
    /// the server renames with it (new `tunnel_name` and `public_host`).
    pub fn apply_update(&mut self, summary: &AgentIdentitySummary) -> bool {
        let renamed = summary.agent_handle != self.agent_handle;
        self.id.clone_from(&summary.id);
        self.organization_id.clone_from(&summary.organization_id);
        self.agent_handle.clone_from(&summary.agent_handle);
        self.display_name.clone_from(&summary.display_name);
        self.description.clone_from(&summary.description);
        self.email_address.clone_from(&summary.email_address);
        self.imessage_enabled = summary.imessage_enabled;
        self.imessage_filter_mode.clone_from(&summary.imessage_filter_mode);
        self.created_at = summary.created_at;
        self.updated_at = summary.updated_at;
        if summary.status.is_some() {
            self.status.clone_from(&summary.status);
        }
        renamed && self.tunnel.is_some()
    }

    /// The identity without its channels.
    pub fn summary(&self) -> AgentIdentitySummary {
        AgentIdentitySummary {
            id: self.id.clone(),
            organization_id: self.organization_id.clone(),
            agent_handle: self.agent_handle.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            email_address: self.email_address.clone(),
            imessage_enabled: self.imessage_enabled,
            imessage_filter_mode: self.imessage_filter_mode.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            status: self.status.clone(),
        }
    }
}

/// A visibility grant: who may see the target identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityAccess {
    /// UUID of the grant row.
    pub id: String,
    /// The identity being made visible.
    pub target_identity_id: String,
    /// The viewer; `None` = wildcard (every active identity in the org).
    #[serde(default)]
    pub viewer_identity_id: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

// ---------------------------------------------------------------- create

/// Mailbox options of identity create; sent only when a field is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMailboxCreateOptions {
    /// Local part before the domain (meaningful on a custom domain; on the
    /// platform domain the server forces it to equal the handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_local_part: Option<String>,
    /// Bare domain name: [`Patch::Keep`] = omitted (org default domain),
    /// [`Patch::Clear`] = `null` (platform domain), [`Patch::Set`] = a
    /// verified custom domain such as `mail.acme.com`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub sending_domain: Patch<String>,
}

impl IdentityMailboxCreateOptions {
    /// `true` when no field is set (the `mailbox` key is then omitted).
    pub fn is_empty(&self) -> bool {
        self.email_local_part.is_none() && self.sending_domain.is_keep()
    }
}

/// Tunnel options of identity create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityTunnelCreateOptions {
    /// `edge` (default) or `passthrough`; immutable afterwards.
    #[serde(default)]
    pub tls_mode: TlsMode,
}

/// Phone-number options of identity create (provision a number inline).
///
/// Like the Python SDK (our Python surface mirrors it), `type` (default
/// `local`) and `incoming_call_action` (default `auto_reject`) are always
/// sent; the TypeScript SDK sends only what the caller set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityPhoneNumberCreateOptions {
    /// Always sent; only `local` is accepted by the server.
    #[serde(rename = "type", default)]
    pub r#type: PhoneNumberType,
    /// Two-letter US state, e.g. `NY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Always sent; default `auto_reject`.
    #[serde(default)]
    pub incoming_call_action: IncomingCallAction,
    /// wss URL; required when the action is `auto_accept`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_websocket_url: Option<String>,
    /// https URL; required when the action is `webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_call_webhook_url: Option<String>,
}

impl IdentityPhoneNumberCreateOptions {
    /// The SDK's client-side checks: `auto_accept` needs
    /// `client_websocket_url`, `webhook` needs `incoming_call_webhook_url`.
    pub fn validate(&self) -> Result<(), ApiError> {
        fn present(v: &Option<String>) -> bool {
            v.as_deref().is_some_and(|s| !s.trim().is_empty())
        }
        match self.incoming_call_action {
            IncomingCallAction::AutoAccept if !present(&self.client_websocket_url) => Err(ApiError::validation(
                "phone_number.client_websocket_url",
                "is required when incoming_call_action is auto_accept",
            )),
            IncomingCallAction::Webhook if !present(&self.incoming_call_webhook_url) => Err(ApiError::validation(
                "phone_number.incoming_call_webhook_url",
                "is required when incoming_call_action is webhook",
            )),
            _ => Ok(()),
        }
    }
}

/// Which vault secrets a new identity may access: a UUID, a list of UUIDs,
/// or all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultSecretIds {
    /// Every secret: sent as `"*"` (`"all"` is read as this too).
    All,
    /// One secret UUID, sent as a string.
    One(String),
    /// Several secret UUIDs, sent as an array.
    Many(Vec<String>),
}

impl From<&str> for VaultSecretIds {
    /// `"*"` and `"all"` mean [`VaultSecretIds::All`]; anything else is one id.
    fn from(value: &str) -> Self {
        match value {
            "*" | "all" => VaultSecretIds::All,
            other => VaultSecretIds::One(String::from(other)),
        }
    }
}

impl From<Vec<String>> for VaultSecretIds {
    fn from(value: Vec<String>) -> Self {
        VaultSecretIds::Many(value)
    }
}

impl VaultSecretIds {
    fn validate(&self) -> Result<(), ApiError> {
        let bad = match self {
            VaultSecretIds::All => false,
            VaultSecretIds::One(id) => id.trim().is_empty(),
            VaultSecretIds::Many(ids) => ids.iter().any(|id| id.trim().is_empty()),
        };
        if bad { Err(ApiError::validation("vault_secret_ids", "secret ids must not be empty")) } else { Ok(()) }
    }
}

impl Serialize for VaultSecretIds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            VaultSecretIds::All => serializer.serialize_str("*"),
            VaultSecretIds::One(id) => serializer.serialize_str(id),
            VaultSecretIds::Many(ids) => ids.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for VaultSecretIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Wire::deserialize(deserializer)? {
            Wire::One(s) => VaultSecretIds::from(s.as_str()),
            Wire::Many(v) => VaultSecretIds::Many(v),
        })
    }
}

fn mailbox_absent(m: &Option<IdentityMailboxCreateOptions>) -> bool {
    m.as_ref().is_none_or(IdentityMailboxCreateOptions::is_empty)
}

/// Input of `POST /api/v1/identities/`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateIdentityRequest {
    /// The handle (normalized before sending; a leading `@` is accepted).
    pub agent_handle: String,
    /// Display name (never sent as null; server default = handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// [`Patch::Keep`] = omitted (server default), [`Patch::Clear`] = `null`,
    /// [`Patch::Set`] = the text.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub description: Patch<String>,
    /// iMessage opt-in (server default false); omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imessage_enabled: Option<bool>,
    /// Mailbox options; the key is sent only when a field is set.
    #[serde(default, skip_serializing_if = "mailbox_absent")]
    pub mailbox: Option<IdentityMailboxCreateOptions>,
    /// Tunnel options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel: Option<IdentityTunnelCreateOptions>,
    /// Provision a phone number inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<IdentityPhoneNumberCreateOptions>,
    /// Vault secrets to grant the identity access to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_secret_ids: Option<VaultSecretIds>,
}

impl CreateIdentityRequest {
    /// A request with only the handle set.
    pub fn new(agent_handle: impl Into<String>) -> Self {
        CreateIdentityRequest { agent_handle: agent_handle.into(), ..Default::default() }
    }
}

fn normalized_handle(field: &'static str, handle: &str) -> Result<String, ApiError> {
    let h = validate::normalize_handle(handle);
    validate::non_empty(field, &h)?;
    Ok(h)
}

/// Builds `POST /api/v1/identities/`.
pub fn build_create(input: &CreateIdentityRequest) -> Result<Request, ApiError> {
    let mut body = input.clone();
    body.agent_handle = normalized_handle("agent_handle", &input.agent_handle)?;
    if let Some(p) = &input.phone_number {
        p.validate()?;
    }
    if let Some(v) = &input.vault_secret_ids {
        v.validate()?;
    }
    Ok(Request::builder(&ops::CREATE, &[])?.json(&body)?.build())
}

/// Parses the created identity (mailbox and tunnel populated).
pub fn parse_create(resp: &Response<'_>) -> Result<AgentIdentity, ApiError> {
    parse::json(&ops::CREATE, resp)
}

// ------------------------------------------------------------- list / get

/// Builds `GET /api/v1/identities/`.
pub fn build_list() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::LIST, &[])?.build())
}

/// Parses the identity list (a bare array).
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<AgentIdentitySummary>, ApiError> {
    parse::json(&ops::LIST, resp)
}

/// Builds `GET /api/v1/identities/{handle}`.
pub fn build_get(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::GET, &[&handle])?.build())
}

/// Parses one identity with its channels.
pub fn parse_get(resp: &Response<'_>) -> Result<AgentIdentity, ApiError> {
    parse::json(&ops::GET, resp)
}

// ---------------------------------------------------------------- update

/// Input of `PATCH /api/v1/identities/{handle}`: absent keys are unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateIdentityRequest {
    /// A new handle (rename; the SDK's `new_handle`); normalized before sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_handle: Option<String>,
    /// [`Patch::Clear`] sends `null` (clears).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub display_name: Patch<String>,
    /// [`Patch::Clear`] sends `null` (clears).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub description: Patch<String>,
    /// iMessage opt-in (set only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imessage_enabled: Option<bool>,
    /// iMessage filter mode (set only; admin keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imessage_filter_mode: Option<FilterMode>,
    /// `active` or `paused` (set only); `deleted` is refused — use delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IdentityStatus>,
}

/// Builds `PATCH /api/v1/identities/{handle}` (`{}` is a legal no-op).
pub fn build_update(handle: &str, input: &UpdateIdentityRequest) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    let mut body = input.clone();
    if let Some(new) = &input.agent_handle {
        body.agent_handle = Some(normalized_handle("agent_handle", new)?);
    }
    if input.status == Some(IdentityStatus::Deleted) {
        return Err(ApiError::validation("status", "cannot be set to deleted; delete the identity instead"));
    }
    Ok(Request::builder(&ops::UPDATE, &[&handle])?.json(&body)?.build())
}

/// Parses the update response (a summary at 0.4.9; a full identity parses too).
/// After a rename, fetch the identity again under its new handle.
pub fn parse_update(resp: &Response<'_>) -> Result<AgentIdentitySummary, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

// ---------------------------------------------------------------- delete

/// Builds `DELETE /api/v1/identities/{handle}` (cascade: mailbox, tunnel,
/// scoped API keys, phone number).
pub fn build_delete(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::DELETE, &[&handle])?.build())
}

/// Accepts any 2xx of a delete.
pub fn parse_delete(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::DELETE, resp)
}

/// Builds `DELETE /api/v1/identities/{handle}/phone_number` (release the
/// number at the carrier). The SDK refuses this when the identity it holds
/// has no number; a binding with an [`AgentIdentity`] at hand does that check.
pub fn build_release_phone_number(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::PHONE_NUMBER_RELEASE, &[&handle])?.build())
}

/// Accepts any 2xx of a release.
pub fn parse_release_phone_number(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::PHONE_NUMBER_RELEASE, resp)
}

// ------------------------------------------------------------- visibility

/// Builds `GET /api/v1/identities/{handle}/access`.
pub fn build_list_access(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::ACCESS_LIST, &[&handle])?.build())
}

/// Parses the grants: one wildcard row, explicit per-viewer rows, or `[]`.
pub fn parse_list_access(resp: &Response<'_>) -> Result<Vec<IdentityAccess>, ApiError> {
    parse::json(&ops::ACCESS_LIST, resp)
}

/// Body of a grant: the `viewer_identity_id` key is always present; `null`
/// makes the target visible to every active identity (wildcard).
///
/// Deserializing is strict, because a lenient reading would turn a mistake
/// into a wildcard: only a JSON object is accepted (an array such as `[]`
/// would otherwise fill the field by position), and unknown keys (a
/// misspelled `viewer_identity`) are refused. An absent key reads as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GrantIdentityAccessRequest {
    /// The viewer identity's UUID, or `None` for the wildcard.
    pub viewer_identity_id: Option<String>,
}

impl<'de> Deserialize<'de> for GrantIdentityAccessRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The derived shape, reached only through a map.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            #[serde(default)]
            viewer_identity_id: Option<String>,
        }
        struct ObjectOnly;
        impl<'de> serde::de::Visitor<'de> for ObjectOnly {
            type Value = Fields;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("an object with an optional `viewer_identity_id`")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Fields, A::Error> {
                Fields::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        let f = d.deserialize_struct("GrantIdentityAccessRequest", &["viewer_identity_id"], ObjectOnly)?;
        Ok(GrantIdentityAccessRequest { viewer_identity_id: f.viewer_identity_id })
    }
}

/// Builds `POST /api/v1/identities/{handle}/access` with
/// `{"viewer_identity_id": uuid|null}`.
pub fn build_grant_access(handle: &str, viewer_identity_id: Option<&str>) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    if let Some(v) = viewer_identity_id {
        validate::non_empty("viewer_identity_id", v)?;
    }
    let body = GrantIdentityAccessRequest { viewer_identity_id: viewer_identity_id.map(String::from) };
    Ok(Request::builder(&ops::ACCESS_GRANT, &[&handle])?.json(&body)?.build())
}

/// Parses the created grant. A 409 `redundant_grant` becomes `api.redundant_grant`.
pub fn parse_grant_access(resp: &Response<'_>) -> Result<IdentityAccess, ApiError> {
    parse::json(&ops::ACCESS_GRANT, resp)
}

/// Builds `DELETE /api/v1/identities/{handle}/access/{viewer_identity_id}`
/// (keyed by the viewer identity's UUID, not the grant row id).
pub fn build_revoke_access(handle: &str, viewer_identity_id: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::ACCESS_REVOKE, &[&handle, viewer_identity_id])?.build())
}

/// Accepts any 2xx of a revoke.
pub fn parse_revoke_access(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::ACCESS_REVOKE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::error::ErrorKind;
    use crate::api::test_support::ok;
    use crate::api::tunnels::TunnelStatus;
    use alloc::format;
    use alloc::vec;

    fn body_str(r: &Request) -> &str {
        core::str::from_utf8(r.body.as_deref().unwrap()).unwrap()
    }

    const SUMMARY: &str = r#"{"id":"44444444-4444-4444-8444-444444444444","organization_id":"org_1","agent_handle":"sales-bot","display_name":"Sales Bot","description":null,"email_address":"sales-bot@inkboxmail.com","imessage_enabled":true,"imessage_filter_mode":"whitelist","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","extra":{"a":1}}"#;

    fn identity_json() -> alloc::string::String {
        let mailbox = r#"{"id":"m1","email_address":"sales-bot@inkboxmail.com","filter_mode":null,"agent_identity_id":"44444444-4444-4444-8444-444444444444","filter_mode_change_notice":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","display_name":"legacy"}"#;
        let tunnel = r#"{"id":"t1","organization_id":"org_1","tunnel_name":"sales-bot","tls_mode":"edge","cert_pem":null,"cert_fingerprint_sha256":null,"cert_expires_at":null,"status":"active","last_connected_at":null,"last_connected_ip_addr":null,"currently_connected":false,"public_host":"sales-bot.inkboxwire.com","zone":"inkboxwire.com","metadata":{},"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#;
        let base = SUMMARY.strip_suffix('}').unwrap();
        format!("{base},\"mailbox\":{mailbox},\"phone_number\":null,\"tunnel\":{tunnel}}}")
    }

    #[test]
    fn email_address_prefers_the_identity_field() {
        assert_eq!(identity_email_address(Some("own@x.com"), Some("box@x.com")), Some("own@x.com"));
        assert_eq!(identity_email_address(None, Some("box@x.com")), Some("box@x.com"));
        assert_eq!(identity_email_address(Some(""), Some("box@x.com")), Some("box@x.com"));
        assert_eq!(identity_email_address(None, None), None);
        let mut id: AgentIdentity = serde_json::from_str(&identity_json()).unwrap();
        id.email_address = Some("assigned@inkboxmail.com".into());
        assert_eq!(id.email_address(), Some("assigned@inkboxmail.com"));
        id.email_address = None;
        assert_eq!(id.email_address(), Some("sales-bot@inkboxmail.com"));
    }

    #[test]
    fn update_answer_is_merged_and_a_rename_with_a_tunnel_refetches() {
        let mut id: AgentIdentity = serde_json::from_str(&identity_json()).unwrap();
        id.status = Some(IdentityStatus::Active);
        let before = id.clone();
        let mut summary: AgentIdentitySummary = serde_json::from_str(SUMMARY).unwrap();
        summary.display_name = Some("Renamed".into());
        summary.imessage_enabled = false;
        assert!(!id.apply_update(&summary));
        assert_eq!(id.display_name.as_deref(), Some("Renamed"));
        assert!(!id.imessage_enabled);
        assert_eq!((&id.mailbox, &id.tunnel, &id.status), (&before.mailbox, &before.tunnel, &before.status));

        summary.agent_handle = "sales-two".into();
        assert!(id.apply_update(&summary));
        assert_eq!(id.agent_handle, "sales-two");
        id.tunnel = None;
        summary.agent_handle = "sales-three".into();
        assert!(!id.apply_update(&summary));
    }

    #[test]
    fn operations_are_consistent() {
        assert_eq!(OPERATIONS.len(), 9);
        // error.rs classifies by these exact names.
        assert_eq!(ops::CREATE.name, "identities.create");
        assert_eq!(ops::UPDATE.name, "identities.update");
        for op in OPERATIONS {
            assert!(op.name.starts_with("identities."));
            assert!(op.path.starts_with("/api/v1/identities/"));
        }
    }

    #[test]
    fn create_minimal_and_full_golden() {
        let r = build_create(&CreateIdentityRequest::new("@Sales-Bot")).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/identities/"));
        assert_eq!(body_str(&r), r#"{"agent_handle":"sales-bot"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));

        let input = CreateIdentityRequest {
            agent_handle: "sales-bot".into(),
            display_name: Some("Sales Bot".into()),
            description: Patch::Set("Outreach".into()),
            imessage_enabled: Some(true),
            mailbox: Some(IdentityMailboxCreateOptions {
                email_local_part: Some("sales".into()),
                sending_domain: Patch::Set("mail.acme.com".into()),
            }),
            tunnel: Some(IdentityTunnelCreateOptions { tls_mode: TlsMode::Passthrough }),
            phone_number: Some(IdentityPhoneNumberCreateOptions {
                state: Some("NY".into()),
                incoming_call_action: IncomingCallAction::AutoAccept,
                client_websocket_url: Some("wss://agent.example.com/ws".into()),
                ..Default::default()
            }),
            vault_secret_ids: Some(VaultSecretIds::Many(vec!["s1".into(), "s2".into()])),
        };
        let r = build_create(&input).unwrap();
        assert_eq!(
            body_str(&r),
            concat!(
                r#"{"agent_handle":"sales-bot","display_name":"Sales Bot","description":"Outreach","imessage_enabled":true,"#,
                r#""mailbox":{"email_local_part":"sales","sending_domain":"mail.acme.com"},"tunnel":{"tls_mode":"passthrough"},"#,
                r#""phone_number":{"type":"local","state":"NY","incoming_call_action":"auto_accept","client_websocket_url":"wss://agent.example.com/ws"},"#,
                r#""vault_secret_ids":["s1","s2"]}"#
            )
        );
        // The emulator parses the same body back.
        assert_eq!(serde_json::from_str::<CreateIdentityRequest>(body_str(&r)).unwrap(), input);
    }

    #[test]
    fn create_option_shapes() {
        // Null description and null sending_domain (platform domain) are sent as null.
        let input = CreateIdentityRequest {
            description: Patch::Clear,
            mailbox: Some(IdentityMailboxCreateOptions { sending_domain: Patch::Clear, ..Default::default() }),
            ..CreateIdentityRequest::new("bot")
        };
        assert_eq!(
            body_str(&build_create(&input).unwrap()),
            r#"{"agent_handle":"bot","description":null,"mailbox":{"sending_domain":null}}"#
        );
        // An empty mailbox options object is not sent; default tunnel/phone options are.
        let input = CreateIdentityRequest {
            mailbox: Some(IdentityMailboxCreateOptions::default()),
            tunnel: Some(IdentityTunnelCreateOptions::default()),
            phone_number: Some(IdentityPhoneNumberCreateOptions::default()),
            vault_secret_ids: Some(VaultSecretIds::from("*")),
            ..CreateIdentityRequest::new("bot")
        };
        assert_eq!(
            body_str(&build_create(&input).unwrap()),
            r#"{"agent_handle":"bot","tunnel":{"tls_mode":"edge"},"phone_number":{"type":"local","incoming_call_action":"auto_reject"},"vault_secret_ids":"*"}"#
        );
        // vault_secret_ids: one id, "all", parse back.
        let one = CreateIdentityRequest { vault_secret_ids: Some("s1".into()), ..CreateIdentityRequest::new("bot") };
        assert_eq!(body_str(&build_create(&one).unwrap()), r#"{"agent_handle":"bot","vault_secret_ids":"s1"}"#);
        assert_eq!(VaultSecretIds::from("all"), VaultSecretIds::All);
        for (json, v) in [
            (r#""*""#, VaultSecretIds::All),
            (r#""all""#, VaultSecretIds::All),
            (r#""s1""#, VaultSecretIds::One("s1".into())),
            (r#"["a"]"#, VaultSecretIds::Many(vec!["a".into()])),
        ] {
            assert_eq!(serde_json::from_str::<VaultSecretIds>(json).unwrap(), v);
        }
        assert!(serde_json::from_str::<VaultSecretIds>("3").is_err());
        // Emulator: a TS-style phone_number body without type/action gets the defaults.
        let parsed: CreateIdentityRequest =
            serde_json::from_str(r#"{"agent_handle":"bot","phone_number":{"state":"CA"}}"#).unwrap();
        let p = parsed.phone_number.unwrap();
        assert_eq!((p.r#type, p.incoming_call_action), (PhoneNumberType::Local, IncomingCallAction::AutoReject));
    }

    #[test]
    fn create_validation() {
        let phone = |action, ws: Option<&str>, hook: Option<&str>| CreateIdentityRequest {
            phone_number: Some(IdentityPhoneNumberCreateOptions {
                incoming_call_action: action,
                client_websocket_url: ws.map(Into::into),
                incoming_call_webhook_url: hook.map(Into::into),
                ..Default::default()
            }),
            ..CreateIdentityRequest::new("bot")
        };
        let e = build_create(&phone(IncomingCallAction::AutoAccept, None, Some("https://x"))).unwrap_err();
        assert!(matches!(&e, ApiError::Validation { field, .. } if field == "phone_number.client_websocket_url"));
        let e = build_create(&phone(IncomingCallAction::Webhook, Some("wss://x"), None)).unwrap_err();
        assert!(matches!(&e, ApiError::Validation { field, .. } if field == "phone_number.incoming_call_webhook_url"));
        assert!(build_create(&phone(IncomingCallAction::Webhook, None, Some(""))).is_err());
        let r = build_create(&phone(IncomingCallAction::Webhook, None, Some("https://example.com/calls"))).unwrap();
        assert_eq!(
            body_str(&r),
            r#"{"agent_handle":"bot","phone_number":{"type":"local","incoming_call_action":"webhook","incoming_call_webhook_url":"https://example.com/calls"}}"#
        );
        assert!(build_create(&phone(IncomingCallAction::AutoReject, None, None)).is_ok());
        assert_eq!(build_create(&CreateIdentityRequest::new("@")).unwrap_err().code(), "api.validation");
        let bad = CreateIdentityRequest {
            vault_secret_ids: Some(VaultSecretIds::Many(vec!["".into()])),
            ..CreateIdentityRequest::new("bot")
        };
        assert_eq!(build_create(&bad).unwrap_err().code(), "api.validation");
    }

    #[test]
    fn create_parse_and_handle_unavailable() {
        let body = identity_json();
        let i = parse_create(&Response::new(201, &[], body.as_bytes())).unwrap();
        assert_eq!(i.agent_handle, "sales-bot");
        let m = i.mailbox.as_ref().unwrap();
        assert_eq!(m.sending_domain, "inkboxmail.com");
        assert_eq!(m.filter_mode, FilterMode::Blacklist);
        let t = i.tunnel.as_ref().unwrap();
        assert_eq!((t.status.clone(), t.public_host.as_str()), (TunnelStatus::Active, "sales-bot.inkboxwire.com"));
        assert!(i.phone_number.is_none());
        assert_eq!(i.summary().imessage_filter_mode, FilterMode::Whitelist);
        let back: AgentIdentity = serde_json::from_slice(&serde_json::to_vec(&i).unwrap()).unwrap();
        assert_eq!(back, i);

        let e =
            parse_create(&Response::new(409, &[], br#"{"detail":{"message":"taken","blocking_namespace":"tunnels"}}"#))
                .unwrap_err();
        assert_eq!(e.code(), "api.handle_unavailable");
        match &e.as_status().unwrap().kind {
            ErrorKind::HandleUnavailable { blocking_namespace } => {
                assert_eq!(blocking_namespace.as_deref(), Some("tunnels"))
            }
            other => panic!("{other:?}"),
        }
        let e = parse_create(&Response::new(409, &[], br#"{"detail":"Handle already in use"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.handle_unavailable");
        assert_eq!(
            parse_create(&Response::new(422, &[], br#"{"detail":[]}"#)).unwrap_err().code(),
            "api.unprocessable"
        );
    }

    #[test]
    fn list_get_golden_and_parse() {
        let r = build_list().unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/api/v1/identities/", true));
        let old = r#"{"id":"i2","organization_id":"org_1","agent_handle":"old","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","imessage_filter_mode":null}"#;
        let list = parse_list(&ok(&format!("[{SUMMARY},{old}]"))).unwrap();
        assert!(list[0].imessage_enabled);
        assert_eq!(list[0].description, None);
        assert_eq!((list[1].imessage_enabled, list[1].imessage_filter_mode.clone()), (false, FilterMode::Blacklist));
        assert_eq!(list[1].email_address, None);
        assert_eq!(list[1].status, None);
        let v = serde_json::to_value(&list[1]).unwrap();
        assert!(v.get("status").is_none());
        assert_eq!(v["imessage_filter_mode"], "blacklist");

        let r = build_get("@Sales-Bot").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/identities/sales-bot"));
        assert_eq!(build_get("").unwrap_err().code(), "api.validation");
        let with_phone = identity_json().replace(
            "\"phone_number\":null",
            r#""phone_number":{"id":"n1","number":"+15551234567","type":"local","status":"active","incoming_call_action":"auto_reject","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z"}"#,
        );
        let i = parse_get(&ok(&with_phone)).unwrap();
        assert_eq!(i.phone_number.unwrap().number, "+15551234567");
        let custom = identity_json()
            .replace("\"filter_mode\":null", "\"sending_domain\":\"mail.acme.com\",\"filter_mode\":\"paranoid\"");
        let m = parse_get(&ok(&custom)).unwrap().mailbox.unwrap();
        assert_eq!(m.sending_domain, "mail.acme.com");
        assert_eq!(m.filter_mode, FilterMode::Unknown("paranoid".into()));
        assert_eq!(
            parse_get(&Response::new(404, &[], br#"{"detail":"Identity not found"}"#)).unwrap_err().code(),
            "api.not_found"
        );
    }

    #[test]
    fn update_golden_and_parse() {
        let r = build_update("@Sales-Bot", &UpdateIdentityRequest::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/api/v1/identities/sales-bot"));
        assert_eq!(body_str(&r), "{}");
        let input = UpdateIdentityRequest {
            agent_handle: Some("@Sales-Bot-V2".into()),
            display_name: Patch::Set("New Name".into()),
            description: Patch::Clear,
            imessage_enabled: Some(false),
            imessage_filter_mode: Some(FilterMode::Whitelist),
            status: Some(IdentityStatus::Paused),
        };
        let r = build_update("sales-bot", &input).unwrap();
        assert_eq!(
            body_str(&r),
            r#"{"agent_handle":"sales-bot-v2","display_name":"New Name","description":null,"imessage_enabled":false,"imessage_filter_mode":"whitelist","status":"paused"}"#
        );
        let back: UpdateIdentityRequest = serde_json::from_str(body_str(&r)).unwrap();
        assert_eq!(back.description, Patch::Clear);
        assert_eq!(back.display_name, Patch::Set("New Name".into()));
        let only_clear = UpdateIdentityRequest { display_name: Patch::Clear, ..Default::default() };
        assert_eq!(body_str(&build_update("x", &only_clear).unwrap()), r#"{"display_name":null}"#);

        let deleted = UpdateIdentityRequest { status: Some(IdentityStatus::Deleted), ..Default::default() };
        assert_eq!(build_update("x", &deleted).unwrap_err().code(), "api.validation");
        let empty = UpdateIdentityRequest { agent_handle: Some("@".into()), ..Default::default() };
        assert_eq!(build_update("x", &empty).unwrap_err().code(), "api.validation");

        let s = parse_update(&ok(SUMMARY)).unwrap();
        assert_eq!(s.display_name.as_deref(), Some("Sales Bot"));
        // A HEAD server's full identity parses as a summary too.
        assert_eq!(parse_update(&ok(&identity_json())).unwrap(), s);
        let e = parse_update(&Response::new(409, &[], br#"{"detail":"platform-domain mailbox cannot be renamed"}"#))
            .unwrap_err();
        assert_eq!(e.code(), "api.handle_unavailable");
        assert_eq!(
            parse_update(&Response::new(403, &[], br#"{"detail":"admin only"}"#)).unwrap_err().code(),
            "api.forbidden"
        );
    }

    #[test]
    fn delete_and_release_golden() {
        let r = build_delete("@Bot-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/identities/bot-1", true)
        );
        parse_delete(&Response::new(204, &[], b"")).unwrap();
        assert_eq!(parse_delete(&Response::new(404, &[], b"")).unwrap_err().code(), "api.not_found");
        let r = build_release_phone_number("Bot-1").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/identities/bot-1/phone_number", true)
        );
        parse_release_phone_number(&Response::new(200, &[], b"{}")).unwrap();
        assert_eq!(
            parse_release_phone_number(&Response::new(500, &[], b"oops")).unwrap_err().code(),
            "api.server_error"
        );
    }

    #[test]
    fn access_golden_and_parse() {
        let r = build_list_access("@Sales-Bot").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/identities/sales-bot/access", true)
        );
        let rows = parse_list_access(&ok(r#"[{"id":"a1","target_identity_id":"t","viewer_identity_id":null,"created_at":"2026-03-09T00:00:00Z","x":1}]"#)).unwrap();
        assert_eq!(rows[0].viewer_identity_id, None);
        assert_eq!(parse_list_access(&ok("[]")).unwrap(), Vec::new());
        assert_eq!(
            parse_list_access(&Response::new(403, &[], br#"{"detail":"admin only"}"#)).unwrap_err().code(),
            "api.forbidden"
        );

        let r = build_grant_access("sales-bot", Some("55555555-5555-4555-8555-555555555555")).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/identities/sales-bot/access"));
        assert_eq!(body_str(&r), r#"{"viewer_identity_id":"55555555-5555-4555-8555-555555555555"}"#);
        let r = build_grant_access("sales-bot", None).unwrap();
        assert_eq!(body_str(&r), r#"{"viewer_identity_id":null}"#);
        assert_eq!(serde_json::from_str::<GrantIdentityAccessRequest>(body_str(&r)).unwrap().viewer_identity_id, None);
        assert_eq!(build_grant_access("sales-bot", Some("")).unwrap_err().code(), "api.validation");
        // A misspelled key or a non-object is not the wildcard body.
        for bad in [r#"{"viewer_identity":"v"}"#, r#"{"viewer_identity_id":null,"x":1}"#, "[]", r#"["v"]"#, "7"] {
            assert!(serde_json::from_str::<GrantIdentityAccessRequest>(bad).is_err(), "{bad}");
        }
        let g = parse_grant_access(&Response::new(
            201,
            &[],
            br#"{"id":"a2","target_identity_id":"t","viewer_identity_id":"v","created_at":"2026-03-09T00:00:00Z"}"#,
        ))
        .unwrap();
        assert_eq!(g.viewer_identity_id.as_deref(), Some("v"));
        let e = parse_grant_access(&Response::new(
            409,
            &[],
            br#"{"detail":{"error":"redundant_grant","detail":"target is wildcard"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.redundant_grant");
        let e = parse_grant_access(&Response::new(409, &[], br#"{"detail":"already granted"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.conflict");
        assert_eq!(
            parse_grant_access(&Response::new(422, &[], br#"{"detail":"viewer == target"}"#)).unwrap_err().code(),
            "api.unprocessable"
        );

        let r = build_revoke_access("@Sales-Bot", "55555555-5555-4555-8555-555555555555").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Delete, "/api/v1/identities/sales-bot/access/55555555-5555-4555-8555-555555555555", true)
        );
        assert_eq!(build_revoke_access("x", "").unwrap_err().code(), "api.validation");
        parse_revoke_access(&Response::new(204, &[], b"")).unwrap();
        assert_eq!(
            parse_revoke_access(&Response::new(404, &[], br#"{"detail":"nothing to revoke"}"#)).unwrap_err().code(),
            "api.not_found"
        );
    }
}
