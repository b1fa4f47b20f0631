//! The organization's contacts book: contacts with their emails, phones,
//! websites, dates, addresses and custom fields, per-identity access grants
//! (a grant without identity is the wildcard: every active identity sees the
//! contact) and vCard import / export (official SDK 0.4.9, `/api/v1/contacts`).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::catalog::Operation;
use super::error::ApiError;
use super::patch::Patch;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/contacts`
    pub const LIST: Operation = Operation::new("contacts.list", Method::Get, "/api/v1/contacts");
    /// `GET /api/v1/contacts/lookup`
    pub const LOOKUP: Operation = Operation::new("contacts.lookup", Method::Get, "/api/v1/contacts/lookup");
    /// `GET /api/v1/contacts/{contact_id}`
    pub const GET: Operation = Operation::new("contacts.get", Method::Get, "/api/v1/contacts/{contact_id}");
    /// `POST /api/v1/contacts`
    pub const CREATE: Operation = Operation::new("contacts.create", Method::Post, "/api/v1/contacts");
    /// `PATCH /api/v1/contacts/{contact_id}`
    pub const UPDATE: Operation = Operation::new("contacts.update", Method::Patch, "/api/v1/contacts/{contact_id}");
    /// `DELETE /api/v1/contacts/{contact_id}`
    pub const DELETE: Operation = Operation::new("contacts.delete", Method::Delete, "/api/v1/contacts/{contact_id}");
    /// `GET /api/v1/contacts/{contact_id}/access`
    pub const ACCESS_LIST: Operation =
        Operation::new("contacts.access.list", Method::Get, "/api/v1/contacts/{contact_id}/access");
    /// `POST /api/v1/contacts/{contact_id}/access`
    pub const ACCESS_GRANT: Operation =
        Operation::new("contacts.access.grant", Method::Post, "/api/v1/contacts/{contact_id}/access");
    /// `DELETE /api/v1/contacts/{contact_id}/access/{identity_id}`
    pub const ACCESS_REVOKE: Operation =
        Operation::new("contacts.access.revoke", Method::Delete, "/api/v1/contacts/{contact_id}/access/{identity_id}");
    /// `POST /api/v1/contacts/import` (a `text/vcard` body)
    pub const VCARDS_IMPORT: Operation =
        Operation::new("contacts.vcards.import", Method::Post, "/api/v1/contacts/import");
    /// `GET /api/v1/contacts/{contact_id}.vcf` (vCard 4.0 text)
    pub const VCARDS_EXPORT: Operation =
        Operation::new("contacts.vcards.export", Method::Get, "/api/v1/contacts/{contact_id}.vcf");
}

/// Every operation of this family (catalog order).
pub const OPERATIONS: &[&Operation] = &[
    &ops::LIST,
    &ops::LOOKUP,
    &ops::GET,
    &ops::CREATE,
    &ops::UPDATE,
    &ops::DELETE,
    &ops::ACCESS_LIST,
    &ops::ACCESS_GRANT,
    &ops::ACCESS_REVOKE,
    &ops::VCARDS_IMPORT,
    &ops::VCARDS_EXPORT,
];

/// Most contacts one list returns.
pub const MAX_LIMIT: u32 = 500;
/// Longest `q` of a list.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most identities a create may grant.
pub const MAX_ACCESS_IDENTITIES: usize = 500;
/// Largest vCard upload (5 MiB).
pub const MAX_VCARD_BYTES: usize = 5 * 1024 * 1024;

// ------------------------------------------------------------------ models

/// An email address on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEmail {
    /// `work`, `home`, … (free text).
    #[serde(default)]
    pub label: Option<String>,
    /// The address.
    pub value: String,
    /// The card's primary address.
    #[serde(default)]
    pub is_primary: bool,
}

/// A phone number on a card (E.164).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPhone {
    /// Free-text label.
    #[serde(default)]
    pub label: Option<String>,
    /// The number, E.164.
    pub value_e164: String,
    /// The card's primary number.
    #[serde(default)]
    pub is_primary: bool,
}

/// A website on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactWebsite {
    /// Free-text label.
    #[serde(default)]
    pub label: Option<String>,
    /// The URL.
    pub url: String,
}

/// A labelled date on a card (anniversary, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDate {
    /// Free-text label.
    #[serde(default)]
    pub label: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// A postal address on a card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactAddress {
    /// Free-text label.
    #[serde(default)]
    pub label: Option<String>,
    /// Street lines.
    #[serde(default)]
    pub street: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Region / state.
    #[serde(default)]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
}

/// A free label/value pair on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCustomField {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// One access grant on a contact; `identity_id: null` is the wildcard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactAccess {
    /// The grant's id.
    pub id: String,
    /// The contact.
    pub contact_id: String,
    /// The identity, or `None` for every active identity.
    #[serde(default)]
    pub identity_id: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A contact of the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The contact's id.
    pub id: String,
    /// The owning organization.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// Name prefix.
    #[serde(default)]
    pub name_prefix: Option<String>,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default)]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub family_name: Option<String>,
    /// Name suffix.
    #[serde(default)]
    pub name_suffix: Option<String>,
    /// Company.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birthday: Option<String>,
    /// Free text.
    #[serde(default)]
    pub notes: Option<String>,
    /// Email addresses.
    #[serde(default)]
    pub emails: Vec<ContactEmail>,
    /// Phone numbers.
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
    /// Websites.
    #[serde(default)]
    pub websites: Vec<ContactWebsite>,
    /// Dates.
    #[serde(default)]
    pub dates: Vec<ContactDate>,
    /// Addresses.
    #[serde(default)]
    pub addresses: Vec<ContactAddress>,
    /// Custom fields.
    #[serde(default)]
    pub custom_fields: Vec<ContactCustomField>,
    /// Access grants.
    #[serde(default)]
    pub access: Vec<ContactAccess>,
    /// `active`, … (kept verbatim).
    #[serde(default)]
    pub status: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// One card's outcome in a vCard import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactImportResultItem {
    /// 0-based position in the upload.
    pub index: u32,
    /// `created` or `error`.
    pub status: String,
    /// The stored contact (`created`).
    #[serde(default)]
    pub contact: Option<Contact>,
    /// Why the card was refused (`error`).
    #[serde(default)]
    pub error: Option<String>,
}

/// The result of a vCard import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactImportResult {
    /// Cards stored.
    pub created_count: u32,
    /// Cards refused.
    pub error_count: u32,
    /// Per-card outcomes, in upload order.
    #[serde(default)]
    pub results: Vec<ContactImportResultItem>,
}

// ------------------------------------------------------------------ inputs

/// Query of `contacts.list`: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListContactsParams {
    /// Case-insensitive substring (≤ 100 characters).
    pub q: Option<String>,
    /// `name` or `recent`.
    pub order: Option<String>,
    /// 1–500.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
}

/// Query of `contacts.lookup`: exactly one field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LookupContactsParams {
    /// Exact email.
    pub email: Option<String>,
    /// Email substring.
    pub email_contains: Option<String>,
    /// Email domain.
    pub email_domain: Option<String>,
    /// Exact phone (E.164).
    pub phone: Option<String>,
    /// Phone digits substring.
    pub phone_contains: Option<String>,
}

/// Body of `contacts.create` (absent fields are not sent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreateContactRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub preferred_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub name_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub name_suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub job_title: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub emails: Option<Vec<ContactEmail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub phones: Option<Vec<ContactPhone>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub websites: Option<Vec<ContactWebsite>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub dates: Option<Vec<ContactDate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub addresses: Option<Vec<ContactAddress>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub custom_fields: Option<Vec<ContactCustomField>>,
    /// Absent: one wildcard grant; `null`: wildcard too; `[]`: no grants;
    /// ids: one grant each (≤ 500).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub access_identity_ids: Patch<Vec<String>>,
}

/// Body of `contacts.update` (JSON merge patch: absent = unchanged, `null` = clear).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)]
pub struct UpdateContactRequest {
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub preferred_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub name_prefix: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub given_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub middle_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub family_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub name_suffix: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub company_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub job_title: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub birthday: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub emails: Patch<Vec<ContactEmail>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub phones: Patch<Vec<ContactPhone>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub websites: Patch<Vec<ContactWebsite>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub dates: Patch<Vec<ContactDate>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub addresses: Patch<Vec<ContactAddress>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub custom_fields: Patch<Vec<ContactCustomField>>,
}

/// Body of `contacts.access.grant`: an identity, or `null` for the wildcard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantContactAccessRequest {
    /// The identity; `None` resets the contact to the wildcard grant.
    #[serde(default)]
    pub identity_id: Option<String>,
}

/// Arguments of `contacts.vcards.import`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportVCardsRequest {
    /// The vCard text (one or more cards).
    pub content: String,
    /// `text/vcard` (default) or `text/x-vcard`.
    #[serde(default)]
    pub content_type: Option<String>,
}

// -------------------------------------------------------------- validation

/// `YYYY-MM-DD` with a month 01–12 and a day 01–31.
pub fn check_date(field: &'static str, value: &str) -> Result<(), ApiError> {
    let b = value.as_bytes();
    let digits = |r: core::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let num = |r: core::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let ok = b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && (1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10));
    if ok { Ok(()) } else { Err(ApiError::validation(field, "must be a date YYYY-MM-DD")) }
}

fn check_phones(phones: &[ContactPhone]) -> Result<(), ApiError> {
    phones.iter().try_for_each(|p| validate::e164("phones.value_e164", &p.value_e164))
}

fn check_emails(emails: &[ContactEmail]) -> Result<(), ApiError> {
    emails.iter().try_for_each(|e| {
        if e.value.contains('@') {
            Ok(())
        } else {
            Err(ApiError::validation("emails.value", "must be an email address"))
        }
    })
}

fn check_dates(dates: &[ContactDate]) -> Result<(), ApiError> {
    dates.iter().try_for_each(|d| check_date("dates.date", &d.date))
}

// ---------------------------------------------------------------- builders

/// Builds `GET /api/v1/contacts` (`q` ≤ 100 characters, `limit` 1–500).
pub fn build_list(params: &ListContactsParams) -> Result<Request, ApiError> {
    if let Some(q) = &params.q {
        validate::char_len("q", q, 0, MAX_QUERY_CHARS)?;
    }
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::LIST, &[])?
        .query_opt("q", params.q.as_deref())
        .query_opt("order", params.order.as_deref())
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .build())
}

/// Parses a contact list (a bare array or `{"items": [...]}`).
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<Contact>, ApiError> {
    parse::list_or_wrapped(&ops::LIST, resp, "items")
}

/// Builds `GET /api/v1/contacts/lookup`: exactly one field must be given.
pub fn build_lookup(params: &LookupContactsParams) -> Result<Request, ApiError> {
    let fields = [
        ("email", params.email.as_deref()),
        ("email_contains", params.email_contains.as_deref()),
        ("email_domain", params.email_domain.as_deref()),
        ("phone", params.phone.as_deref()),
        ("phone_contains", params.phone_contains.as_deref()),
    ];
    let mut given = fields.iter().filter_map(|(k, v)| v.map(|v| (*k, v)));
    let (Some((key, value)), None) = (given.next(), given.next()) else {
        return Err(ApiError::validation(
            "lookup",
            "requires exactly one of: email, email_contains, email_domain, phone, phone_contains",
        ));
    };
    Ok(Request::builder(&ops::LOOKUP, &[])?.query(key, value).build())
}

/// Parses the contacts a lookup found.
pub fn parse_lookup(resp: &Response<'_>) -> Result<Vec<Contact>, ApiError> {
    parse::list_or_wrapped(&ops::LOOKUP, resp, "items")
}

/// Builds `GET /api/v1/contacts/{contact_id}`.
pub fn build_get(contact_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::GET, &[contact_id])?.build())
}

/// Parses one contact.
pub fn parse_get(resp: &Response<'_>) -> Result<Contact, ApiError> {
    parse::json(&ops::GET, resp)
}

/// Builds `POST /api/v1/contacts`. Checks the birthday and dates
/// (`YYYY-MM-DD`), phones (E.164), emails and at most 500 grants.
pub fn build_create(input: &CreateContactRequest) -> Result<Request, ApiError> {
    if let Some(b) = &input.birthday {
        check_date("birthday", b)?;
    }
    check_emails(input.emails.as_deref().unwrap_or_default())?;
    check_phones(input.phones.as_deref().unwrap_or_default())?;
    check_dates(input.dates.as_deref().unwrap_or_default())?;
    if matches!(&input.access_identity_ids, Patch::Set(ids) if ids.len() > MAX_ACCESS_IDENTITIES) {
        return Err(ApiError::validation("access_identity_ids", "at most 500 identities"));
    }
    Ok(Request::builder(&ops::CREATE, &[])?.json(input)?.build())
}

/// Parses the created contact.
pub fn parse_create(resp: &Response<'_>) -> Result<Contact, ApiError> {
    parse::json(&ops::CREATE, resp)
}

/// Builds `PATCH /api/v1/contacts/{contact_id}` (same checks as create).
pub fn build_update(contact_id: &str, input: &UpdateContactRequest) -> Result<Request, ApiError> {
    if let Patch::Set(b) = &input.birthday {
        check_date("birthday", b)?;
    }
    if let Patch::Set(e) = &input.emails {
        check_emails(e)?;
    }
    if let Patch::Set(p) = &input.phones {
        check_phones(p)?;
    }
    if let Patch::Set(d) = &input.dates {
        check_dates(d)?;
    }
    Ok(Request::builder(&ops::UPDATE, &[contact_id])?.json(input)?.build())
}

/// Parses the updated contact.
pub fn parse_update(resp: &Response<'_>) -> Result<Contact, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

/// Builds `DELETE /api/v1/contacts/{contact_id}`.
pub fn build_delete(contact_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::DELETE, &[contact_id])?.build())
}

/// Parses a deletion.
pub fn parse_delete(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::DELETE, resp)
}

/// Builds `GET /api/v1/contacts/{contact_id}/access`.
pub fn build_list_access(contact_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_LIST, &[contact_id])?.build())
}

/// Parses a contact's grants (a bare array or `{"items": [...]}`).
pub fn parse_list_access(resp: &Response<'_>) -> Result<Vec<ContactAccess>, ApiError> {
    parse::list_or_wrapped(&ops::ACCESS_LIST, resp, "items")
}

/// Builds `POST /api/v1/contacts/{contact_id}/access` with
/// `{"identity_id": id | null}` (`None`: the wildcard).
pub fn build_grant_access(contact_id: &str, identity_id: Option<&str>) -> Result<Request, ApiError> {
    if let Some(id) = identity_id {
        validate::non_empty("identity_id", id)?;
    }
    let body = serde_json::json!({ "identity_id": identity_id });
    Ok(Request::builder(&ops::ACCESS_GRANT, &[contact_id])?.json(&body)?.build())
}

/// Parses the created grant (409 `redundant_grant` when it adds nothing).
pub fn parse_grant_access(resp: &Response<'_>) -> Result<ContactAccess, ApiError> {
    parse::json(&ops::ACCESS_GRANT, resp)
}

/// Builds `DELETE /api/v1/contacts/{contact_id}/access/{identity_id}`.
pub fn build_revoke_access(contact_id: &str, identity_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_REVOKE, &[contact_id, identity_id])?.build())
}

/// Parses a revocation.
pub fn parse_revoke_access(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::ACCESS_REVOKE, resp)
}

/// Builds `POST /api/v1/contacts/import` with the vCard text as the body
/// (`text/vcard` or `text/x-vcard`; non-empty, ≤ 5 MiB).
pub fn build_import_vcards(content: &[u8], content_type: Option<&str>) -> Result<Request, ApiError> {
    let ctype = content_type.unwrap_or("text/vcard");
    if !matches!(ctype, "text/vcard" | "text/x-vcard") {
        return Err(ApiError::validation("content_type", "must be text/vcard or text/x-vcard"));
    }
    if content.is_empty() {
        return Err(ApiError::validation("content", "must not be empty"));
    }
    if content.len() > MAX_VCARD_BYTES {
        return Err(ApiError::validation("content", "at most 5 MiB"));
    }
    Ok(Request::builder(&ops::VCARDS_IMPORT, &[])?.raw_body(ctype, content.to_vec()).build())
}

/// Parses the import result.
pub fn parse_import_vcards(resp: &Response<'_>) -> Result<ContactImportResult, ApiError> {
    parse::json(&ops::VCARDS_IMPORT, resp)
}

/// Builds `GET /api/v1/contacts/{contact_id}.vcf` (`Accept: text/vcard`).
pub fn build_export_vcard(contact_id: &str) -> Result<Request, ApiError> {
    let mut r = Request::builder(&ops::VCARDS_EXPORT, &[contact_id])?.build();
    if let Some(h) = r.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("accept")) {
        h.1 = String::from("text/vcard");
    }
    Ok(r)
}

/// Parses the exported card: the body as UTF-8 text.
pub fn parse_export_vcard(resp: &Response<'_>) -> Result<String, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(&ops::VCARDS_EXPORT, resp));
    }
    match core::str::from_utf8(resp.body) {
        Ok(s) => Ok(String::from(s)),
        Err(e) => Err(ApiError::Decode {
            operation: ops::VCARDS_EXPORT.name,
            status: resp.status,
            message: alloc::format!("the vCard is not UTF-8: {e}"),
            body: resp.body.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::{body, ok, status};

    const CID: &str = "5b3c1e2a-9d4f-4a6b-8c7d-1e2f3a4b5c6d";
    const IDENT: &str = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b";
    const CONTACT: &str = r#"{"id":"5b3c1e2a-9d4f-4a6b-8c7d-1e2f3a4b5c6d","organization_id":"org_1","preferred_name":"Ada","given_name":"Ada","family_name":"Lovelace","birthday":"1815-12-10","emails":[{"label":"work","value":"ada@example.com","is_primary":true}],"phones":[{"label":null,"value_e164":"+15551234567"}],"websites":[{"url":"https://ada.example"}],"dates":[{"label":"anniv","date":"1835-07-08"}],"addresses":[{"city":"London","postal":"W1"}],"custom_fields":[{"label":"k","value":"v"}],"access":[{"id":"a1","contact_id":"5b3c1e2a-9d4f-4a6b-8c7d-1e2f3a4b5c6d","identity_id":null,"created_at":"2026-03-09T00:00:00Z"}],"status":"active","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","future":1}"#;

    #[test]
    fn catalog_names_and_paths() {
        for op in OPERATIONS {
            assert!(op.name.starts_with("contacts."), "{}", op.name);
            assert!(op.path.starts_with("/api/v1/contacts"), "{}", op.name);
        }
        assert_eq!(OPERATIONS.len(), 11);
    }

    #[test]
    fn list_query_and_checks() {
        let r = build_list(&ListContactsParams::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/contacts"));
        let p =
            ListContactsParams { q: Some("a b".into()), order: Some("name".into()), limit: Some(5), offset: Some(10) };
        assert_eq!(build_list(&p).unwrap().path_and_query, "/api/v1/contacts?q=a%20b&order=name&limit=5&offset=10");
        let long = ListContactsParams { q: Some("x".repeat(101)), ..Default::default() };
        assert_eq!(build_list(&long).unwrap_err().code(), "api.validation");
        let big = ListContactsParams { limit: Some(501), ..Default::default() };
        assert!(build_list(&big).is_err());
        let wrapped = alloc::format!(r#"{{"items":[{CONTACT}]}}"#);
        let list = parse_list(&ok(&wrapped)).unwrap();
        assert_eq!(list.len(), 1);
        let bare = alloc::format!("[{CONTACT}]");
        assert_eq!(parse_list(&ok(&bare)).unwrap(), list);
        let c = &list[0];
        assert_eq!(c.phones[0].value_e164, "+15551234567");
        assert_eq!(c.addresses[0].postal.as_deref(), Some("W1"));
        assert_eq!(c.access[0].identity_id, None);
        assert_eq!(parse_list(&ok(r#"{"items":[{"id":1}]}"#)).unwrap_err().code(), "api.decode");
    }

    #[test]
    fn lookup_needs_exactly_one_field() {
        let one = LookupContactsParams { email: Some("ada@example.com".into()), ..Default::default() };
        assert_eq!(build_lookup(&one).unwrap().path_and_query, "/api/v1/contacts/lookup?email=ada%40example.com");
        let none = LookupContactsParams::default();
        assert_eq!(build_lookup(&none).unwrap_err().code(), "api.validation");
        let two =
            LookupContactsParams { phone: Some("+1".into()), email_domain: Some("x".into()), ..Default::default() };
        assert!(build_lookup(&two).is_err());
    }

    #[test]
    fn create_update_bodies_and_checks() {
        let input = CreateContactRequest {
            given_name: Some("Ada".into()),
            phones: Some(alloc::vec![ContactPhone {
                label: None,
                value_e164: "+15551234567".into(),
                is_primary: true
            }]),
            ..Default::default()
        };
        let r = build_create(&input).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/contacts"));
        assert_eq!(
            body(&r),
            r#"{"given_name":"Ada","phones":[{"label":null,"value_e164":"+15551234567","is_primary":true}]}"#
        );
        let none = CreateContactRequest { access_identity_ids: Patch::Clear, ..Default::default() };
        assert_eq!(body(&build_create(&none).unwrap()), r#"{"access_identity_ids":null}"#);
        let bad_phone = CreateContactRequest {
            phones: Some(alloc::vec![ContactPhone { label: None, value_e164: "555".into(), is_primary: false }]),
            ..Default::default()
        };
        assert_eq!(build_create(&bad_phone).unwrap_err().code(), "api.validation");
        let bad_date = CreateContactRequest { birthday: Some("1815-13-10".into()), ..Default::default() };
        assert!(build_create(&bad_date).is_err());
        let many = CreateContactRequest {
            access_identity_ids: Patch::Set(alloc::vec![String::from("x"); 501]),
            ..Default::default()
        };
        assert!(build_create(&many).is_err());
        let upd =
            UpdateContactRequest { notes: Patch::Clear, job_title: Patch::Set("CTO".into()), ..Default::default() };
        let r = build_update(CID, &upd).unwrap();
        assert_eq!(r.path_and_query, alloc::format!("/api/v1/contacts/{CID}"));
        assert_eq!(body(&r), r#"{"job_title":"CTO","notes":null}"#);
        let bad = UpdateContactRequest { birthday: Patch::Set("10/12/1815".into()), ..Default::default() };
        assert!(build_update(CID, &bad).is_err());
        assert!(build_get("").is_err());
        let c = parse_get(&ok(CONTACT)).unwrap();
        assert_eq!(c.birthday.as_deref(), Some("1815-12-10"));
        assert_eq!(parse_get(&status(404, r#"{"detail":"Contact not found"}"#)).unwrap_err().code(), "api.not_found");
    }

    #[test]
    fn access_grant_revoke() {
        let r = build_grant_access(CID, Some(IDENT)).unwrap();
        assert_eq!(body(&r), alloc::format!(r#"{{"identity_id":"{IDENT}"}}"#));
        assert_eq!(body(&build_grant_access(CID, None).unwrap()), r#"{"identity_id":null}"#);
        assert!(build_grant_access(CID, Some("")).is_err());
        let r = build_revoke_access(CID, IDENT).unwrap();
        assert_eq!(
            (r.method, r.path_and_query),
            (Method::Delete, alloc::format!("/api/v1/contacts/{CID}/access/{IDENT}"))
        );
        let e = parse_grant_access(&status(409, r#"{"detail":{"error":"redundant_grant","detail":"x"}}"#)).unwrap_err();
        assert_eq!(e.code(), "api.redundant_grant");
        assert!(parse_revoke_access(&status(204, "")).is_ok());
    }

    #[test]
    fn vcards_import_export() {
        let card = b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEND:VCARD\r\n";
        let r = build_import_vcards(card, None).unwrap();
        assert_eq!(r.header("content-type"), Some("text/vcard"));
        assert_eq!(r.body.as_deref(), Some(&card[..]));
        assert!(build_import_vcards(card, Some("application/json")).is_err());
        assert!(build_import_vcards(b"", None).is_err());
        let res = parse_import_vcards(&ok(
            r#"{"created_count":0,"error_count":1,"results":[{"index":0,"status":"error","error":"no FN"}]}"#,
        ))
        .unwrap();
        assert_eq!((res.created_count, res.error_count, res.results[0].error.as_deref()), (0, 1, Some("no FN")));
        let r = build_export_vcard(CID).unwrap();
        assert_eq!(r.path_and_query, alloc::format!("/api/v1/contacts/{CID}.vcf"));
        assert_eq!(r.header("accept"), Some("text/vcard"));
        let text = core::str::from_utf8(card).unwrap();
        assert_eq!(parse_export_vcard(&ok(text)).unwrap(), text);
        assert_eq!(parse_export_vcard(&Response::new(200, &[], b"\xff")).unwrap_err().code(), "api.decode");
        assert_eq!(parse_export_vcard(&status(404, r#"{"detail":"no"}"#)).unwrap_err().code(), "api.not_found");
    }
}
