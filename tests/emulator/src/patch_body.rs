//! The checks every `PATCH` of the API runs before its handler: a body that
//! is not JSON by its `Content-Type` → 415, a body that is not a JSON object
//! or has a key the operation does not know → 422. Without them a `[]`
//! body, a misspelled field or a `text/plain` form was a 200 no-op, so a
//! client could believe a change was made that never was.

use std::cell::Cell;

use inkbox_core::api::{
    agentpost, contacts, identities, imessage, mail, notes, phone, texts, tunnels, vault, webhook_subscriptions,
};
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::Value;

use crate::app::Reply;

/// The field names of a derived request struct, read from its
/// `Deserialize` impl; `None` for a type that is not a plain struct.
fn fields_of<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let seen = Cell::new(None);
    // Always an error: the deserializer only records the names.
    let _ = T::deserialize(FieldNames(&seen));
    seen.get()
}

struct FieldNames<'a>(&'a Cell<Option<&'static [&'static str]>>);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("field names only"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(Some(fields));
        Err(de::Error::custom("field names only"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// The keys a PATCH body of `op` may carry: the fields of core's request
/// type, plus the keys its handler answers itself (a specific 422, such as
/// `secret_type` being immutable) or, for webhook subscriptions, ignores as
/// documented (the owner keys). `None`: not a PATCH operation.
fn allowed_keys(op: &str) -> Option<Vec<&'static str>> {
    let (fields, extra): (Option<&'static [&'static str]>, &[&'static str]) = match op {
        "identities.update" => (fields_of::<identities::UpdateIdentityRequest>(), &[]),
        "mail.mailboxes.update" => (fields_of::<mail::UpdateMailboxRequest>(), &["display_name"]),
        "mail.messages.update" => (fields_of::<mail::UpdateMessageFlagsRequest>(), &[]),
        "phone.numbers.update" => (fields_of::<phone::UpdatePhoneNumberRequest>(), &["incoming_text_webhook_url"]),
        "texts.update" => (fields_of::<texts::UpdateTextRequest>(), &[]),
        "texts.conversations.update" => (fields_of::<texts::UpdateTextConversationRequest>(), &[]),
        "imessage.contact_rules.update" => (fields_of::<imessage::UpdateIMessageContactRuleRequest>(), &[]),
        "mail.contact_rules.update" => (fields_of::<mail::UpdateMailContactRuleRequest>(), &[]),
        "phone.contact_rules.update" => (fields_of::<phone::UpdatePhoneContactRuleRequest>(), &[]),
        "tunnels.update" => (fields_of::<tunnels::UpdateTunnelRequest>(), &["tunnel_name", "tls_mode"]),
        "vault.secrets.update" => (fields_of::<vault::UpdateSecretRequest>(), &["secret_type"]),
        "webhooks.subscriptions.update" => (
            fields_of::<webhook_subscriptions::UpdateSubscriptionRequest>(),
            &["mailbox_id", "phone_number_id", "agent_identity_id"],
        ),
        "contacts.update" => (fields_of::<contacts::UpdateContactRequest>(), &[]),
        "notes.update" => (fields_of::<notes::UpdateNoteRequest>(), &[]),
        "agentpost.inboxes.update" => {
            (fields_of::<agentpost::UpdateInboxRequest>(), &["email", "username", "domain", "id", "client_id"])
        }
        _ => return None,
    };
    // A request type that is not a plain struct: no key check (the handler's
    // own parse still applies).
    let mut keys = fields.map(<[_]>::to_vec)?;
    keys.extend_from_slice(extra);
    Some(keys)
}

/// Whether a `Content-Type` value names JSON (`application/json` or a
/// `+json` type, any parameters).
fn is_json(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// 415 / 422 for a PATCH body of `op` the operation cannot take; `Ok` for a
/// JSON object of known keys, or an empty body (`{}`, a no-op). A missing
/// `Content-Type` is read as JSON, as the real service's framework does.
pub(crate) fn check(op: &str, content_type: Option<&str>, body: &[u8]) -> Result<(), Reply> {
    let Some(keys) = allowed_keys(op) else { return Ok(()) };
    if let Some(ct) = content_type
        && !is_json(ct)
    {
        return Err(Reply::detail(415, "Content-Type must be application/json"));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    // Invalid JSON is the handler's 422 (with the parser's message).
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return Ok(()) };
    let Value::Object(map) = value else { return Err(Reply::detail(422, "body must be a JSON object")) };
    if let Some(unknown) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(Reply::detail(
            422,
            &format!("unknown field `{unknown}` (this operation takes: {})", keys.join(", ")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use super::*;

    #[test]
    fn every_patch_operation_has_its_keys() {
        let patches = inkbox_core::api::catalog::all()
            .chain(inkbox_core::api::catalog::agentpost())
            .filter(|op| op.method == inkbox_core::api::request::Method::Patch);
        for op in patches {
            let keys = allowed_keys(op.name).unwrap_or_else(|| panic!("{}: no PATCH keys", op.name));
            assert!(!keys.is_empty(), "{}", op.name);
        }
    }

    #[test]
    fn content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json("text/json+plain"));
    }
}
