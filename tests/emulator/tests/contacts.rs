//! Contacts and notes over real HTTP: status codes, visibility of
//! identity-scoped keys, wildcard and explicit grants, vCard import/export
//! and persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Emulator, TempDir};
use inkbox_core::ErrorCode;
use inkbox_core::api::contacts::{
    self as ct, ContactEmail, ContactPhone, CreateContactRequest, ListContactsParams, LookupContactsParams,
    UpdateContactRequest,
};
use inkbox_core::api::identities::{self as ids, CreateIdentityRequest};
use inkbox_core::api::keys::{self, CreateApiKeyRequest};
use inkbox_core::api::notes::{self as nt, CreateNoteRequest, ListNotesParams, UpdateNoteRequest};
use inkbox_core::api::patch::Patch;

fn identity(emu: &Emulator, handle: &str) -> String {
    let r = emu.send(&ids::build_create(&CreateIdentityRequest::new(handle)).unwrap(), &emu.admin_key);
    ids::parse_create(&r.as_response()).unwrap().id
}

fn scoped_key(emu: &Emulator, identity_id: &str) -> String {
    let input =
        CreateApiKeyRequest { label: "a".into(), description: None, scoped_identity_id: Some(identity_id.into()) };
    let r = emu.send(&keys::build_create_api_key(&input).unwrap(), &emu.admin_key);
    keys::parse_create_api_key(&r.as_response()).unwrap().api_key.clone()
}

fn ada() -> CreateContactRequest {
    CreateContactRequest {
        preferred_name: Some("Ada Lovelace".into()),
        emails: Some(vec![ContactEmail { label: None, value: "ada@example.com".into(), is_primary: true }]),
        phones: Some(vec![ContactPhone { label: None, value_e164: "+15551230001".into(), is_primary: true }]),
        ..Default::default()
    }
}

#[test]
fn contacts_status_codes_visibility_and_vcards() {
    let emu = Emulator::start();
    let admin = emu.admin_key.clone();
    let agent = identity(&emu, "cbook-agent");
    let key = scoped_key(&emu, &agent);

    let r = emu.send(&ct::build_create(&ada()).unwrap(), &admin);
    assert_eq!(r.status, 201);
    let c = ct::parse_create(&r.as_response()).unwrap();
    assert_eq!(c.access.len(), 1);
    assert_eq!(c.access[0].identity_id, None);
    let hidden_req = CreateContactRequest {
        preferred_name: Some("Hidden".into()),
        access_identity_ids: Patch::Set(vec![]),
        ..Default::default()
    };
    let hidden = ct::parse_create(&emu.send(&ct::build_create(&hidden_req).unwrap(), &admin).as_response()).unwrap();

    // The agent sees the wildcard contact, not the ungranted one.
    let seen = ct::parse_list(&emu.send(&ct::build_list(&ListContactsParams::default()).unwrap(), &key).as_response())
        .unwrap();
    assert_eq!(seen.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [c.id.as_str()]);
    assert_eq!(emu.send(&ct::build_get(&hidden.id).unwrap(), &key).status, 404);
    // Grants: admin only; redundant on a wildcard; 201 then visible.
    assert_eq!(emu.send(&ct::build_grant_access(&hidden.id, Some(&agent)).unwrap(), &key).status, 403);
    let e =
        ct::parse_grant_access(&emu.send(&ct::build_grant_access(&c.id, Some(&agent)).unwrap(), &admin).as_response())
            .unwrap_err();
    assert_eq!(e.code(), "api.redundant_grant");
    assert_eq!(emu.send(&ct::build_grant_access(&hidden.id, Some(&agent)).unwrap(), &admin).status, 201);
    assert_eq!(emu.send(&ct::build_get(&hidden.id).unwrap(), &key).status, 200);
    assert_eq!(
        emu.send(&ct::build_revoke_access(&hidden.id, "00000000-0000-4000-8000-000000000000").unwrap(), &key).status,
        403
    );
    assert_eq!(emu.send(&ct::build_revoke_access(&hidden.id, &agent).unwrap(), &key).status, 204);
    assert_eq!(emu.send(&ct::build_get(&hidden.id).unwrap(), &key).status, 404);

    // Lookup.
    let q = LookupContactsParams { email: Some("ADA@example.com".into()), ..Default::default() };
    let found = ct::parse_lookup(&emu.send(&ct::build_lookup(&q).unwrap(), &admin).as_response()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(emu.raw("GET", "/api/v1/contacts/lookup", Some(&admin), None).status, 422);

    // Update (merge patch) and bad input.
    let upd = UpdateContactRequest { job_title: Patch::Set("Analyst".into()), ..Default::default() };
    let u = ct::parse_update(&emu.send(&ct::build_update(&c.id, &upd).unwrap(), &admin).as_response()).unwrap();
    assert_eq!((u.job_title.as_deref(), u.preferred_name.as_deref()), (Some("Analyst"), Some("Ada Lovelace")));
    let bad = emu.raw("PATCH", &format!("/api/v1/contacts/{}", c.id), Some(&admin), Some(r#"{"birthday":"soon"}"#));
    assert_eq!(bad.status, 422);

    // vCards.
    let r = emu.send(&ct::build_export_vcard(&c.id).unwrap(), &admin);
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/vcard"));
    let text = ct::parse_export_vcard(&r.as_response()).unwrap();
    assert!(text.contains("FN:Ada Lovelace") && text.contains("EMAIL:ada@example.com"), "{text}");
    let r = emu.send(&ct::build_import_vcards(text.as_bytes(), None).unwrap(), &admin);
    assert_eq!(r.status, 200);
    let res = ct::parse_import_vcards(&r.as_response()).unwrap();
    assert_eq!((res.created_count, res.error_count), (1, 0));
    assert_eq!(res.results[0].contact.as_ref().unwrap().emails[0].value, "ada@example.com");
    assert_eq!(emu.send(&ct::build_import_vcards(b"nothing", None).unwrap(), &admin).status, 422);

    assert_eq!(emu.send(&ct::build_delete(&c.id).unwrap(), &admin).status, 204);
    assert_eq!(emu.send(&ct::build_get(&c.id).unwrap(), &admin).status, 404);
}

#[test]
fn notes_grants_and_persistence() {
    let dir = TempDir::new("notes");
    let db = dir.0.join("state.db");
    let emu = Emulator::start_with_data(&db);
    let admin = emu.admin_key.clone();
    let agent = identity(&emu, "notes-agent");
    let key = scoped_key(&emu, &agent);
    let r = emu
        .send(&nt::build_create(&CreateNoteRequest { body: "plan".into(), title: Some("T".into()) }).unwrap(), &admin);
    assert_eq!(r.status, 201);
    let n = nt::parse_create(&r.as_response()).unwrap();
    assert!(n.access.is_empty());
    assert_eq!(emu.send(&nt::build_get(&n.id).unwrap(), &key).status, 404);
    assert_eq!(emu.send(&nt::build_grant_access(&n.id, &agent).unwrap(), &admin).status, 201);
    assert_eq!(emu.send(&nt::build_grant_access(&n.id, &agent).unwrap(), &admin).status, 409);
    assert_eq!(emu.send(&nt::build_get(&n.id).unwrap(), &key).status, 200);
    let mine = nt::parse_create(
        &emu.send(&nt::build_create(&CreateNoteRequest { body: "mine".into(), title: None }).unwrap(), &key)
            .as_response(),
    )
    .unwrap();
    assert_eq!(mine.created_by, agent);
    assert_eq!(mine.access[0].identity_id, agent);
    let r = emu.raw("PATCH", &format!("/api/v1/notes/{}", n.id), Some(&admin), Some(r#"{"body":null}"#));
    assert_eq!(r.status, 422);
    let u = nt::parse_update(
        &emu.send(
            &nt::build_update(&n.id, &UpdateNoteRequest { title: Patch::Clear, body: Patch::Keep }).unwrap(),
            &admin,
        )
        .as_response(),
    )
    .unwrap();
    assert_eq!(u.title, None);
    let p = ListNotesParams { identity_id: Some(agent.clone()), ..Default::default() };
    assert_eq!(nt::parse_list(&emu.send(&nt::build_list(&p).unwrap(), &admin).as_response()).unwrap().len(), 2);
    emu.terminate();
    let emu = Emulator::start_with_data(&db);
    let back = nt::parse_get(&emu.send(&nt::build_get(&n.id).unwrap(), &admin).as_response()).unwrap();
    assert_eq!(back.access.len(), 1);
    assert_eq!(emu.send(&nt::build_delete(&n.id).unwrap(), &admin).status, 204);
}
