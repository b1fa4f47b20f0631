//! Contacts (with access grants, lookup and vCard import/export) and notes
//! (with explicit grants), org-scoped. Admin keys see everything of their
//! org; an identity-scoped key sees a contact with the wildcard grant or a
//! grant for its identity, and a note granted to it.

use inkbox_core::api::contacts::{
    Contact, ContactAccess, ContactEmail, ContactImportResult, ContactImportResultItem, ContactPhone, ContactWebsite,
    CreateContactRequest, GrantContactAccessRequest, UpdateContactRequest,
};
use inkbox_core::api::notes::{CreateNoteRequest, GrantNoteAccessRequest, Note, NoteAccess, UpdateNoteRequest};
use inkbox_core::api::patch::Patch;
use inkbox_core::api::validate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::{Caller, Ctx, Reply, unprocessable};
use crate::handlers::{R, admin_only};
use crate::state::State;
use crate::util::uuid4;

/// Contacts and notes of every org.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ContactsState {
    pub(crate) contacts: crate::table::Table<ContactRec>,
    pub(crate) notes: crate::table::Table<NoteRec>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ContactRec {
    pub(crate) organization_id: String,
    pub(crate) contact: Contact,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct NoteRec {
    pub(crate) note: Note,
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "contacts.list" => list(s, ctx),
        "contacts.lookup" => lookup(s, ctx),
        "contacts.get" => get(s, ctx),
        "contacts.create" => create(s, ctx),
        "contacts.update" => update(s, ctx),
        "contacts.delete" => delete(s, ctx),
        "contacts.access.list" => access_list(s, ctx),
        "contacts.access.grant" => access_grant(s, ctx),
        "contacts.access.revoke" => access_revoke(s, ctx),
        "contacts.vcards.import" => import(s, ctx),
        "contacts.vcards.export" => export(s, ctx),
        "notes.list" => notes_list(s, ctx),
        "notes.get" => notes_get(s, ctx),
        "notes.create" => notes_create(s, ctx),
        "notes.update" => notes_update(s, ctx),
        "notes.delete" => notes_delete(s, ctx),
        "notes.access.list" => notes_access_list(s, ctx),
        "notes.access.grant" => notes_access_grant(s, ctx),
        "notes.access.revoke" => notes_access_revoke(s, ctx),
        _ => return None,
    })
}

// ------------------------------------------------------------- visibility

fn org(ctx: &Ctx) -> String {
    ctx.caller.org_id().unwrap_or_default().to_owned()
}

/// May `caller` see `c`?
pub(crate) fn contact_visible(caller: &Caller, org_id: &str, c: &ContactRec) -> bool {
    if c.organization_id != org_id {
        return false;
    }
    match caller {
        Caller::Admin { .. } => true,
        Caller::Agent { identity_id, .. } => {
            c.contact.access.iter().any(|a| a.identity_id.as_ref().is_none_or(|i| i == identity_id))
        }
        Caller::Anonymous => false,
    }
}

fn contact_index(s: &State, ctx: &Ctx, id: &str) -> Result<usize, Reply> {
    let org = org(ctx);
    let id = id.to_ascii_lowercase();
    s.contacts
        .contacts
        .iter()
        .position(|c| c.contact.id == id && contact_visible(&ctx.caller, &org, c))
        .ok_or_else(|| Reply::not_found("Contact"))
}

/// The record at an index found by `position` under the same borrow of the
/// state (a missing one is a 404, never a panic).
fn at<T>(rows: &[T], i: usize) -> Result<&T, Reply> {
    rows.get(i).ok_or_else(|| Reply::not_found("Record"))
}

fn at_mut<T>(rows: &mut [T], i: usize) -> Result<&mut T, Reply> {
    rows.get_mut(i).ok_or_else(|| Reply::not_found("Record"))
}

fn identity_in_org(s: &State, org: &str, id: &str) -> Result<String, Reply> {
    let id = id.to_ascii_lowercase();
    s.identity_by_id(&id)
        .filter(|i| i.organization_id == org)
        .map(|i| i.id.clone())
        .ok_or_else(|| Reply::not_found("Identity"))
}

fn lower_opt(v: &Option<String>) -> String {
    v.as_deref().unwrap_or_default().to_lowercase()
}

fn sort_name(c: &Contact) -> String {
    let name = c
        .preferred_name
        .clone()
        .or_else(|| c.given_name.clone().map(|g| format!("{g} {}", c.family_name.as_deref().unwrap_or_default())))
        .or_else(|| c.company_name.clone())
        .unwrap_or_default();
    name.to_lowercase()
}

/// The display name webhook payloads carry (`data.contacts[].name`).
pub(crate) fn display_name(c: &Contact) -> Option<String> {
    c.preferred_name.clone().or_else(|| {
        let parts: Vec<&str> = [c.given_name.as_deref(), c.family_name.as_deref()].into_iter().flatten().collect();
        if parts.is_empty() { c.company_name.clone() } else { Some(parts.join(" ")) }
    })
}

/// The contacts of `org` visible to identity `viewer` (all of the org's
/// when `None`) that `hit` matches, as `(id, name)` in creation order.
pub(crate) fn matching(
    s: &State,
    org: &str,
    viewer: Option<&str>,
    hit: impl Fn(&Contact) -> bool,
) -> Vec<(String, String)> {
    let caller = match viewer {
        Some(v) => Caller::Agent { org_id: org.to_owned(), key_id: String::new(), identity_id: v.to_owned() },
        None => Caller::Admin { org_id: org.to_owned(), key_id: String::new() },
    };
    s.contacts
        .contacts
        .iter()
        .filter(|c| contact_visible(&caller, org, c) && hit(&c.contact))
        .map(|c| (c.contact.id.clone(), display_name(&c.contact).unwrap_or_default()))
        .collect()
}

/// `data.contacts` of a text or call event: `{id, name}` of every visible
/// contact with phone number `number`.
pub(crate) fn phone_matches(s: &State, org: &str, viewer: Option<&str>, numbers: &[String]) -> Vec<serde_json::Value> {
    let mut out: Vec<serde_json::Value> = Vec::new();
    for n in numbers {
        for (id, name) in matching(s, org, viewer, |c| c.phones.iter().any(|p| p.value_e164 == n.trim())) {
            if !out.iter().any(|v| v["id"] == id.as_str()) {
                out.push(json!({ "id": id, "name": name }));
            }
        }
    }
    out
}

// ------------------------------------------------------------- contacts

fn check_contact(c: &Contact) -> Result<(), Reply> {
    let bad = |m: &str| Err(unprocessable(m));
    if let Some(b) = &c.birthday
        && inkbox_core::api::contacts::check_date("birthday", b).is_err()
    {
        return bad("birthday must be a date YYYY-MM-DD");
    }
    for p in &c.phones {
        if validate::e164("value_e164", &p.value_e164).is_err() {
            return bad("phones[].value_e164 must be an E.164 number");
        }
    }
    for e in &c.emails {
        if !e.value.contains('@') {
            return bad("emails[].value must be an email address");
        }
    }
    Ok(())
}

fn list(s: &mut State, ctx: &Ctx) -> R {
    let org = org(ctx);
    let q = ctx.query("q").map(str::to_lowercase);
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(unprocessable("q must be at most 100 characters"));
    }
    let (limit, offset) = (ctx.limit(50, 500)?, ctx.offset()?);
    let mut rows: Vec<&Contact> = s
        .contacts
        .contacts
        .iter()
        .filter(|c| contact_visible(&ctx.caller, &org, c))
        .map(|c| &c.contact)
        .filter(|c| {
            q.as_ref().is_none_or(|q| {
                [&c.preferred_name, &c.given_name, &c.family_name, &c.company_name, &c.job_title, &c.notes]
                    .iter()
                    .any(|f| lower_opt(f).contains(q.as_str()))
            })
        })
        .collect();
    match ctx.query("order") {
        None | Some("name") => rows.sort_by_key(|c| sort_name(c)),
        Some("recent") => rows.sort_by_key(|r| core::cmp::Reverse(r.updated_at)),
        Some(_) => return Err(unprocessable("order must be 'name' or 'recent'")),
    }
    let page: Vec<&Contact> = rows.into_iter().skip(offset).take(limit).collect();
    Ok(Reply::model(200, &page))
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn lookup(s: &mut State, ctx: &Ctx) -> R {
    let keys = ["email", "email_contains", "email_domain", "phone", "phone_contains"];
    let given: Vec<(&str, String)> = keys.iter().filter_map(|k| ctx.query(k).map(|v| (*k, v.to_lowercase()))).collect();
    let [(key, value)] = given.as_slice() else {
        return Err(unprocessable(
            "exactly one of email, email_contains, email_domain, phone, phone_contains is required",
        ));
    };
    let org = org(ctx);
    let hit = |c: &Contact| -> bool {
        let emails = || c.emails.iter().map(|e| e.value.to_lowercase());
        match *key {
            "email" => emails().any(|e| &e == value),
            "email_contains" => emails().any(|e| e.contains(value.as_str())),
            "email_domain" => {
                emails().any(|e| e.rsplit_once('@').is_some_and(|(_, d)| d == value.trim_start_matches('@')))
            }
            "phone" => c.phones.iter().any(|p| &p.value_e164 == value),
            _ => {
                let d = digits(value);
                !d.is_empty() && c.phones.iter().any(|p| digits(&p.value_e164).contains(&d))
            }
        }
    };
    let rows: Vec<&Contact> = s
        .contacts
        .contacts
        .iter()
        .filter(|c| contact_visible(&ctx.caller, &org, c))
        .map(|c| &c.contact)
        .filter(|c| hit(c))
        .collect();
    Ok(Reply::model(200, &rows))
}

fn get(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    Ok(Reply::model(200, &at(&s.contacts.contacts, i)?.contact))
}

fn wildcard(contact_id: &str, now: inkbox_core::api::time::Timestamp) -> ContactAccess {
    ContactAccess { id: uuid4(), contact_id: contact_id.to_owned(), identity_id: None, created_at: now }
}

/// Stores a new contact of `org` (create and vCard import).
fn insert(
    s: &mut State,
    org: &str,
    req: CreateContactRequest,
    now: inkbox_core::api::time::Timestamp,
) -> Result<Contact, Reply> {
    let id = uuid4();
    let access = match &req.access_identity_ids {
        Patch::Keep | Patch::Clear => vec![wildcard(&id, now)],
        Patch::Set(ids) => {
            if ids.len() > 500 {
                return Err(unprocessable("access_identity_ids: at most 500 identities"));
            }
            let mut out: Vec<ContactAccess> = Vec::new();
            for raw in ids {
                let ident =
                    identity_in_org(s, org, raw).map_err(|_| unprocessable(&format!("unknown identity {raw}")))?;
                if !out.iter().any(|a| a.identity_id.as_deref() == Some(ident.as_str())) {
                    out.push(ContactAccess {
                        id: uuid4(),
                        contact_id: id.clone(),
                        identity_id: Some(ident),
                        created_at: now,
                    });
                }
            }
            out
        }
    };
    let contact = Contact {
        id,
        organization_id: Some(org.to_owned()),
        preferred_name: req.preferred_name,
        name_prefix: req.name_prefix,
        given_name: req.given_name,
        middle_name: req.middle_name,
        family_name: req.family_name,
        name_suffix: req.name_suffix,
        company_name: req.company_name,
        job_title: req.job_title,
        birthday: req.birthday,
        notes: req.notes,
        emails: req.emails.unwrap_or_default(),
        phones: req.phones.unwrap_or_default(),
        websites: req.websites.unwrap_or_default(),
        dates: req.dates.unwrap_or_default(),
        addresses: req.addresses.unwrap_or_default(),
        custom_fields: req.custom_fields.unwrap_or_default(),
        access,
        status: Some("active".into()),
        created_at: now,
        updated_at: now,
    };
    check_contact(&contact)?;
    s.contacts.contacts.push(ContactRec { organization_id: org.to_owned(), contact: contact.clone() });
    Ok(contact)
}

fn create(s: &mut State, ctx: &Ctx) -> R {
    let req: CreateContactRequest = ctx.parse()?;
    let org = org(ctx);
    let now = ctx.clock.timestamp();
    let contact = insert(s, &org, req, now)?;
    Ok(Reply::model(201, &contact))
}

fn patch<T>(field: &mut Option<T>, p: Patch<T>) {
    match p {
        Patch::Keep => {}
        Patch::Clear => *field = None,
        Patch::Set(v) => *field = Some(v),
    }
}

fn patch_list<T>(field: &mut Vec<T>, p: Patch<Vec<T>>) {
    match p {
        Patch::Keep => {}
        Patch::Clear => field.clear(),
        Patch::Set(v) => *field = v,
    }
}

fn update(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    let req: UpdateContactRequest = ctx.parse()?;
    let mut c = at(&s.contacts.contacts, i)?.contact.clone();
    patch(&mut c.preferred_name, req.preferred_name);
    patch(&mut c.name_prefix, req.name_prefix);
    patch(&mut c.given_name, req.given_name);
    patch(&mut c.middle_name, req.middle_name);
    patch(&mut c.family_name, req.family_name);
    patch(&mut c.name_suffix, req.name_suffix);
    patch(&mut c.company_name, req.company_name);
    patch(&mut c.job_title, req.job_title);
    patch(&mut c.birthday, req.birthday);
    patch(&mut c.notes, req.notes);
    patch_list(&mut c.emails, req.emails);
    patch_list(&mut c.phones, req.phones);
    patch_list(&mut c.websites, req.websites);
    patch_list(&mut c.dates, req.dates);
    patch_list(&mut c.addresses, req.addresses);
    patch_list(&mut c.custom_fields, req.custom_fields);
    check_contact(&c)?;
    c.updated_at = ctx.clock.timestamp();
    at_mut(&mut s.contacts.contacts, i)?.contact = c.clone();
    Ok(Reply::model(200, &c))
}

fn delete(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    s.contacts.contacts.remove(i);
    Ok(Reply::empty(204))
}

fn access_list(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    Ok(Reply::model(200, &at(&s.contacts.contacts, i)?.contact.access))
}

fn redundant(message: &str) -> Reply {
    Reply::json(409, json!({ "detail": { "error": "redundant_grant", "detail": message } }))
}

fn access_grant(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let i = contact_index(s, ctx, ctx.param(0))?;
    let req: GrantContactAccessRequest = ctx.parse()?;
    let now = ctx.clock.timestamp();
    let org = org(ctx);
    let identity = req.identity_id.as_deref().map(|id| identity_in_org(s, &org, id)).transpose()?;
    let c = &mut at_mut(&mut s.contacts.contacts, i)?.contact;
    let has_wildcard = c.access.iter().any(|a| a.identity_id.is_none());
    let grant = match identity {
        None => {
            if has_wildcard {
                return Err(redundant("The contact already has the wildcard grant"));
            }
            c.access.clear();
            wildcard(&c.id, now)
        }
        Some(id) => {
            if has_wildcard {
                return Err(redundant("Every identity already sees this contact (wildcard grant)"));
            }
            if c.access.iter().any(|a| a.identity_id.as_deref() == Some(id.as_str())) {
                return Err(redundant("The identity already has access to this contact"));
            }
            ContactAccess { id: uuid4(), contact_id: c.id.clone(), identity_id: Some(id), created_at: now }
        }
    };
    c.access.push(grant.clone());
    Ok(Reply::model(201, &grant))
}

fn access_revoke(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    let target = ctx.param(1).to_ascii_lowercase();
    if let Caller::Agent { identity_id, .. } = &ctx.caller
        && identity_id != &target
    {
        return Err(Reply::detail(403, "An identity-scoped key may only revoke its own grant"));
    }
    let c = &mut at_mut(&mut s.contacts.contacts, i)?.contact;
    let Some(j) = c.access.iter().position(|a| a.identity_id.as_deref() == Some(target.as_str())) else {
        return Err(Reply::not_found("Access grant"));
    };
    c.access.remove(j);
    Ok(Reply::empty(204))
}

// ------------------------------------------------------------------ vCard

fn unescape(v: &str) -> String {
    v.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n").replace(',', "\\,").replace(';', "\\;")
}

/// One card's lines (unfolded) → a create request, or why not.
fn card_to_request(lines: &[String]) -> Result<CreateContactRequest, String> {
    let mut req = CreateContactRequest::default();
    let mut emails: Vec<ContactEmail> = Vec::new();
    let mut phones: Vec<ContactPhone> = Vec::new();
    let mut websites: Vec<ContactWebsite> = Vec::new();
    for line in lines {
        let Some((head, value)) = line.split_once(':') else { continue };
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or_default().to_ascii_uppercase();
        let label = parts
            .find_map(|p| p.to_ascii_lowercase().strip_prefix("type=").map(str::to_owned))
            .map(|t| t.split(',').next().unwrap_or_default().to_owned());
        let name = name.rsplit('.').next().unwrap_or_default().to_owned();
        match name.as_str() {
            "FN" => req.preferred_name = Some(unescape(value)),
            "N" => {
                let f: Vec<String> = value.split(';').map(unescape).collect();
                let get = |i: usize| f.get(i).filter(|s| !s.is_empty()).cloned();
                req.family_name = get(0);
                req.given_name = get(1);
                req.middle_name = get(2);
                req.name_prefix = get(3);
                req.name_suffix = get(4);
            }
            "ORG" => req.company_name = Some(unescape(value.split(';').next().unwrap_or_default())),
            "TITLE" => req.job_title = Some(unescape(value)),
            "NOTE" => req.notes = Some(unescape(value)),
            "BDAY" => {
                let v = value.trim();
                let v = if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
                    format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..])
                } else {
                    v.to_owned()
                };
                if inkbox_core::api::contacts::check_date("birthday", &v).is_err() {
                    return Err(format!("BDAY {value:?} is not a date"));
                }
                req.birthday = Some(v);
            }
            "EMAIL" => {
                emails.push(ContactEmail { label, value: value.trim().to_owned(), is_primary: emails.is_empty() })
            }
            "TEL" => {
                let v = value.trim().trim_start_matches("tel:");
                let e164: String = v.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                if validate::e164("TEL", &e164).is_err() {
                    return Err(format!("TEL {value:?} is not an E.164 number"));
                }
                phones.push(ContactPhone { label, value_e164: e164, is_primary: phones.is_empty() });
            }
            "URL" => websites.push(ContactWebsite { label, url: value.trim().to_owned() }),
            _ => {}
        }
    }
    if req.preferred_name.is_none() && req.given_name.is_none() && req.family_name.is_none() {
        return Err("the card has no FN or N".into());
    }
    if !emails.is_empty() {
        req.emails = Some(emails);
    }
    if !phones.is_empty() {
        req.phones = Some(phones);
    }
    if !websites.is_empty() {
        req.websites = Some(websites);
    }
    Ok(req)
}

/// Splits a vCard stream into cards of unfolded lines.
fn split_cards(text: &str) -> Vec<Vec<String>> {
    let mut unfolded: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = line.strip_prefix([' ', '\t'])
            && let Some(last) = unfolded.last_mut()
        {
            last.push_str(cont);
            continue;
        }
        unfolded.push(line.to_owned());
    }
    let mut cards = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in unfolded {
        if line.eq_ignore_ascii_case("BEGIN:VCARD") {
            current = Some(Vec::new());
        } else if line.eq_ignore_ascii_case("END:VCARD") {
            if let Some(c) = current.take() {
                cards.push(c);
            }
        } else if let Some(c) = current.as_mut() {
            c.push(line);
        }
    }
    cards
}

fn import(s: &mut State, ctx: &Ctx) -> R {
    if ctx.body.len() > inkbox_core::api::contacts::MAX_VCARD_BYTES {
        return Err(Reply::detail(413, "vCard payload exceeds 5 MiB"));
    }
    let text = std::str::from_utf8(&ctx.body).map_err(|_| unprocessable("the vCard body is not UTF-8"))?;
    let cards = split_cards(text);
    if cards.is_empty() {
        return Err(unprocessable("no vCards found"));
    }
    if cards.len() > 1000 {
        return Err(unprocessable("at most 1000 vCards per import"));
    }
    let org = org(ctx);
    let now = ctx.clock.timestamp();
    let mut results = Vec::new();
    for (index, card) in cards.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let outcome = card_to_request(card).and_then(|req| {
            insert(s, &org, req, now).map_err(|r| {
                r.body
                    .as_ref()
                    .and_then(|b| b["detail"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "invalid card".into())
            })
        });
        results.push(match outcome {
            Ok(contact) => {
                ContactImportResultItem { index, status: "created".into(), contact: Some(contact), error: None }
            }
            Err(e) => ContactImportResultItem { index, status: "error".into(), contact: None, error: Some(e) },
        });
    }
    let created = results.iter().filter(|r| r.contact.is_some()).count();
    let result = ContactImportResult {
        created_count: u32::try_from(created).unwrap_or(u32::MAX),
        error_count: u32::try_from(results.len() - created).unwrap_or(u32::MAX),
        results,
    };
    Ok(Reply::model(200, &result))
}

/// vCard 4.0 of a contact.
pub(crate) fn to_vcard(c: &Contact) -> String {
    let mut out = String::from("BEGIN:VCARD\r\nVERSION:4.0\r\n");
    let fn_name = display_name(c).unwrap_or_default();
    out.push_str(&format!("FN:{}\r\n", escape(&fn_name)));
    let n = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    out.push_str(&format!(
        "N:{};{};{};{};{}\r\n",
        n(&c.family_name),
        n(&c.given_name),
        n(&c.middle_name),
        n(&c.name_prefix),
        n(&c.name_suffix)
    ));
    if let Some(o) = &c.company_name {
        out.push_str(&format!("ORG:{}\r\n", escape(o)));
    }
    if let Some(t) = &c.job_title {
        out.push_str(&format!("TITLE:{}\r\n", escape(t)));
    }
    if let Some(b) = &c.birthday {
        out.push_str(&format!("BDAY:{}\r\n", b.replace('-', "")));
    }
    let typ = |l: &Option<String>| l.as_ref().map(|l| format!(";TYPE={l}")).unwrap_or_default();
    for e in &c.emails {
        out.push_str(&format!("EMAIL{}:{}\r\n", typ(&e.label), e.value));
    }
    for p in &c.phones {
        out.push_str(&format!("TEL{};VALUE=uri:tel:{}\r\n", typ(&p.label), p.value_e164));
    }
    for w in &c.websites {
        out.push_str(&format!("URL{}:{}\r\n", typ(&w.label), w.url));
    }
    if let Some(notes) = &c.notes {
        out.push_str(&format!("NOTE:{}\r\n", escape(notes)));
    }
    out.push_str(&format!("UID:urn:uuid:{}\r\nEND:VCARD\r\n", c.id));
    out
}

fn export(s: &mut State, ctx: &Ctx) -> R {
    let i = contact_index(s, ctx, ctx.param(0))?;
    Ok(Reply::bytes(200, to_vcard(&at(&s.contacts.contacts, i)?.contact).into_bytes(), "text/vcard; charset=utf-8"))
}

// ------------------------------------------------------------------ notes

fn note_visible(caller: &Caller, org_id: &str, n: &Note) -> bool {
    n.organization_id == org_id
        && match caller {
            Caller::Admin { .. } => true,
            Caller::Agent { identity_id, .. } => n.access.iter().any(|a| &a.identity_id == identity_id),
            Caller::Anonymous => false,
        }
}

fn note_index(s: &State, ctx: &Ctx) -> Result<usize, Reply> {
    let org = org(ctx);
    let id = ctx.param(0).to_ascii_lowercase();
    s.contacts
        .notes
        .iter()
        .position(|n| n.note.id == id && note_visible(&ctx.caller, &org, &n.note))
        .ok_or_else(|| Reply::not_found("Note"))
}

fn notes_list(s: &mut State, ctx: &Ctx) -> R {
    let org = org(ctx);
    let q = ctx.query("q").map(str::to_lowercase);
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(unprocessable("q must be at most 200 characters"));
    }
    let identity = ctx.query("identity_id").map(str::to_ascii_lowercase);
    let (limit, offset) = (ctx.limit(50, 200)?, ctx.offset()?);
    let mut rows: Vec<&Note> = s
        .contacts
        .notes
        .iter()
        .map(|n| &n.note)
        .filter(|n| note_visible(&ctx.caller, &org, n))
        .filter(|n| identity.as_ref().is_none_or(|i| n.access.iter().any(|a| &a.identity_id == i)))
        .filter(|n| {
            q.as_ref()
                .is_none_or(|q| n.body.to_lowercase().contains(q.as_str()) || lower_opt(&n.title).contains(q.as_str()))
        })
        .collect();
    match ctx.query("order") {
        None | Some("recent") => rows.sort_by_key(|r| core::cmp::Reverse(r.updated_at)),
        Some("created") => rows.sort_by_key(|r| core::cmp::Reverse(r.created_at)),
        Some(_) => return Err(unprocessable("order must be 'recent' or 'created'")),
    }
    let page: Vec<&Note> = rows.into_iter().skip(offset).take(limit).collect();
    Ok(Reply::model(200, &page))
}

fn notes_get(s: &mut State, ctx: &Ctx) -> R {
    let i = note_index(s, ctx)?;
    Ok(Reply::model(200, &at(&s.contacts.notes, i)?.note))
}

fn notes_create(s: &mut State, ctx: &Ctx) -> R {
    let req: CreateNoteRequest = ctx.parse()?;
    if req.body.is_empty() {
        return Err(unprocessable("body must not be empty"));
    }
    let now = ctx.clock.timestamp();
    let id = uuid4();
    let (created_by, access) = match &ctx.caller {
        // Agent-created notes grant their creator.
        Caller::Agent { identity_id, .. } => (
            identity_id.clone(),
            vec![NoteAccess { id: uuid4(), note_id: id.clone(), identity_id: identity_id.clone(), created_at: now }],
        ),
        other => (other.key_id().unwrap_or_default().to_owned(), Vec::new()),
    };
    let note = Note {
        id,
        organization_id: org(ctx),
        created_by,
        title: req.title,
        body: req.body,
        status: "active".into(),
        created_at: now,
        updated_at: now,
        access,
    };
    s.contacts.notes.push(NoteRec { note: note.clone() });
    Ok(Reply::model(201, &note))
}

fn notes_update(s: &mut State, ctx: &Ctx) -> R {
    let i = note_index(s, ctx)?;
    let req: UpdateNoteRequest = ctx.parse()?;
    let n = &mut at_mut(&mut s.contacts.notes, i)?.note;
    match req.body {
        Patch::Clear => return Err(unprocessable("body cannot be null")),
        Patch::Set(b) if b.is_empty() => return Err(unprocessable("body must not be empty")),
        Patch::Set(b) => n.body = b,
        Patch::Keep => {}
    }
    patch(&mut n.title, req.title);
    n.updated_at = ctx.clock.timestamp();
    Ok(Reply::model(200, &*n))
}

fn notes_delete(s: &mut State, ctx: &Ctx) -> R {
    let i = note_index(s, ctx)?;
    s.contacts.notes.remove(i);
    Ok(Reply::empty(204))
}

fn notes_access_list(s: &mut State, ctx: &Ctx) -> R {
    let i = note_index(s, ctx)?;
    Ok(Reply::model(200, &at(&s.contacts.notes, i)?.note.access))
}

fn notes_access_grant(s: &mut State, ctx: &Ctx) -> R {
    admin_only(ctx)?;
    let i = note_index(s, ctx)?;
    let req: GrantNoteAccessRequest = ctx.parse()?;
    let ident = identity_in_org(s, &org(ctx), &req.identity_id)?;
    let now = ctx.clock.timestamp();
    let n = &mut at_mut(&mut s.contacts.notes, i)?.note;
    if n.access.iter().any(|a| a.identity_id == ident) {
        return Err(Reply::detail(409, "The identity already has access to this note"));
    }
    let grant = NoteAccess { id: uuid4(), note_id: n.id.clone(), identity_id: ident, created_at: now };
    n.access.push(grant.clone());
    Ok(Reply::model(201, &grant))
}

fn notes_access_revoke(s: &mut State, ctx: &Ctx) -> R {
    let i = note_index(s, ctx)?;
    let target = ctx.param(1).to_ascii_lowercase();
    if let Caller::Agent { identity_id, .. } = &ctx.caller
        && identity_id != &target
    {
        return Err(Reply::detail(403, "An identity-scoped key may only revoke its own grant"));
    }
    let n = &mut at_mut(&mut s.contacts.notes, i)?.note;
    let Some(j) = n.access.iter().position(|a| a.identity_id == target) else {
        return Err(Reply::not_found("Access grant"));
    };
    n.access.remove(j);
    Ok(Reply::empty(204))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn vcard_round_trip() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;TYPE=work:ada@example.com\r\nTEL:+1 555 123 4567\r\nNOTE:line1\\nline\r\n 2\r\nBDAY:18151210\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:x@example.com\r\nEND:VCARD\r\n";
        let cards = split_cards(text);
        assert_eq!(cards.len(), 2);
        let req = card_to_request(&cards[0]).unwrap();
        assert_eq!(req.preferred_name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(req.family_name.as_deref(), Some("Lovelace"));
        assert_eq!(req.notes.as_deref(), Some("line1\nline2"));
        assert_eq!(req.birthday.as_deref(), Some("1815-12-10"));
        assert_eq!(req.phones.as_ref().unwrap()[0].value_e164, "+15551234567");
        assert_eq!(req.emails.as_ref().unwrap()[0].label.as_deref(), Some("work"));
        assert!(card_to_request(&cards[1]).is_err());
    }
}
