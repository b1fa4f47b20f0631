//! Every response parser of the API layer on arbitrary bytes and statuses:
//! parsing must never panic, whatever the body (malformed JSON, unknown
//! enums, wrong types, huge numbers) or the status.
#![no_main]

use inkbox_core::api::{self, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = match selector % 6 {
        0 | 1 | 2 => 200,
        3 => 404,
        4 => 409,
        _ => 429,
    };
    let headers =
        vec![("Retry-After".to_string(), String::from_utf8_lossy(body.get(..8).unwrap_or(body)).into_owned())];
    let r = Response::new(status, &headers, body);
    let _ = api::whoami::parse_whoami(&r);
    let _ = api::identities::parse_get(&r);
    let _ = api::identities::parse_list(&r);
    let _ = api::mail::parse_list_messages(&r);
    let _ = api::mail::parse_get_message(&r);
    let _ = api::mail::parse_get_thread(&r);
    let _ = api::mail::parse_get_attachment_url(&r);
    let _ = api::phone::parse_list_calls(&r);
    let _ = api::phone::parse_place_call(&r);
    let _ = api::texts::parse_list(&r);
    let _ = api::texts::parse_send(&r);
    let _ = api::imessage::parse_send_message(&r);
    let _ = api::imessage::parse_list_conversations(&r);
    let _ = api::tunnels::parse_list(&r);
    let _ = api::signup::parse_status(&r);
    let _ = api::webhook_subscriptions::parse_list(&r);
    let _ = api::vault::parse_unlock(&r);
    let _ = api::vault::parse_info(&r);
    let _ = api::vault::parse_get_secret(&r);
    let _ = api::webhook_events::parse_delivery(body);
    let _ = api::error::parse_detail(body);
});
