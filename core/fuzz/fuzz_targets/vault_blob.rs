//! Arbitrary input against the vault's blob parsing: the lenient base64
//! decoder, payload decryption (allocating, typed and in place) and org-key
//! unwrapping. Nothing may panic; every rejection must be a `VaultError`.
#![no_main]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use inkbox_core::vault::{self, MasterKey, OrgKey, SecretPayload, SecretType, base64};
use libfuzzer_sys::fuzz_target;

const AAD: &str = "8f2775d5-3119-4c05-8f95-8d70345722c7";

fuzz_target!(|data: &[u8]| {
    // Authenticated plaintexts are attacker-influenced too: the typed parser
    // and shape inference must refuse garbage gracefully.
    for secret_type in SecretType::KNOWN {
        if let Ok(payload) = SecretPayload::parse(&secret_type, data) {
            let json = payload.to_json();
            let again = SecretPayload::parse(&secret_type, json.as_bytes()).unwrap();
            assert_eq!(again, payload);
        }
    }
    let _ = SecretPayload::infer_type(data);

    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };

    // Lenient decoder: the length pass and the decode agree, into a buffer of
    // the documented worst-case size.
    let mut buffer = vec![0u8; text.len() / 4 * 3 + 2];
    let decoded = base64::decode_lenient(text, &mut buffer);
    assert_eq!(decoded, base64::decoded_len_lenient(text));
    if let Ok(n) = decoded {
        // Re-encoding canonical base64 decodes back to the same bytes.
        let reencoded = base64::encode_to_string(&buffer[..n]);
        assert_eq!(base64::decode_lenient_to_vec(&reencoded).unwrap(), &buffer[..n]);
    }

    let org = OrgKey::from_bytes([0x42; 32]);
    let _ = vault::decrypt_plaintext(&org, AAD, text);
    let _ = vault::decrypt_payload(&org, AAD, &SecretType::Login, text);
    let mut in_place = vec![0u8; text.len()];
    let _ = vault::decrypt_payload_in_place(&org, AAD, text, &mut in_place);

    let master = MasterKey::from_bytes([0x24; 32]);
    let _ = vault::unwrap_org_key(&master, AAD, text);
    let _ = vault::unwrap_org_key_with_candidates(&master, text, [AAD, ""]);
});
