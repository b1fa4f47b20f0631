//! One function per catalog operation, dispatched by `op.name`. Responses are
//! core's model types, request bodies are parsed with core's input types.

use inkbox_core::api::catalog::Operation;
use inkbox_core::api::common::{FilterMode, FilterModeChangeNotice, RuleAction};
use inkbox_core::api::identities::{
    AgentIdentity, AgentIdentitySummary, CreateIdentityRequest, GrantIdentityAccessRequest, IdentityAccess,
    IdentityMailbox, IdentityStatus, UpdateIdentityRequest,
};
use inkbox_core::api::keys::{ApiKey, ApiKeyStatus, CreatedApiKey, CreatorType, SigningKey, SigningKeyStatus};
use inkbox_core::api::mail::{Mailbox, UpdateMailboxRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::phone::{PhoneNumber, PhoneNumberStatus, PhoneNumberType};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::tunnels::{TlsMode, Tunnel, TunnelStatus};
use inkbox_core::api::validate;
use inkbox_core::api::whoami::{Whoami, WhoamiApiKey};
use serde_json::{Value, json};

use crate::app::{Caller, Ctx, Reply, last4};
use crate::mail;
pub(crate) use crate::mail::serve_file;
use crate::phone;
use crate::state::{ApiKeyRec, IdentityRec, MailboxRec, SigningKeyRec, State};
use crate::util::{Clock, random_digits, random_hex, ts_secs_f64, uuid4};
use crate::{imessage, signup, texts, tunnels, vault, webhooks};

/// The platform mail domain.
pub(crate) const MAIL_DOMAIN: &str = "inkboxmail.com";

/// Handles nobody may take (the real list is not published).
const RESERVED: &[&str] = &[
    "abuse",
    "admin",
    "administrator",
    "api",
    "billing",
    "help",
    "hostmaster",
    "inkbox",
    "mail",
    "mailer-daemon",
    "no-reply",
    "noreply",
    "postmaster",
    "root",
    "security",
    "support",
    "system",
    "webmaster",
    "www",
];

pub(crate) type R = Result<Reply, Reply>;

/// Runs the handler of `op`.
pub(crate) fn dispatch(op: &'static Operation, s: &mut State, ctx: &Ctx) -> Reply {
    let r = match op.name {
        "whoami.get" => whoami(s, ctx),
        "api_keys.create" => create_api_key(s, ctx),
        "signing_keys.create" => create_org_signing_key(s, ctx),
        "signing_keys.get" => org_signing_key_status(s, ctx),
        "identities.signing_key.create" => create_identity_signing_key(s, ctx),
        "identities.signing_key.get" => identity_signing_key_status(s, ctx),
        "identities.create" => create_identity(s, ctx),
        "identities.list" => list_identities(s, ctx),
        "identities.get" => get_identity(s, ctx),
        "identities.update" => update_identity(s, ctx),
        "identities.delete" => delete_identity(s, ctx),
        "identities.phone_number.release" => release_phone(s, ctx),
        "identities.access.list" => list_access(s, ctx),
        "identities.access.grant" => grant_access(s, ctx),
        "identities.access.revoke" => revoke_access(s, ctx),
        "mail.mailboxes.list" => list_mailboxes(s, ctx),
        "mail.mailboxes.get" => get_mailbox(s, ctx),
        "mail.mailboxes.update" => update_mailbox(s, ctx),
        "tunnels.list" => list_tunnels(s, ctx),
        "tunnels.get" => get_tunnel(s, ctx),
        "mail.messages.send" => mail::send(s, ctx),
        "mail.messages.list" => mail::list_messages(s, ctx),
        "mail.messages.get" => mail::get_message(s, ctx),
        "mail.messages.update" => mail::update_message(s, ctx),
        "mail.messages.delete" => mail::delete_message(s, ctx),
        "mail.attachments.get" => mail::attachment_url(s, ctx),
        "mail.threads.list" => mail::list_threads(s, ctx),
        "mail.threads.get" => mail::get_thread(s, ctx),
        "mail.threads.delete" => mail::delete_thread(s, ctx),
        "mail.mailboxes.search" => mail::search(s, ctx),
        "domains.list" => mail::list_domains(s, ctx),
        "domains.set_default" => mail::set_default_domain(s, ctx),
        "phone.numbers.create" => phone::create_number(s, ctx),
        "phone.numbers.list" => phone::list_numbers(s, ctx),
        "phone.numbers.get" => phone::get_number(s, ctx),
        "phone.numbers.update" => phone::update_number(s, ctx),
        "phone.numbers.release" => phone::release(s, ctx),
        "phone.calls.place" => phone::place_call(s, ctx),
        "phone.calls.list" => phone::list_calls(s, ctx),
        "phone.calls.get" => phone::get_call(s, ctx),
        "phone.transcripts.list" => phone::list_transcripts(s, ctx),
        "phone.transcripts.search" => phone::search_transcripts(s, ctx),
        other => texts::dispatch(other, s, ctx)
            .or_else(|| imessage::dispatch(other, s, ctx))
            .or_else(|| signup::dispatch(other, s, ctx))
            .or_else(|| vault::dispatch(other, s, ctx))
            .or_else(|| webhooks::dispatch(other, s, ctx))
            .or_else(|| tunnels::dispatch(other, s, ctx))
            .or_else(|| crate::contacts::dispatch(other, s, ctx))
            .or_else(|| crate::rules::dispatch(other, s, ctx))
            .unwrap_or_else(|| {
                Err(Reply::error(
                    501,
                    "not_implemented",
                    &format!("operation {other} is not implemented by the emulator yet"),
                    Value::Null,
                ))
            }),
    };
    r.unwrap_or_else(|e| e)
}

// ------------------------------------------------------------- helpers

pub(crate) fn admin_only(ctx: &Ctx) -> Result<(), Reply> {
    if ctx.caller.is_admin() { Ok(()) } else { Err(Reply::detail(403, "This action requires an admin-scoped API key")) }
}

/// May `caller` see identity `target`?
pub(crate) fn can_see(s: &State, caller: &Caller, target: &IdentityRec) -> bool {
    match caller {
        Caller::Admin { org_id, .. } => &target.organization_id == org_id,
        Caller::Agent { org_id, identity_id, .. } => {
            &target.organization_id == org_id
                && (&target.id == identity_id
                    || s.access.iter().any(|a| {
                        a.target_identity_id == target.id
                            && a.viewer_identity_id.as_ref().is_none_or(|v| v == identity_id)
                    }))
        }
        Caller::Anonymous => false,
    }
}

/// The identity named by the path's first parameter, if visible.
pub(crate) fn visible_identity<'s>(s: &'s State, ctx: &Ctx) -> Result<&'s IdentityRec, Reply> {
    let handle = validate::normalize_handle(ctx.param(0));
    s.identity_by_handle(&handle).filter(|i| can_see(s, &ctx.caller, i)).ok_or_else(|| Reply::not_found("Identity"))
}

/// Like [`visible_identity`], and the caller must own it (or be admin).
pub(crate) fn own_identity(s: &State, ctx: &Ctx) -> Result<String, Reply> {
    let rec = visible_identity(s, ctx)?;
    match &ctx.caller {
        Caller::Agent { identity_id, .. } if identity_id != &rec.id => {
            Err(Reply::detail(403, "An identity-scoped key may only act on its own identity"))
        }
        _ => Ok(rec.id.clone()),
    }
}

pub(crate) fn identity_mut<'s>(s: &'s mut State, id: &str) -> Result<&'s mut IdentityRec, Reply> {
    s.identities.iter_mut().find(|i| i.id == id).ok_or_else(|| Reply::not_found("Identity"))
}

fn identity_mailbox(m: &Mailbox) -> IdentityMailbox {
    IdentityMailbox {
        id: m.id.clone(),
        email_address: m.email_address.clone(),
        sending_domain: m.domain().to_owned(),
        filter_mode: m.filter_mode.clone(),
        agent_identity_id: m.agent_identity_id.clone(),
        filter_mode_change_notice: None,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(crate) fn full_identity(s: &State, i: &IdentityRec, clock: Clock) -> AgentIdentity {
    let mailbox = s.mailbox(&i.mailbox_id).map(|m| &m.mailbox);
    AgentIdentity {
        id: i.id.clone(),
        organization_id: i.organization_id.clone(),
        agent_handle: i.agent_handle.clone(),
        display_name: i.display_name.clone(),
        description: i.description.clone(),
        email_address: mailbox.map(|m| m.email_address.clone()),
        imessage_enabled: i.imessage_enabled,
        imessage_filter_mode: i.imessage_filter_mode.clone(),
        created_at: i.created_at,
        updated_at: i.updated_at,
        status: None,
        mailbox: mailbox.map(identity_mailbox),
        phone_number: i.phone_number_id.as_deref().and_then(|p| s.phone(p)).map(|p| phone::view(p, clock)),
        tunnel: s.tunnel(&i.tunnel_id).cloned(),
    }
}

pub(crate) fn summary(s: &State, i: &IdentityRec, clock: Clock) -> AgentIdentitySummary {
    full_identity(s, i, clock).summary()
}

/// Why a handle cannot be taken, as a 409 reply: `detail` = `{error: "handle_unavailable",
/// message, code: "agent_handle_unavailable", blocking_namespace, agent_handle}`. The
/// official TypeScript SDK (0.5.14) raises `HandleUnavailableError` only for that `code`
/// (or an `error` of the same value); 0.4.9 and core map any 409 of create/update.
pub(crate) fn handle_unavailable(s: &State, handle: &str, except_identity: Option<&str>) -> Option<Reply> {
    let conflict = |ns: &str, msg: &str| {
        Reply::error(
            409,
            "handle_unavailable",
            msg,
            json!({ "code": "agent_handle_unavailable", "blocking_namespace": ns, "agent_handle": handle }),
        )
    };
    if RESERVED.contains(&handle) {
        return Some(conflict("identities", &format!("Handle '{handle}' is reserved")));
    }
    if s.identities.iter().any(|i| i.agent_handle == handle && Some(i.id.as_str()) != except_identity) {
        return Some(conflict("identities", &format!("Handle '{handle}' is already taken")));
    }
    let tunnel_taken = s.tunnels.iter().any(|t| {
        t.tunnel_name == handle
            && t.status != TunnelStatus::Deleted
            && t.agent_identity_id.as_deref() != except_identity
    });
    if tunnel_taken {
        return Some(conflict("tunnels", &format!("Tunnel name '{handle}' is already taken")));
    }
    let address = format!("{handle}@{MAIL_DOMAIN}");
    let mail_taken = s.mailboxes.iter().any(|m| {
        !m.deleted && m.mailbox.email_address == address && m.mailbox.agent_identity_id.as_deref() != except_identity
    });
    if mail_taken {
        return Some(conflict("mail", &format!("Address '{address}' is already taken")));
    }
    None
}

fn check_handle(handle: &str) -> Result<(), Reply> {
    validate::handle("agent_handle", handle).map_err(|e| Reply::detail(422, &e.to_string()))
}

pub(crate) fn new_signing_key(ctx: &Ctx) -> SigningKeyRec {
    SigningKeyRec { secret: format!("whsec_{}", random_hex(24)), created_at: ctx.clock.timestamp() }
}

fn signing_key_reply(k: &SigningKeyRec) -> Reply {
    Reply::model(200, &SigningKey { signing_key: k.secret.clone(), created_at: k.created_at })
}

fn signing_status(k: Option<&SigningKeyRec>) -> Reply {
    Reply::model(200, &SigningKeyStatus { configured: k.is_some(), created_at: k.map(|k| k.created_at) })
}

// --------------------------------------------------------- whoami / keys

fn whoami(s: &mut State, ctx: &Ctx) -> R {
    let key_id = ctx.caller.key_id().unwrap_or_default();
    let rec = s.api_keys.iter().find(|k| k.record.id == key_id).ok_or_else(|| Reply::detail(401, "Invalid API key"))?;
    let r = &rec.record;
    let subtype = match &r.scoped_identity_id {
        None => "api_key.admin_scoped",
        Some(id) if signup::is_unclaimed(s, id) => "api_key.agent_scoped.unclaimed",
        Some(_) => "api_key.agent_scoped.claimed",
    };
    let w = Whoami::ApiKey(WhoamiApiKey {
        auth_subtype: Some(subtype.into()),
        organization_id: Some(r.organization_id.clone()),
        created_by: r.created_by.clone(),
        creator_type: r.creator_type.clone(),
        key_id: Some(r.id.clone()),
        label: Some(r.label.clone()),
        description: r.description.clone(),
        created_at: Some(ts_secs_f64(r.created_at)),
        last_used_at: r.last_used_at.map(ts_secs_f64),
        expires_at: r.expires_at.map(ts_secs_f64),
        scope: None,
    });
    Ok(Reply::model(200, &w))
}

fn create_api_key(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    // core's CreateApiKeyRequest is serialize-only: read the JSON by hand.
    let v = ctx.json()?;
    let label = v.get("label").and_then(Value::as_str).ok_or_else(|| Reply::detail(422, "label is required"))?;
    validate::char_len("label", label, 1, 255).map_err(|e| Reply::detail(422, &e.to_string()))?;
    let description = match v.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => {
            validate::char_len("description", d, 0, 1000).map_err(|e| Reply::detail(422, &e.to_string()))?;
            Some(d.clone())
        }
        Some(_) => return Err(Reply::detail(422, "description must be a string")),
    };
    let scoped = match v.get("scoped_identity_id") {
        None | Some(Value::Null) => {
            return Err(Reply::detail(403, "An admin-scoped API key may only create identity-scoped keys"));
        }
        Some(Value::String(id)) => id.to_ascii_lowercase(),
        Some(_) => return Err(Reply::detail(422, "scoped_identity_id must be a UUID string")),
    };
    let org_id = ctx.caller.org_id().unwrap_or_default().to_owned();
    if !s.identities.iter().any(|i| i.id == scoped && i.organization_id == org_id) {
        return Err(Reply::not_found("Identity"));
    }
    let creator = ctx.caller.key_id().and_then(|k| s.api_keys.iter().find(|r| r.record.id == k));
    let created_by = creator.and_then(|c| c.record.created_by.clone());
    let now = ctx.clock.timestamp();
    let secret = format!("ApiKey_{}", random_hex(24));
    let record = ApiKey {
        id: format!("ApiKey_{}", uuid4()),
        organization_id: org_id,
        created_by,
        creator_type: Some(CreatorType::Human),
        scoped_identity_id: Some(scoped),
        label: label.to_owned(),
        description,
        status: ApiKeyStatus::Active,
        last4: Some(last4(&secret)),
        display_prefix: Some("ApiKey_".into()),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
        created_at: now,
        updated_at: now,
    };
    let out = CreatedApiKey { api_key: secret.clone(), record: record.clone() };
    s.api_keys.push(ApiKeyRec { secret, record });
    Ok(Reply::model(201, &out))
}

// --------------------------------------------------------- signing keys

fn create_org_signing_key(s: &mut State, ctx: &Ctx) -> R {
    let key = new_signing_key(ctx);
    match &ctx.caller {
        // HEAD: an agent key rotates its own identity's key.
        Caller::Agent { identity_id, .. } => identity_mut(s, identity_id)?.signing_key = Some(key.clone()),
        // 0.4.9: the org-level key.
        _ => {
            let org_id = ctx.caller.org_id().unwrap_or_default();
            let org = s.orgs.iter_mut().find(|o| o.id == org_id).ok_or_else(|| Reply::not_found("Organization"))?;
            org.signing_key = Some(key.clone());
        }
    }
    Ok(signing_key_reply(&key))
}

fn org_signing_key_status(s: &mut State, ctx: &Ctx) -> R {
    match &ctx.caller {
        Caller::Agent { identity_id, .. } => {
            let i = s.identity_by_id(identity_id).ok_or_else(|| Reply::not_found("Identity"))?;
            Ok(signing_status(i.signing_key.as_ref()))
        }
        _ => {
            let org_id = ctx.caller.org_id().unwrap_or_default();
            let org_key = s.orgs.iter().find(|o| o.id == org_id).and_then(|o| o.signing_key.as_ref());
            let any = org_key.or_else(|| {
                s.identities.iter().filter(|i| i.organization_id == org_id).find_map(|i| i.signing_key.as_ref())
            });
            Ok(signing_status(any))
        }
    }
}

fn create_identity_signing_key(s: &mut State, ctx: &Ctx) -> R {
    let id = own_identity(s, ctx)?;
    let key = new_signing_key(ctx);
    identity_mut(s, &id)?.signing_key = Some(key.clone());
    Ok(signing_key_reply(&key))
}

fn identity_signing_key_status(s: &mut State, ctx: &Ctx) -> R {
    let i = visible_identity(s, ctx)?;
    Ok(signing_status(i.signing_key.as_ref()))
}

// ------------------------------------------------------------ identities

fn create_identity(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let req: CreateIdentityRequest = ctx.parse()?;
    let handle = validate::normalize_handle(&req.agent_handle);
    check_handle(&handle)?;
    if let Some(m) = &req.mailbox {
        if let Some(local) = &m.email_local_part
            && validate::normalize_handle(local) != handle
        {
            return Err(Reply::detail(422, "On the platform domain the mailbox local part must equal the handle"));
        }
        if let Patch::Set(d) = &m.sending_domain
            && !d.eq_ignore_ascii_case(MAIL_DOMAIN)
        {
            return Err(Reply::detail(422, &format!("Sending domain '{d}' is not a verified domain of this org")));
        }
    }
    let tls_mode = req.tunnel.as_ref().map(|t| t.tls_mode.clone()).unwrap_or_default();
    if !tls_mode.is_known() {
        return Err(Reply::detail(422, "tunnel.tls_mode must be 'edge' or 'passthrough'"));
    }
    if let Some(p) = &req.phone_number {
        if p.r#type != PhoneNumberType::Local {
            return Err(Reply::detail(422, "phone_number.type: only 'local' numbers can be provisioned"));
        }
        if !p.incoming_call_action.is_known() {
            return Err(Reply::detail(422, "phone_number.incoming_call_action is not a known action"));
        }
        p.validate().map_err(|e| Reply::detail(422, &e.to_string()))?;
    }
    if let Some(r) = handle_unavailable(s, &handle, None) {
        return Err(r);
    }
    let org_id = ctx.caller.org_id().unwrap_or_default().to_owned();
    let secret_ids = match &req.vault_secret_ids {
        Some(ids) => vault::secrets_for_new_identity(s, &org_id, ids)?,
        None => Vec::new(),
    };
    let now = ctx.clock.timestamp();
    let id = uuid4();
    let mailbox = new_mailbox(&handle, &id, now);
    let tunnel = new_tunnel(&org_id, &handle, &id, tls_mode, now);
    let (sms_status, sms_ready_at) = phone::sms_readiness(ctx.clock, s.phone_config.inline_sms_ready_delay_secs);
    let phone = req.phone_number.as_ref().map(|p| PhoneNumber {
        id: uuid4(),
        number: fresh_number(s),
        r#type: PhoneNumberType::Local,
        status: PhoneNumberStatus::Active,
        sms_status: sms_status.clone(),
        sms_error_code: None,
        sms_error_detail: None,
        sms_ready_at: Some(sms_ready_at),
        incoming_call_action: p.incoming_call_action.clone(),
        client_websocket_url: p.client_websocket_url.clone(),
        incoming_call_webhook_url: p.incoming_call_webhook_url.clone(),
        filter_mode: FilterMode::Blacklist,
        state: p.state.clone(),
        agent_identity_id: Some(id.clone()),
        filter_mode_change_notice: None,
        created_at: now,
        updated_at: now,
    });
    let rec = IdentityRec {
        id,
        organization_id: org_id.clone(),
        agent_handle: handle.clone(),
        display_name: Some(req.display_name.clone().unwrap_or_else(|| handle.clone())),
        description: req.description.as_set().cloned(),
        imessage_enabled: req.imessage_enabled.unwrap_or(false),
        imessage_filter_mode: FilterMode::Blacklist,
        status: IdentityStatus::Active,
        created_at: now,
        updated_at: now,
        mailbox_id: mailbox.id.clone(),
        tunnel_id: tunnel.id.clone(),
        phone_number_id: phone.as_ref().map(|p| p.id.clone()),
        signing_key: None,
    };
    s.mailboxes.push(MailboxRec { mailbox, organization_id: org_id, deleted: false });
    s.tunnels.push(tunnel);
    if let Some(p) = phone {
        s.phone_numbers.push(p);
    }
    let out = full_identity(s, &rec, ctx.clock);
    vault::grant_new_identity(s, &rec.id, secret_ids, now);
    s.identities.push(rec);
    Ok(Reply::model(201, &out))
}

/// An unused `+1555…` number.
/// The platform-domain mailbox created with identity `identity_id`.
pub(crate) fn new_mailbox(handle: &str, identity_id: &str, now: Timestamp) -> Mailbox {
    Mailbox {
        id: uuid4(),
        email_address: format!("{handle}@{MAIL_DOMAIN}"),
        sending_domain: Some(MAIL_DOMAIN.into()),
        filter_mode: FilterMode::Blacklist,
        agent_identity_id: Some(identity_id.to_owned()),
        filter_mode_change_notice: None,
        created_at: now,
        updated_at: now,
    }
}

/// The tunnel created with identity `identity_id` (passthrough tunnels await
/// their certificate).
pub(crate) fn new_tunnel(org_id: &str, handle: &str, identity_id: &str, tls_mode: TlsMode, now: Timestamp) -> Tunnel {
    Tunnel {
        id: uuid4(),
        organization_id: org_id.to_owned(),
        tunnel_name: handle.to_owned(),
        status: if tls_mode == TlsMode::Passthrough { TunnelStatus::AwaitingCert } else { TunnelStatus::Active },
        tls_mode,
        cert_pem: None,
        cert_fingerprint_sha256: None,
        cert_expires_at: None,
        last_connected_at: None,
        last_connected_ip_addr: None,
        currently_connected: false,
        public_host: crate::dataplane::public_host(handle),
        zone: crate::dataplane::zone(),
        metadata: serde_json::Map::new(),
        created_at: now,
        updated_at: now,
        agent_identity_id: Some(identity_id.to_owned()),
        last_disconnected_at: None,
    }
}

pub(crate) fn fresh_number(s: &State) -> String {
    loop {
        let n = format!("+1555{}", random_digits(7));
        if !s.phone_numbers.iter().any(|p| p.number == n) {
            return n;
        }
    }
}

fn list_identities(s: &mut State, ctx: &Ctx) -> R {
    let list: Vec<AgentIdentitySummary> =
        s.identities.iter().filter(|i| can_see(s, &ctx.caller, i)).map(|i| summary(s, i, ctx.clock)).collect();
    Ok(Reply::model(200, &list))
}

fn get_identity(s: &mut State, ctx: &Ctx) -> R {
    let i = visible_identity(s, ctx)?;
    Ok(Reply::model(200, &full_identity(s, i, ctx.clock)))
}

fn update_identity(s: &mut State, ctx: &Ctx) -> R {
    let id = own_identity(s, ctx)?;
    let req: UpdateIdentityRequest = ctx.parse()?;
    if req.imessage_filter_mode.is_some() && !ctx.caller.is_admin() {
        return Err(Reply::detail(403, "imessage_filter_mode can only be changed with an admin-scoped API key"));
    }
    if let Some(m) = &req.imessage_filter_mode
        && !m.is_known()
    {
        return Err(Reply::detail(422, "imessage_filter_mode must be 'whitelist' or 'blacklist'"));
    }
    match &req.status {
        Some(IdentityStatus::Active | IdentityStatus::Paused) | None => {}
        Some(_) => return Err(Reply::detail(422, "status must be 'active' or 'paused' (use DELETE to delete)")),
    }
    let current = s.identity_by_id(&id).ok_or_else(|| Reply::not_found("Identity"))?.clone();
    let new_handle = req.agent_handle.as_deref().map(validate::normalize_handle).filter(|h| *h != current.agent_handle);
    if let Some(h) = &new_handle {
        check_handle(h)?;
        let on_platform = s.mailbox(&current.mailbox_id).is_some_and(|m| m.mailbox.domain() == MAIL_DOMAIN);
        if on_platform {
            return Err(Reply::error(
                409,
                "handle_rename_blocked",
                "Identities whose mailbox is on the platform domain cannot be renamed",
                json!({ "blocking_namespace": "mail" }),
            ));
        }
        if let Some(r) = handle_unavailable(s, h, Some(&id)) {
            return Err(r);
        }
    }
    let now = ctx.clock.timestamp();
    if let Some(h) = &new_handle
        && let Some(t) = s.tunnels.iter_mut().find(|t| t.id == current.tunnel_id)
    {
        t.tunnel_name = h.clone();
        t.public_host = crate::dataplane::public_host(h);
        t.updated_at = now;
    }
    let rec = identity_mut(s, &id)?;
    if let Some(h) = new_handle {
        rec.agent_handle = h;
    }
    match req.display_name {
        Patch::Keep => {}
        Patch::Clear => rec.display_name = None,
        Patch::Set(v) => rec.display_name = Some(v),
    }
    match req.description {
        Patch::Keep => {}
        Patch::Clear => rec.description = None,
        Patch::Set(v) => rec.description = Some(v),
    }
    if let Some(v) = req.imessage_enabled {
        rec.imessage_enabled = v;
    }
    if let Some(m) = req.imessage_filter_mode {
        rec.imessage_filter_mode = m;
    }
    if let Some(st) = req.status {
        rec.status = st;
    }
    rec.updated_at = now;
    let rec = rec.clone();
    // The full identity with its channels (a superset of the summary): 0.5.14's
    // `AgentIdentity.update` replaces its cached mailbox, phone number and tunnel
    // from this body; 0.4.9 and core read the summary fields of it.
    Ok(Reply::model(200, &full_identity(s, &rec, ctx.clock)))
}

fn delete_identity(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let id = visible_identity(s, ctx)?.id.clone();
    let now = ctx.clock.timestamp();
    let Some(pos) = s.identities.iter().position(|i| i.id == id) else { return Err(Reply::not_found("Identity")) };
    let rec = s.identities.remove(pos);
    for m in s.mailboxes.iter_mut().filter(|m| m.mailbox.id == rec.mailbox_id) {
        m.deleted = true;
        m.mailbox.updated_at = now;
    }
    for t in s.tunnels.iter_mut().filter(|t| t.id == rec.tunnel_id) {
        t.status = TunnelStatus::Deleted;
        t.currently_connected = false;
        t.updated_at = now;
    }
    let numbers: Vec<String> = s
        .phone_numbers
        .iter()
        .filter(|p| p.agent_identity_id.as_deref() == Some(id.as_str()))
        .map(|p| p.id.clone())
        .collect();
    for p in numbers {
        phone::release_number(s, &p, now);
    }
    for k in s.api_keys.iter_mut().filter(|k| k.record.scoped_identity_id.as_deref() == Some(id.as_str())) {
        if k.record.status == ApiKeyStatus::Active {
            k.record.status = ApiKeyStatus::Revoked;
            k.record.revoked_at = Some(now);
            k.record.updated_at = now;
        }
    }
    s.access.retain(|a| a.target_identity_id != id && a.viewer_identity_id.as_deref() != Some(id.as_str()));
    Ok(Reply::empty(204))
}

fn release_phone(s: &mut State, ctx: &Ctx) -> R {
    let id = own_identity(s, ctx)?;
    let rec = identity_mut(s, &id)?;
    let pid = rec.phone_number_id.clone().ok_or_else(|| Reply::detail(404, "Identity has no phone number"))?;
    phone::release_number(s, &pid, ctx.clock.timestamp());
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------- visibility

fn list_access(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let target = visible_identity(s, ctx)?.id.clone();
    let rows: Vec<&IdentityAccess> = s.access.iter().filter(|a| a.target_identity_id == target).collect();
    Ok(Reply::model(200, &rows))
}

fn grant_access(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let target = visible_identity(s, ctx)?.clone();
    let req: GrantIdentityAccessRequest = ctx.parse()?;
    let now = ctx.clock.timestamp();
    let row = |viewer: Option<String>| IdentityAccess {
        id: uuid4(),
        target_identity_id: target.id.clone(),
        viewer_identity_id: viewer,
        created_at: now,
    };
    let Some(viewer) = req.viewer_identity_id.map(|v| v.to_ascii_lowercase()) else {
        s.access.retain(|a| a.target_identity_id != target.id);
        let r = row(None);
        s.access.push(r.clone());
        return Ok(Reply::model(201, &r));
    };
    if viewer == target.id {
        return Err(Reply::detail(422, "An identity cannot be granted visibility of itself"));
    }
    if !s.identities.iter().any(|i| i.id == viewer && i.organization_id == target.organization_id) {
        return Err(Reply::not_found("Viewer identity"));
    }
    let rows: Vec<&IdentityAccess> = s.access.iter().filter(|a| a.target_identity_id == target.id).collect();
    if rows.iter().any(|a| a.viewer_identity_id.is_none()) {
        return Err(Reply::json(
            409,
            json!({ "detail": { "error": "redundant_grant",
                "detail": "The target is already visible to every identity (wildcard grant)" } }),
        ));
    }
    if rows.iter().any(|a| a.viewer_identity_id.as_deref() == Some(viewer.as_str())) {
        return Err(Reply::detail(409, "The viewer already has access to this identity"));
    }
    let r = row(Some(viewer));
    s.access.push(r.clone());
    Ok(Reply::model(201, &r))
}

fn revoke_access(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let target = visible_identity(s, ctx)?.clone();
    let viewer = ctx.param(1).to_ascii_lowercase();
    let now = ctx.clock.timestamp();
    let wildcard = s.access.iter().any(|a| a.target_identity_id == target.id && a.viewer_identity_id.is_none());
    if wildcard {
        let others: Vec<String> = s
            .identities
            .iter()
            .filter(|i| {
                i.organization_id == target.organization_id && i.id != target.id && i.status == IdentityStatus::Active
            })
            .map(|i| i.id.clone())
            .collect();
        if !others.contains(&viewer) {
            return Err(Reply::not_found("Grant"));
        }
        s.access.retain(|a| a.target_identity_id != target.id);
        for o in others.into_iter().filter(|o| *o != viewer) {
            s.access.push(IdentityAccess {
                id: uuid4(),
                target_identity_id: target.id.clone(),
                viewer_identity_id: Some(o),
                created_at: now,
            });
        }
        return Ok(Reply::empty(204));
    }
    let before = s.access.len();
    s.access.retain(|a| !(a.target_identity_id == target.id && a.viewer_identity_id.as_deref() == Some(&viewer)));
    if s.access.len() == before {
        return Err(Reply::not_found("Grant"));
    }
    Ok(Reply::empty(204))
}

// ------------------------------------------------------------ mailboxes

pub(crate) fn mailbox_visible(m: &MailboxRec, caller: &Caller) -> bool {
    !m.deleted
        && match caller {
            Caller::Admin { org_id, .. } => &m.organization_id == org_id,
            Caller::Agent { identity_id, .. } => m.mailbox.agent_identity_id.as_deref() == Some(identity_id.as_str()),
            Caller::Anonymous => false,
        }
}

fn list_mailboxes(s: &mut State, ctx: &Ctx) -> R {
    let list: Vec<&Mailbox> =
        s.mailboxes.iter().filter(|m| mailbox_visible(m, &ctx.caller)).map(|m| &m.mailbox).collect();
    Ok(Reply::model(200, &list))
}

fn find_mailbox<'s>(s: &'s mut State, ctx: &Ctx) -> Result<&'s mut MailboxRec, Reply> {
    let email = ctx.param(0).to_ascii_lowercase();
    s.mailboxes
        .iter_mut()
        .find(|m| m.mailbox.email_address == email && mailbox_visible(m, &ctx.caller))
        .ok_or_else(|| Reply::not_found("Mailbox"))
}

fn get_mailbox(s: &mut State, ctx: &Ctx) -> R {
    Ok(Reply::model(200, &find_mailbox(s, ctx)?.mailbox))
}

fn update_mailbox(s: &mut State, ctx: &Ctx) -> R {
    if ctx.json()?.get("display_name").is_some() {
        return Err(Reply::detail(
            422,
            "display_name is not a mailbox field; set it on the agent identity (PATCH /api/v1/identities/{handle})",
        ));
    }
    let req: UpdateMailboxRequest = ctx.parse()?;
    let now = ctx.clock.timestamp();
    let is_admin = ctx.caller.is_admin();
    let mailbox_id = find_mailbox(s, ctx)?.mailbox.id.clone();
    let counts = [RuleAction::Block, RuleAction::Allow].map(|a| crate::rules::mail_active_count(s, &mailbox_id, &a));
    let m = find_mailbox(s, ctx)?;
    let mut notice = None;
    if let Some(mode) = req.filter_mode {
        if !is_admin {
            return Err(Reply::detail(403, "filter_mode can only be changed with an admin-scoped API key"));
        }
        let redundant = match mode {
            FilterMode::Whitelist => RuleAction::Block,
            FilterMode::Blacklist => RuleAction::Allow,
            FilterMode::Unknown(_) => return Err(Reply::detail(422, "filter_mode must be 'whitelist' or 'blacklist'")),
        };
        if mode != m.mailbox.filter_mode {
            let redundant_rule_count = if redundant == RuleAction::Block { counts[0] } else { counts[1] };
            notice = Some(FilterModeChangeNotice {
                new_filter_mode: mode.clone(),
                redundant_rule_action: redundant,
                redundant_rule_count,
            });
            m.mailbox.filter_mode = mode;
            m.mailbox.updated_at = now;
        }
    }
    let mut out = m.mailbox.clone();
    out.filter_mode_change_notice = notice;
    Ok(Reply::model(200, &out))
}

// -------------------------------------------------------------- tunnels

pub(crate) fn tunnel_visible(t: &Tunnel, caller: &Caller) -> bool {
    t.status != TunnelStatus::Deleted
        && match caller {
            Caller::Admin { org_id, .. } => &t.organization_id == org_id,
            Caller::Agent { identity_id, .. } => t.agent_identity_id.as_deref() == Some(identity_id.as_str()),
            Caller::Anonymous => false,
        }
}

fn list_tunnels(s: &mut State, ctx: &Ctx) -> R {
    let list: Vec<&Tunnel> = s.tunnels.iter().filter(|t| tunnel_visible(t, &ctx.caller)).collect();
    Ok(Reply::model(200, &list))
}

fn get_tunnel(s: &mut State, ctx: &Ctx) -> R {
    let id = ctx.param(0).to_ascii_lowercase();
    let t = s.tunnels.iter().find(|t| t.id == id && tunnel_visible(t, &ctx.caller));
    Ok(Reply::model(200, t.ok_or_else(|| Reply::not_found("Tunnel"))?))
}
