//! Mail contact rules (per mailbox) and phone contact rules (per number),
//! with their org-wide lists, and how they and the channel's `filter_mode`
//! decide whether inbound traffic is blocked. Same shape and status codes as
//! the iMessage rules: 201 on create (always `active`), 409
//! `{"existing_rule_id", "message"}` for a duplicate `(match_type,
//! match_target)` on the same mailbox or number, update and delete
//! admin-only, the org-wide lists admin-only.

use inkbox_core::api::common::{ContactRuleStatus, FilterMode, RuleAction};
use inkbox_core::api::mail::{
    CreateMailContactRuleRequest, MailContactRule, MailRuleMatchType, UpdateMailContactRuleRequest,
};
use inkbox_core::api::phone::{
    CreatePhoneContactRuleRequest, DEFAULT_LIMIT, MAX_LIMIT, PhoneContactRule, PhoneRuleMatchType,
    UpdatePhoneContactRuleRequest,
};
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::validate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::{Ctx, Reply, unprocessable};
use crate::handlers::{R, admin_only, mailbox_visible};
use crate::phone::{number_org, number_visible};
use crate::state::State;
use crate::util::uuid4;

/// A mail rule and the organization of its mailbox.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MailRuleRec {
    pub(crate) seq: u64,
    pub(crate) organization_id: String,
    pub(crate) rule: MailContactRule,
}

/// A phone rule and the organization of its number.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PhoneRuleRec {
    pub(crate) seq: u64,
    pub(crate) organization_id: String,
    pub(crate) rule: PhoneContactRule,
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct RulesState {
    #[serde(default)]
    pub(crate) mail: crate::table::Table<MailRuleRec>,
    #[serde(default)]
    pub(crate) phone: crate::table::Table<PhoneRuleRec>,
    #[serde(default)]
    pub(crate) next_seq: u64,
}

impl RulesState {
    fn seq(&mut self) -> u64 {
        self.next_seq = self.next_seq.saturating_add(1);
        self.next_seq
    }
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "mail.contact_rules.list" => mail_list(s, ctx),
        "mail.contact_rules.get" => mail_get(s, ctx),
        "mail.contact_rules.create" => mail_create(s, ctx),
        "mail.contact_rules.update" => mail_update(s, ctx),
        "mail.contact_rules.delete" => mail_delete(s, ctx),
        "mail.org_contact_rules.list" => mail_org_list(s, ctx),
        "phone.contact_rules.list" => phone_list(s, ctx),
        "phone.contact_rules.get" => phone_get(s, ctx),
        "phone.contact_rules.create" => phone_create(s, ctx),
        "phone.contact_rules.update" => phone_update(s, ctx),
        "phone.contact_rules.delete" => phone_delete(s, ctx),
        "phone.org_contact_rules.list" => phone_org_list(s, ctx),
        _ => return None,
    })
}

// -------------------------------------------------------------- shared

fn known<T>(ctx: &Ctx, key: &str, message: &str, from: fn(&str) -> T, ok: fn(&T) -> bool) -> Result<Option<T>, Reply> {
    match ctx.query(key).map(from) {
        None => Ok(None),
        Some(t) if ok(&t) => Ok(Some(t)),
        Some(_) => Err(unprocessable(message)),
    }
}

const ACTION_MSG: &str = "action must be 'allow' or 'block'";
const STATUS_MSG: &str = "status must be 'active' or 'paused'";
const MAIL_MATCH_MSG: &str = "match_type must be 'exact_email' or 'domain'";
const PHONE_MATCH_MSG: &str = "match_type must be 'exact_number'";

fn duplicate(existing: &str, target: &str) -> Reply {
    Reply::json(
        409,
        json!({ "detail": {
            "existing_rule_id": existing,
            "message": format!("A contact rule for {target} already exists"),
        }}),
    )
}

fn page<T: Serialize>(ctx: &Ctx, mut rows: Vec<(Timestamp, u64, &T)>) -> R {
    let (limit, offset) = (ctx.limit(DEFAULT_LIMIT, MAX_LIMIT)?, ctx.offset()?);
    rows.sort_by_key(|(at, seq, _)| (*at, *seq));
    let out: Vec<&T> = rows.into_iter().skip(offset).take(limit).map(|(_, _, r)| r).collect();
    Ok(Reply::model(200, &out))
}

/// Whether an active rule set and a filter mode block traffic: under
/// `whitelist` only an active `allow` match passes; otherwise only an
/// active `block` match stops it. Returns `(blocked, matched_rule_id)`.
fn decide<'r>(mode: &FilterMode, active: impl Iterator<Item = (&'r str, &'r RuleAction)> + Clone) -> Option<String> {
    let find = |a: RuleAction| active.clone().find(|(_, act)| **act == a).map(|(id, _)| id.to_owned());
    match mode {
        FilterMode::Whitelist => match find(RuleAction::Allow) {
            Some(_) => None,
            None => Some(String::new()),
        },
        _ => find(RuleAction::Block),
    }
}

// ---------------------------------------------------------------- mail

fn mailbox_of(s: &State, ctx: &Ctx) -> Result<(String, String), Reply> {
    let email = ctx.param(0).trim().to_ascii_lowercase();
    s.mailboxes
        .iter()
        .find(|m| m.mailbox.email_address == email && mailbox_visible(m, &ctx.caller))
        .map(|m| (m.mailbox.id.clone(), m.organization_id.clone()))
        .ok_or_else(|| Reply::not_found("Mailbox"))
}

fn mail_target(match_type: &MailRuleMatchType, target: &str) -> Result<String, Reply> {
    let t = target.trim().to_ascii_lowercase();
    let ok = match match_type {
        MailRuleMatchType::ExactEmail => {
            t.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')) && !t.contains(char::is_whitespace)
        }
        _ => {
            let d = t.trim_start_matches('@');
            !d.is_empty() && d.contains('.') && !d.contains('@') && !d.contains(char::is_whitespace)
        }
    };
    if !ok {
        return Err(unprocessable(match match_type {
            MailRuleMatchType::ExactEmail => "match_target must be an email address",
            _ => "match_target must be a domain",
        }));
    }
    Ok(t.trim_start_matches('@').to_owned())
}

fn mail_index(s: &State, mailbox: &str, rule_id: &str) -> Result<usize, Reply> {
    let rule_id = rule_id.trim().to_ascii_lowercase();
    s.rules
        .mail
        .iter()
        .position(|r| r.rule.mailbox_id == mailbox && r.rule.id == rule_id)
        .ok_or_else(|| Reply::not_found("Contact rule"))
}

fn mail_rows(s: &State, ctx: &Ctx, keep: impl Fn(&MailRuleRec) -> bool) -> R {
    let action: Option<RuleAction> = known(ctx, "action", ACTION_MSG, RuleAction::from_wire, RuleAction::is_known)?;
    let match_type: Option<MailRuleMatchType> =
        known(ctx, "match_type", MAIL_MATCH_MSG, MailRuleMatchType::from_wire, MailRuleMatchType::is_known)?;
    let rows = s
        .rules
        .mail
        .iter()
        .filter(|r| keep(r))
        .filter(|r| action.as_ref().is_none_or(|a| &r.rule.action == a))
        .filter(|r| match_type.as_ref().is_none_or(|m| &r.rule.match_type == m))
        .map(|r| (r.rule.created_at, r.seq, &r.rule))
        .collect();
    page(ctx, rows)
}

fn mail_list(s: &mut State, ctx: &Ctx) -> R {
    let (mb, _) = mailbox_of(s, ctx)?;
    mail_rows(s, ctx, |r| r.rule.mailbox_id == mb)
}

fn mail_get(s: &mut State, ctx: &Ctx) -> R {
    let (mb, _) = mailbox_of(s, ctx)?;
    let i = mail_index(s, &mb, ctx.param(1))?;
    let r = s.rules.mail.get(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    Ok(Reply::model(200, &r.rule))
}

fn mail_create(s: &mut State, ctx: &Ctx) -> R {
    let (mb, org) = mailbox_of(s, ctx)?;
    let req: CreateMailContactRuleRequest = ctx.parse()?;
    if !req.action.is_known() {
        return Err(unprocessable(ACTION_MSG));
    }
    if !req.match_type.is_known() {
        return Err(unprocessable(MAIL_MATCH_MSG));
    }
    let target = mail_target(&req.match_type, &req.match_target)?;
    if let Some(e) = s
        .rules
        .mail
        .iter()
        .find(|r| r.rule.mailbox_id == mb && r.rule.match_type == req.match_type && r.rule.match_target == target)
    {
        return Err(duplicate(&e.rule.id, &target));
    }
    let now = ctx.clock.timestamp();
    let rule = MailContactRule {
        id: uuid4(),
        mailbox_id: mb,
        action: req.action,
        match_type: req.match_type,
        match_target: target,
        status: ContactRuleStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let seq = s.rules.seq();
    s.rules.mail.push(MailRuleRec { seq, organization_id: org, rule: rule.clone() });
    Ok(Reply::model(201, &rule))
}

fn mail_update(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (mb, _) = mailbox_of(s, ctx)?;
    let i = mail_index(s, &mb, ctx.param(1))?;
    let req: UpdateMailContactRuleRequest = ctx.parse()?;
    if req.action.as_ref().is_some_and(|a| !a.is_known()) {
        return Err(unprocessable(ACTION_MSG));
    }
    if req.status.as_ref().is_some_and(|st| !st.is_known()) {
        return Err(unprocessable(STATUS_MSG));
    }
    let now = ctx.clock.timestamp();
    let r = s.rules.mail.get_mut(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    if req.action.is_some() || req.status.is_some() {
        r.rule.updated_at = now;
    }
    if let Some(a) = req.action {
        r.rule.action = a;
    }
    if let Some(st) = req.status {
        r.rule.status = st;
    }
    Ok(Reply::model(200, &r.rule))
}

fn mail_delete(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (mb, _) = mailbox_of(s, ctx)?;
    let i = mail_index(s, &mb, ctx.param(1))?;
    s.rules.mail.remove(i);
    Ok(Reply::empty(204))
}

fn mail_org_list(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let org = ctx.caller.org_id().unwrap_or_default().to_owned();
    let mailbox = ctx.query("mailbox_id").map(|m| m.trim().to_ascii_lowercase());
    mail_rows(s, ctx, |r| r.organization_id == org && mailbox.as_ref().is_none_or(|m| &r.rule.mailbox_id == m))
}

/// Whether mail from `sender` to mailbox `mailbox_id` is blocked by the
/// mailbox's active rules and filter mode (`Some(matched_rule_id)`, empty
/// when the filter mode's default blocked it).
pub(crate) fn mail_blocked(s: &State, mailbox_id: &str, sender: &str) -> Option<String> {
    let mb = s.mailbox(mailbox_id)?;
    let sender = sender.trim().to_ascii_lowercase();
    let domain = sender.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let active = s.rules.mail.iter().map(|r| &r.rule).filter(move |r| {
        r.mailbox_id == mailbox_id
            && r.status == ContactRuleStatus::Active
            && match r.match_type {
                MailRuleMatchType::ExactEmail => r.match_target == sender,
                MailRuleMatchType::Domain => {
                    domain == r.match_target || domain.ends_with(&format!(".{}", r.match_target))
                }
                MailRuleMatchType::Unknown(_) => false,
            }
    });
    decide(&mb.mailbox.filter_mode, active.map(|r| (r.id.as_str(), &r.action)))
}

/// Active mail rules of a mailbox with `action` (the filter-mode change notice).
pub(crate) fn mail_active_count(s: &State, mailbox_id: &str, action: &RuleAction) -> u64 {
    s.rules
        .mail
        .iter()
        .filter(|r| {
            r.rule.mailbox_id == mailbox_id && r.rule.status == ContactRuleStatus::Active && &r.rule.action == action
        })
        .count() as u64
}

// --------------------------------------------------------------- phone

fn number_of(s: &State, ctx: &Ctx) -> Result<(String, String), Reply> {
    let id = ctx.param(0).trim().to_ascii_lowercase();
    s.phone_numbers
        .iter()
        .find(|p| p.id == id && number_visible(s, p, &ctx.caller))
        .map(|p| (p.id.clone(), number_org(s, p).unwrap_or_default().to_owned()))
        .ok_or_else(|| Reply::not_found("Phone number"))
}

fn phone_index(s: &State, number: &str, rule_id: &str) -> Result<usize, Reply> {
    let rule_id = rule_id.trim().to_ascii_lowercase();
    s.rules
        .phone
        .iter()
        .position(|r| r.rule.phone_number_id == number && r.rule.id == rule_id)
        .ok_or_else(|| Reply::not_found("Contact rule"))
}

fn phone_rows(s: &State, ctx: &Ctx, keep: impl Fn(&PhoneRuleRec) -> bool) -> R {
    let action: Option<RuleAction> = known(ctx, "action", ACTION_MSG, RuleAction::from_wire, RuleAction::is_known)?;
    let match_type: Option<PhoneRuleMatchType> =
        known(ctx, "match_type", PHONE_MATCH_MSG, PhoneRuleMatchType::from_wire, PhoneRuleMatchType::is_known)?;
    let rows = s
        .rules
        .phone
        .iter()
        .filter(|r| keep(r))
        .filter(|r| action.as_ref().is_none_or(|a| &r.rule.action == a))
        .filter(|r| match_type.as_ref().is_none_or(|m| &r.rule.match_type == m))
        .map(|r| (r.rule.created_at, r.seq, &r.rule))
        .collect();
    page(ctx, rows)
}

fn phone_list(s: &mut State, ctx: &Ctx) -> R {
    let (n, _) = number_of(s, ctx)?;
    phone_rows(s, ctx, |r| r.rule.phone_number_id == n)
}

fn phone_get(s: &mut State, ctx: &Ctx) -> R {
    let (n, _) = number_of(s, ctx)?;
    let i = phone_index(s, &n, ctx.param(1))?;
    let r = s.rules.phone.get(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    Ok(Reply::model(200, &r.rule))
}

fn phone_create(s: &mut State, ctx: &Ctx) -> R {
    let (n, org) = number_of(s, ctx)?;
    let req: CreatePhoneContactRuleRequest = ctx.parse()?;
    if !req.action.is_known() {
        return Err(unprocessable(ACTION_MSG));
    }
    if !req.match_type.is_known() {
        return Err(unprocessable(PHONE_MATCH_MSG));
    }
    let target = req.match_target.trim().to_owned();
    validate::e164("match_target", &target).map_err(|e| unprocessable(&e.to_string()))?;
    if let Some(e) =
        s.rules.phone.iter().find(|r| {
            r.rule.phone_number_id == n && r.rule.match_type == req.match_type && r.rule.match_target == target
        })
    {
        return Err(duplicate(&e.rule.id, &target));
    }
    let now = ctx.clock.timestamp();
    let rule = PhoneContactRule {
        id: uuid4(),
        phone_number_id: n,
        action: req.action,
        match_type: req.match_type,
        match_target: target,
        status: ContactRuleStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let seq = s.rules.seq();
    s.rules.phone.push(PhoneRuleRec { seq, organization_id: org, rule: rule.clone() });
    Ok(Reply::model(201, &rule))
}

fn phone_update(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (n, _) = number_of(s, ctx)?;
    let i = phone_index(s, &n, ctx.param(1))?;
    let req: UpdatePhoneContactRuleRequest = ctx.parse()?;
    if req.action.as_ref().is_some_and(|a| !a.is_known()) {
        return Err(unprocessable(ACTION_MSG));
    }
    if req.status.as_ref().is_some_and(|st| !st.is_known()) {
        return Err(unprocessable(STATUS_MSG));
    }
    let now = ctx.clock.timestamp();
    let r = s.rules.phone.get_mut(i).ok_or_else(|| Reply::not_found("Contact rule"))?;
    if req.action.is_some() || req.status.is_some() {
        r.rule.updated_at = now;
    }
    if let Some(a) = req.action {
        r.rule.action = a;
    }
    if let Some(st) = req.status {
        r.rule.status = st;
    }
    Ok(Reply::model(200, &r.rule))
}

fn phone_delete(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let (n, _) = number_of(s, ctx)?;
    let i = phone_index(s, &n, ctx.param(1))?;
    s.rules.phone.remove(i);
    Ok(Reply::empty(204))
}

fn phone_org_list(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let org = ctx.caller.org_id().unwrap_or_default().to_owned();
    let number = ctx.query("phone_number_id").map(|m| m.trim().to_ascii_lowercase());
    phone_rows(s, ctx, |r| r.organization_id == org && number.as_ref().is_none_or(|n| &r.rule.phone_number_id == n))
}

/// Whether traffic (texts and calls) from `remote` to number `number_id` is
/// blocked by the number's active rules and filter mode (`Some(matched_rule_id)`,
/// empty when the filter mode's default blocked it).
pub(crate) fn phone_blocked(s: &State, number_id: &str, remote: &str) -> Option<String> {
    let p = s.phone(number_id)?;
    let remote = remote.trim();
    let active = s.rules.phone.iter().map(|r| &r.rule).filter(move |r| {
        r.phone_number_id == number_id
            && r.status == ContactRuleStatus::Active
            && r.match_type == PhoneRuleMatchType::ExactNumber
            && r.match_target == remote
    });
    decide(&p.filter_mode, active.map(|r| (r.id.as_str(), &r.action)))
}

/// Active phone rules of a number with `action` (the filter-mode change notice).
pub(crate) fn phone_active_count(s: &State, number_id: &str, action: &RuleAction) -> u64 {
    s.rules
        .phone
        .iter()
        .filter(|r| {
            r.rule.phone_number_id == number_id
                && r.rule.status == ContactRuleStatus::Active
                && &r.rule.action == action
        })
        .count() as u64
}
