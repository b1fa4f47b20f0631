//! The shared vault vectors (`tests/vectors/vault.json`), every section.
//! (Typed payloads and the allocating API need the default `alloc` feature.)
#![cfg(feature = "alloc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::HashMap;

use inkbox_core::ErrorCode as _;
use inkbox_core::vault::{
    self, ClientUuid, KeyMaterial, MasterKey, OrgKey, SecretPayload, SecretType, VaultError, VaultKeyRule,
    VaultKeyType, json,
};
use serde_json::Value;

fn vectors() -> Value {
    common::load("vault.json")
}

fn str_of<'a>(v: &'a Value, key: &str, case: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{case}: field {key} is not a string"))
}

fn key32(hex: &str, case: &str) -> [u8; 32] {
    common::hex(hex).try_into().unwrap_or_else(|_| panic!("{case}: key is not 32 bytes"))
}

fn nonce12(hex: &str, case: &str) -> [u8; 12] {
    common::hex(hex).try_into().unwrap_or_else(|_| panic!("{case}: iv is not 12 bytes"))
}

fn org_key(v: &Value) -> OrgKey {
    OrgKey::from_bytes(key32(str_of(v, "org_key_hex", "header"), "org_key_hex"))
}

/// Derivations are 64 MiB / t=3 each: compute every (secret, org) pair once.
#[derive(Default)]
struct DerivationCache(HashMap<(String, String), [u8; 32]>);

impl DerivationCache {
    fn get(&mut self, secret: &str, org: &str, case: &str) -> MasterKey {
        let bytes = self.0.entry((secret.to_owned(), org.to_owned())).or_insert_with(|| {
            *vault::derive_master_key(secret, org)
                .unwrap_or_else(|e| panic!("{case}: derivation failed: {e}"))
                .as_bytes()
        });
        MasterKey::from_bytes(*bytes)
    }
}

fn check_error_code(err: VaultError, case: &str) {
    assert!(err.code().starts_with("vault."), "{case}: code {}", err.code());
    let shown = format!("{err} {err:?}");
    assert!(!shown.is_empty(), "{case}");
}

#[test]
fn header_matches_inkbox_params() {
    let v = vectors();
    let kdf = &v["kdf"];
    assert_eq!(kdf["algorithm"], "argon2id");
    assert_eq!(kdf["version"], 19);
    let params = vault::KdfParams::INKBOX;
    assert_eq!(kdf["time_cost"].as_u64(), Some(u64::from(params.t_cost())));
    assert_eq!(kdf["memory_cost_kib"].as_u64(), Some(u64::from(params.m_cost_kib())));
    assert_eq!(kdf["parallelism"].as_u64(), Some(u64::from(params.p_cost())));
    assert_eq!(kdf["hash_len"].as_u64(), Some(vault::KEY_LEN as u64));
    assert_eq!(v["aead"]["algorithm"], "AES-256-GCM");
}

#[test]
fn derivations_primary_recovery_and_extra_wrapped_keys() {
    let v = vectors();
    let org = org_key(&v);
    let mut cache = DerivationCache::default();

    // derivations[]
    let mut by_name = HashMap::new();
    for d in v["derivations"].as_array().unwrap() {
        let name = str_of(d, "name", "derivation");
        let secret = str_of(d, "secret", name);
        let org_id = str_of(d, "organization_id", name);
        assert_eq!(common::hex(str_of(d, "salt_hex", name)), org_id.as_bytes(), "{name}: salt");
        let master = cache.get(secret, org_id, name);
        assert_eq!(master.as_bytes(), &key32(str_of(d, "master_key_hex", name), name), "{name}: master key");
        assert_eq!(master.auth_hash().as_str(), str_of(d, "auth_hash", name), "{name}: auth hash");
        by_name.insert(name.to_owned(), (secret.to_owned(), org_id.to_owned()));
    }

    // primary_key and recovery_key
    for (section, secret_field, key_type) in
        [("primary_key", "vault_key", VaultKeyType::Primary), ("recovery_key", "recovery_code", VaultKeyType::Recovery)]
    {
        let k = &v[section];
        let secret = str_of(k, secret_field, section);
        let org_id = str_of(k, "organization_id", section);
        let key_id = str_of(k, "vault_key_id", section);
        assert_eq!(str_of(k, "key_type", section), key_type.as_str(), "{section}");
        assert_eq!(VaultKeyType::parse(str_of(k, "key_type", section)), Some(key_type));
        let master = cache.get(secret, org_id, section);
        assert_eq!(master.as_bytes(), &key32(str_of(k, "master_key_hex", section), section), "{section}");
        assert_eq!(master.auth_hash().as_str(), str_of(k, "auth_hash", section), "{section}");

        let wrapped = str_of(k, "wrapped_org_key_b64", section);
        let unwrapped = vault::unwrap_org_key(&master, key_id, wrapped).unwrap_or_else(|e| panic!("{section}: {e}"));
        assert_eq!(unwrapped, org, "{section}: unwrapped org key");

        let nonce = nonce12(str_of(k, "iv_hex", section), section);
        let rewrapped = vault::wrap_org_key_with_nonce(&master, key_id, &org, &nonce).unwrap();
        assert_eq!(rewrapped.as_str(), wrapped, "{section}: re-wrap");

        let material =
            KeyMaterial::with_nonce(&master, &org, ClientUuid::parse(key_id).unwrap(), key_type, &nonce).unwrap();
        let wire = &k["wire"];
        assert_eq!(material.id().as_str(), str_of(wire, "id", section));
        assert_eq!(material.wrapped_org_encryption_key().as_str(), str_of(wire, "wrapped_org_encryption_key", section));
        assert_eq!(material.auth_hash().as_str(), str_of(wire, "auth_hash", section));
        assert_eq!(material.key_type().as_str(), str_of(wire, "key_type", section));
        // Serialized body: same members and values, in the reference's order.
        let body = serde_json::to_string(&material).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), *wire, "{section}: wire body");
        let order: Vec<&str> = ["id", "wrapped_org_encryption_key", "auth_hash", "key_type"].to_vec();
        let positions: Vec<usize> = order.iter().map(|k| body.find(&format!("\"{k}\"")).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{section}: member order {body}");

        // The candidate search finds the right key id among others.
        let other = "00000000-0000-4000-8000-000000000000";
        let (index, found) = vault::unwrap_org_key_with_candidates(&master, wrapped, [other, key_id]).unwrap();
        assert_eq!((index, &found), (1, &org), "{section}: candidates");
    }

    // extra_wrapped_keys[]
    for e in v["extra_wrapped_keys"].as_array().unwrap() {
        let name = str_of(e, "name", "extra_wrapped_keys");
        let derivation = str_of(e, "derivation", name);
        let (secret, org_id) = by_name.get(derivation).unwrap_or_else(|| panic!("{name}: unknown derivation"));
        let master = cache.get(secret, org_id, name);
        let key_id = str_of(e, "vault_key_id", name);
        let wrapped = str_of(e, "wrapped_org_key_b64", name);
        assert_eq!(vault::unwrap_org_key(&master, key_id, wrapped), Ok(org_key(&v)), "{name}");
        let nonce = nonce12(str_of(e, "iv_hex", name), name);
        assert_eq!(vault::wrap_org_key_with_nonce(&master, key_id, &org, &nonce).unwrap().as_str(), wrapped, "{name}");
    }
}

#[test]
fn derivation_errors() {
    let v = vectors();
    for d in v["derivation_errors"].as_array().unwrap() {
        let secret = str_of(d, "secret", "derivation_errors");
        let org_id = str_of(d, "organization_id", "derivation_errors");
        let case = format!("derivation_errors[{org_id:?}]");
        assert_eq!(d["expected"], "error", "{case}");
        assert_eq!(d["salt_len"].as_u64(), Some(org_id.len() as u64), "{case}");
        let err = vault::derive_master_key(secret, org_id).unwrap_err();
        assert_eq!(err, VaultError::SaltTooShort, "{case}");
        check_error_code(err, &case);
        let mut memory = vec![vault::hazmat::Block::new(); 8];
        assert_eq!(
            vault::derive_master_key_with_memory(secret, org_id, &vault::KdfParams::INKBOX, &mut memory),
            Err(VaultError::SaltTooShort),
            "{case}: no-alloc"
        );
    }
}

/// Records whether every object in a JSON text lists its keys in sorted
/// order (then `json::to_python_json`, which writes sorted keys, can reproduce
/// the text byte for byte).
fn keys_sorted_everywhere(text: &str) -> bool {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::cell::Cell;

    struct Walk<'a>(&'a Cell<bool>);
    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("json")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(Walk(self.0))?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut last: Option<String> = None;
            while let Some(key) = map.next_key::<String>()? {
                if last.as_ref().is_some_and(|prev| *prev >= key) {
                    self.0.set(false);
                }
                map.next_value_seed(Walk(self.0))?;
                last = Some(key);
            }
            let _ = IgnoredAny;
            Ok(())
        }
    }
    let sorted = Cell::new(true);
    let mut de = serde_json::Deserializer::from_str(text);
    Walk(&sorted).deserialize(&mut de).unwrap();
    sorted.get()
}

#[test]
fn payloads() {
    let v = vectors();
    let org = org_key(&v);
    let mut raw_checked_bytewise = 0;
    for p in v["payloads"].as_array().unwrap() {
        let name = str_of(p, "name", "payloads");
        let secret_type = SecretType::parse(str_of(p, "secret_type", name));
        let secret_id = str_of(p, "secret_id", name);
        let plaintext = str_of(p, "plaintext", name);
        let blob = str_of(p, "encrypted_payload_b64", name);
        let is_raw = name.ends_with("_raw_dict");

        // The vector is self-consistent: `payload` is what `plaintext` encodes.
        let plaintext_value: Value = serde_json::from_str(plaintext).unwrap();
        assert_eq!(plaintext_value, p["payload"], "{name}: payload vs plaintext");

        // Decrypt → exact plaintext bytes → expected_decrypted.
        let decrypted = vault::decrypt_plaintext(&org, secret_id, blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decrypted.as_slice(), plaintext.as_bytes(), "{name}: plaintext");
        assert_eq!(serde_json::from_slice::<Value>(&decrypted).unwrap(), p["expected_decrypted"], "{name}");

        // No-alloc path gives the same bytes.
        let mut buffer = vec![0u8; blob.len()];
        let in_place = vault::decrypt_payload_in_place(&org, secret_id, blob, &mut buffer).unwrap();
        assert_eq!(&*in_place, plaintext.as_bytes(), "{name}: in place");

        // Re-encrypting the plaintext with the vector's nonce reproduces the blob.
        let nonce = nonce12(str_of(p, "iv_hex", name), name);
        let reencrypted = vault::encrypt_plaintext_with_nonce(&org, secret_id, plaintext.as_bytes(), &nonce).unwrap();
        assert_eq!(reencrypted, blob, "{name}: re-encrypt");
        let mut buffer = vec![0u8; plaintext.len() + vault::blob::BLOB_OVERHEAD];
        buffer[..plaintext.len()].copy_from_slice(plaintext.as_bytes());
        let raw_blob = vault::encrypt_payload_in_place(&org, secret_id, &nonce, &mut buffer, plaintext.len()).unwrap();
        assert_eq!(raw_blob.to_vec(), common::b64(blob), "{name}: re-encrypt in place");

        // Typed parse → expected_parsed (as JSON values).
        let typed =
            vault::decrypt_payload(&org, secret_id, &secret_type, blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(typed.secret_type(), secret_type, "{name}");
        let typed_json = typed.to_json();
        assert_eq!(serde_json::from_str::<Value>(&typed_json).unwrap(), p["expected_parsed"], "{name}: parsed");
        assert_eq!(SecretPayload::parse_inferred(plaintext.as_bytes()).as_ref(), Ok(&typed), "{name}: inferred");
        assert_eq!(SecretPayload::infer_type(plaintext.as_bytes()), Some(secret_type.clone()), "{name}");

        if is_raw {
            // A hand-made dict: the typed model drops unknown members and fills
            // TOTP defaults, so only value equality (above) applies. The
            // generic writer reproduces the plaintext whenever member order is
            // sorted (it writes keys sorted).
            let rewritten = json::to_python_json(&plaintext_value);
            assert_eq!(serde_json::from_str::<Value>(&rewritten).unwrap(), plaintext_value, "{name}");
            if keys_sorted_everywhere(plaintext) {
                assert_eq!(rewritten.as_str(), plaintext, "{name}: generic re-serialization");
                raw_checked_bytewise += 1;
            }
        } else {
            // Typed serialization is byte-identical to the reference's.
            assert_eq!(typed_json.as_str(), plaintext, "{name}: typed serialization");
            let encrypted = vault::encrypt_payload_with_nonce(&org, secret_id, &typed, &nonce).unwrap();
            assert_eq!(encrypted, blob, "{name}: typed re-encrypt");
            if keys_sorted_everywhere(plaintext) {
                assert_eq!(json::to_python_json(&plaintext_value).as_str(), plaintext, "{name}: generic");
            }
        }

        // Type confusion is refused.
        let wrong = if secret_type == SecretType::Other { SecretType::Login } else { SecretType::Other };
        assert_eq!(typed.ensure_type(&wrong), Err(VaultError::PayloadTypeMismatch), "{name}");
        assert_eq!(typed.ensure_type(&secret_type), Ok(()), "{name}");
    }
    assert!(raw_checked_bytewise >= 1, "no raw payload was checked byte for byte");
}

#[test]
fn edge_cases() {
    let v = vectors();
    for c in v["edge_cases"].as_array().unwrap() {
        let name = str_of(c, "name", "edge_cases");
        let op = str_of(c, "op", name);
        let key = key32(str_of(c, "key_hex", name), name);
        let blob = str_of(c, "blob_b64", name);
        let aad = str_of(c, "aad", name);
        let expected_ok = match str_of(c, "expected", name) {
            "ok" => true,
            "error" => false,
            other => panic!("{name}: unknown expectation {other}"),
        };
        if name.starts_with("lenient_base64_") {
            assert!(expected_ok, "{name}: lenient cases must decode");
        }
        match op {
            "decrypt_payload" => {
                let org = OrgKey::from_bytes(key);
                let parsed = vault::decrypt_plaintext(&org, aad, blob)
                    .and_then(|pt| serde_json::from_slice::<Value>(&pt).map_err(|_| VaultError::InvalidPayload));
                // Typed parse: the payloads here are logins.
                let typed = vault::decrypt_payload(&org, aad, &SecretType::Login, blob);
                let mut buffer = vec![0u8; blob.len()];
                let in_place = vault::decrypt_payload_in_place(&org, aad, blob, &mut buffer).map(|pt| pt.to_vec());
                if expected_ok {
                    let value = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(value, c["expected_payload"], "{name}");
                    let typed = typed.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(
                        serde_json::from_str::<Value>(&typed.to_json()).unwrap(),
                        c["expected_payload"],
                        "{name}"
                    );
                    assert!(in_place.is_ok(), "{name}: in place");
                } else {
                    let err = parsed.unwrap_err();
                    // Authenticated-but-not-JSON is InvalidPayload; everything else
                    // (base64, length, key, AAD, tampering) is DecryptionFailed.
                    let expected = if name.starts_with("plaintext_") {
                        VaultError::InvalidPayload
                    } else {
                        VaultError::DecryptionFailed
                    };
                    assert_eq!(err, expected, "{name}");
                    assert_eq!(typed.unwrap_err(), expected, "{name}: typed");
                    if expected == VaultError::DecryptionFailed {
                        assert_eq!(in_place.unwrap_err(), VaultError::DecryptionFailed, "{name}: in place");
                    }
                    check_error_code(err, name);
                }
            }
            "unwrap_org_key" => {
                let master = MasterKey::from_bytes(key);
                let result = vault::unwrap_org_key(&master, aad, blob);
                if expected_ok {
                    let org = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(org.as_bytes(), &key32(str_of(c, "expected_org_key_hex", name), name), "{name}");
                } else {
                    let err = result.unwrap_err();
                    assert_eq!(err, VaultError::DecryptionFailed, "{name}");
                    check_error_code(err, name);
                }
            }
            other => panic!("{name}: unknown op {other}"),
        }
    }
}

#[test]
fn vault_key_validation() {
    let v = vectors();
    let rule_for_message = |msg: &str| {
        VaultKeyRule::ALL.into_iter().find(|r| r.message() == msg).unwrap_or_else(|| panic!("unknown message {msg}"))
    };
    for c in v["vault_key_validation"].as_array().unwrap() {
        let key = str_of(c, "vault_key", "vault_key_validation");
        let case = format!("vault_key_validation[{key:?}]");
        assert_eq!(c["chars"].as_u64(), Some(key.chars().count() as u64), "{case}");
        assert_eq!(c["utf8_bytes"].as_u64(), Some(key.len() as u64), "{case}");
        let result = vault::check_vault_key(key);
        if c["valid"].as_bool().unwrap() {
            assert_eq!(result, Ok(()), "{case}");
        } else {
            let rule = rule_for_message(str_of(c, "error_message", &case));
            let err = result.unwrap_err();
            assert_eq!(err, VaultError::WeakVaultKey { rule }, "{case}");
            assert_eq!(err.to_string(), str_of(c, "error_message", &case), "{case}");
            assert_eq!(err.code(), "vault.weak_vault_key");
        }
    }
}

#[test]
fn recovery_code_of_the_vectors_has_the_generated_format() {
    let v = vectors();
    let code = str_of(&v["recovery_key"], "recovery_code", "recovery_key");
    assert_eq!(code.len(), vault::RECOVERY_CODE_LEN);
    for (i, b) in code.bytes().enumerate() {
        if i % 5 == 4 {
            assert_eq!(b, b'-');
        } else {
            assert!(vault::RECOVERY_CODE_ALPHABET.contains(&b), "{code}");
        }
    }
}
