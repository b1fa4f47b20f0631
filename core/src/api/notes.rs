//! Organization notes: free-form markdown with a title and explicit
//! per-identity access grants (no wildcard), official SDK 0.4.9
//! (`/api/v1/notes`).

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
    /// `GET /api/v1/notes`
    pub const LIST: Operation = Operation::new("notes.list", Method::Get, "/api/v1/notes");
    /// `GET /api/v1/notes/{note_id}`
    pub const GET: Operation = Operation::new("notes.get", Method::Get, "/api/v1/notes/{note_id}");
    /// `POST /api/v1/notes`
    pub const CREATE: Operation = Operation::new("notes.create", Method::Post, "/api/v1/notes");
    /// `PATCH /api/v1/notes/{note_id}`
    pub const UPDATE: Operation = Operation::new("notes.update", Method::Patch, "/api/v1/notes/{note_id}");
    /// `DELETE /api/v1/notes/{note_id}`
    pub const DELETE: Operation = Operation::new("notes.delete", Method::Delete, "/api/v1/notes/{note_id}");
    /// `GET /api/v1/notes/{note_id}/access`
    pub const ACCESS_LIST: Operation =
        Operation::new("notes.access.list", Method::Get, "/api/v1/notes/{note_id}/access");
    /// `POST /api/v1/notes/{note_id}/access`
    pub const ACCESS_GRANT: Operation =
        Operation::new("notes.access.grant", Method::Post, "/api/v1/notes/{note_id}/access");
    /// `DELETE /api/v1/notes/{note_id}/access/{identity_id}`
    pub const ACCESS_REVOKE: Operation =
        Operation::new("notes.access.revoke", Method::Delete, "/api/v1/notes/{note_id}/access/{identity_id}");
}

/// Every operation of this family (catalog order).
pub const OPERATIONS: &[&Operation] = &[
    &ops::LIST,
    &ops::GET,
    &ops::CREATE,
    &ops::UPDATE,
    &ops::DELETE,
    &ops::ACCESS_LIST,
    &ops::ACCESS_GRANT,
    &ops::ACCESS_REVOKE,
];

/// Most notes one list returns.
pub const MAX_LIMIT: u32 = 200;
/// Longest `q` of a list.
pub const MAX_QUERY_CHARS: usize = 200;

/// One identity's grant on a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteAccess {
    /// The grant's id.
    pub id: String,
    /// The note.
    pub note_id: String,
    /// The identity.
    pub identity_id: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The note's id.
    pub id: String,
    /// The owning organization.
    pub organization_id: String,
    /// Who created it (an identity id or a user).
    pub created_by: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Markdown body.
    pub body: String,
    /// `active`, … (kept verbatim).
    pub status: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Grants.
    #[serde(default)]
    pub access: Vec<NoteAccess>,
}

/// Query of `notes.list`: each parameter is sent only when given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListNotesParams {
    /// Substring (≤ 200 characters).
    pub q: Option<String>,
    /// Only notes this identity can see.
    pub identity_id: Option<String>,
    /// 1–200.
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u64>,
    /// `recent` or `created`.
    pub order: Option<String>,
}

/// Body of `notes.create`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateNoteRequest {
    /// Markdown body (required).
    pub body: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Body of `notes.update` (merge patch; the body cannot be cleared).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateNoteRequest {
    /// New title; [`Patch::Clear`] clears it.
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub title: Patch<String>,
    /// New body; [`Patch::Clear`] is refused (the server answers 422).
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub body: Patch<String>,
}

/// Body of `notes.access.grant`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantNoteAccessRequest {
    /// The identity.
    pub identity_id: String,
}

/// Builds `GET /api/v1/notes` (`q` ≤ 200 characters, `limit` 1–200).
pub fn build_list(params: &ListNotesParams) -> Result<Request, ApiError> {
    if let Some(q) = &params.q {
        validate::char_len("q", q, 0, MAX_QUERY_CHARS)?;
    }
    if let Some(limit) = params.limit {
        validate::limit(limit, MAX_LIMIT)?;
    }
    Ok(Request::builder(&ops::LIST, &[])?
        .query_opt("q", params.q.as_deref())
        .query_opt("identity_id", params.identity_id.as_deref())
        .query_opt("limit", params.limit)
        .query_opt("offset", params.offset)
        .query_opt("order", params.order.as_deref())
        .build())
}

/// Parses a note list (a bare array or `{"items": [...]}`).
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<Note>, ApiError> {
    parse::list_or_wrapped(&ops::LIST, resp, "items")
}

/// Builds `GET /api/v1/notes/{note_id}`.
pub fn build_get(note_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::GET, &[note_id])?.build())
}

/// Parses a note.
pub fn parse_get(resp: &Response<'_>) -> Result<Note, ApiError> {
    parse::json(&ops::GET, resp)
}

/// Builds `POST /api/v1/notes` (a non-empty body).
pub fn build_create(input: &CreateNoteRequest) -> Result<Request, ApiError> {
    validate::non_empty("body", &input.body)?;
    Ok(Request::builder(&ops::CREATE, &[])?.json(input)?.build())
}

/// Parses the created note.
pub fn parse_create(resp: &Response<'_>) -> Result<Note, ApiError> {
    parse::json(&ops::CREATE, resp)
}

/// Builds `PATCH /api/v1/notes/{note_id}`. Clearing the body is refused
/// here, before the server would answer 422.
pub fn build_update(note_id: &str, input: &UpdateNoteRequest) -> Result<Request, ApiError> {
    match &input.body {
        Patch::Clear => return Err(ApiError::validation("body", "cannot be cleared (a note needs a body)")),
        Patch::Set(b) => validate::non_empty("body", b)?,
        Patch::Keep => {}
    }
    Ok(Request::builder(&ops::UPDATE, &[note_id])?.json(input)?.build())
}

/// Parses the updated note.
pub fn parse_update(resp: &Response<'_>) -> Result<Note, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

/// Builds `DELETE /api/v1/notes/{note_id}`.
pub fn build_delete(note_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::DELETE, &[note_id])?.build())
}

/// Parses a deletion.
pub fn parse_delete(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::DELETE, resp)
}

/// Builds `GET /api/v1/notes/{note_id}/access`.
pub fn build_list_access(note_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_LIST, &[note_id])?.build())
}

/// Parses a note's grants (a bare array or `{"items": [...]}`).
pub fn parse_list_access(resp: &Response<'_>) -> Result<Vec<NoteAccess>, ApiError> {
    parse::list_or_wrapped(&ops::ACCESS_LIST, resp, "items")
}

/// Builds `POST /api/v1/notes/{note_id}/access` with `{"identity_id"}`.
pub fn build_grant_access(note_id: &str, identity_id: &str) -> Result<Request, ApiError> {
    validate::non_empty("identity_id", identity_id)?;
    let body = GrantNoteAccessRequest { identity_id: String::from(identity_id) };
    Ok(Request::builder(&ops::ACCESS_GRANT, &[note_id])?.json(&body)?.build())
}

/// Parses the created grant.
pub fn parse_grant_access(resp: &Response<'_>) -> Result<NoteAccess, ApiError> {
    parse::json(&ops::ACCESS_GRANT, resp)
}

/// Builds `DELETE /api/v1/notes/{note_id}/access/{identity_id}`.
pub fn build_revoke_access(note_id: &str, identity_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::ACCESS_REVOKE, &[note_id, identity_id])?.build())
}

/// Parses a revocation.
pub fn parse_revoke_access(resp: &Response<'_>) -> Result<(), ApiError> {
    parse::empty(&ops::ACCESS_REVOKE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::{body, ok, status};

    const NID: &str = "7d2e1f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a";
    const IDENT: &str = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b";
    const NOTE: &str = r#"{"id":"7d2e1f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a","organization_id":"org_1","created_by":"4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b","title":null,"body":"- hi","status":"active","created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","access":[{"id":"g","note_id":"7d2e1f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a","identity_id":"4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b","created_at":"2026-03-09T00:00:00Z"}]}"#;

    #[test]
    fn list_and_get() {
        let p = ListNotesParams {
            q: Some("x".into()),
            identity_id: Some(IDENT.into()),
            limit: Some(10),
            offset: None,
            order: Some("created".into()),
        };
        assert_eq!(
            build_list(&p).unwrap().path_and_query,
            alloc::format!("/api/v1/notes?q=x&identity_id={IDENT}&limit=10&order=created")
        );
        assert!(build_list(&ListNotesParams { limit: Some(201), ..Default::default() }).is_err());
        assert!(build_list(&ListNotesParams { q: Some("q".repeat(201)), ..Default::default() }).is_err());
        let notes = parse_list(&ok(&alloc::format!(r#"{{"items":[{NOTE}]}}"#))).unwrap();
        assert_eq!(notes[0].access[0].identity_id, IDENT);
        assert_eq!(notes[0].title, None);
        assert_eq!(parse_get(&ok(r#"{"id":"n"}"#)).unwrap_err().code(), "api.decode");
        assert_eq!(parse_get(&status(404, r#"{"detail":"Note not found"}"#)).unwrap_err().code(), "api.not_found");
        assert_eq!(build_get(NID).unwrap().path_and_query, alloc::format!("/api/v1/notes/{NID}"));
    }

    #[test]
    fn create_update_checks() {
        let r = build_create(&CreateNoteRequest { body: "hello".into(), title: Some("T".into()) }).unwrap();
        assert_eq!(body(&r), r#"{"body":"hello","title":"T"}"#);
        assert_eq!(build_create(&CreateNoteRequest::default()).unwrap_err().code(), "api.validation");
        let r = build_update(NID, &UpdateNoteRequest { title: Patch::Clear, body: Patch::Keep }).unwrap();
        assert_eq!((r.method, body(&r)), (Method::Patch, r#"{"title":null}"#));
        assert!(build_update(NID, &UpdateNoteRequest { title: Patch::Keep, body: Patch::Clear }).is_err());
        assert!(build_update(NID, &UpdateNoteRequest { title: Patch::Keep, body: Patch::Set(String::new()) }).is_err());
    }

    #[test]
    fn access() {
        let r = build_grant_access(NID, IDENT).unwrap();
        assert_eq!(body(&r), alloc::format!(r#"{{"identity_id":"{IDENT}"}}"#));
        assert!(build_grant_access(NID, "").is_err());
        let r = build_revoke_access(NID, IDENT).unwrap();
        assert_eq!(r.path_and_query, alloc::format!("/api/v1/notes/{NID}/access/{IDENT}"));
        assert!(parse_revoke_access(&status(204, "")).is_ok());
        assert_eq!(parse_list_access(&ok("[]")).unwrap(), []);
    }
}
