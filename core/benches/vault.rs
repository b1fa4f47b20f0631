//! Vault benchmarks: Argon2id derivation (Inkbox parameters), org-key
//! unwrap, payload encrypt and decrypt+parse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

#[cfg(feature = "alloc")]
mod vault_benches {
    use std::hint::black_box;

    use criterion::{Criterion, criterion_group};
    use inkbox_core::totp::TotpConfig;
    use inkbox_core::vault::{
        self, INKBOX_KDF_BLOCKS, KdfParams, LoginPayload, MasterKey, OrgKey, SecretPayload, SecretType, hazmat::Block,
    };

    const ORG_ID: &str = "org_L5tJekJjBskOINmKsplzL8GWUWT";
    const VAULT_KEY: &str = "Rapid-Horse-marq-97!";
    const KEY_ID: &str = "d4476e8b-020e-42b5-bcaf-d3103e5b2c88";
    const SECRET_ID: &str = "8f2775d5-3119-4c05-8f95-8d70345722c7";

    fn typical_login() -> SecretPayload {
        let mut login = LoginPayload::new("LZo_MaHIUK_DU@ihtTNt".into());
        login.email = Some("ops@acme.test".into());
        login.url = Some("https://github.com/login".into());
        login.totp = Some(
            TotpConfig::new("O36XW46PLKZOYDQOBP5N4VFFBPB7VIQQ")
                .unwrap()
                .with_issuer("GitHub")
                .with_account_name("agent-jiota@inkbox.test"),
        );
        login.into()
    }

    fn argon2id_derive(c: &mut Criterion) {
        let mut group = c.benchmark_group("vault/argon2id_derive");
        group.sample_size(10);
        // Allocating convenience: allocate + derive + zeroize + free per call.
        group.bench_function("alloc", |b| {
            b.iter(|| vault::derive_master_key(black_box(VAULT_KEY), black_box(ORG_ID)).unwrap());
        });
        // Caller-provided memory reused across calls (no allocation).
        let mut memory = vec![Block::new(); INKBOX_KDF_BLOCKS];
        group.bench_function("reused_memory", |b| {
            b.iter(|| {
                vault::derive_master_key_with_memory(
                    black_box(VAULT_KEY),
                    black_box(ORG_ID),
                    &KdfParams::INKBOX,
                    &mut memory,
                )
                .unwrap()
            });
        });
        group.finish();
    }

    fn unwrap_org_key(c: &mut Criterion) {
        let master = MasterKey::from_bytes([0x5a; 32]);
        let org = OrgKey::from_bytes([0xa5; 32]);
        let wrapped = vault::wrap_org_key_with_nonce(&master, KEY_ID, &org, &[7; 12]).unwrap();
        let mut group = c.benchmark_group("vault/unwrap_org_key");
        group.bench_function("unwrap", |b| {
            b.iter(|| vault::unwrap_org_key(&master, black_box(KEY_ID), black_box(wrapped.as_str())).unwrap());
        });
        group.finish();
    }

    fn payload_decrypt(c: &mut Criterion) {
        let org = OrgKey::from_bytes([0xa5; 32]);
        let blob = vault::encrypt_payload_with_nonce(&org, SECRET_ID, &typical_login(), &[9; 12]).unwrap();
        let mut group = c.benchmark_group("vault/payload_decrypt");
        group.bench_function("decrypt_and_parse_login", |b| {
            b.iter(|| {
                vault::decrypt_payload(&org, black_box(SECRET_ID), &SecretType::Login, black_box(&blob)).unwrap()
            });
        });
        let mut buffer = vec![0u8; blob.len()];
        group.bench_function("decrypt_in_place", |b| {
            b.iter(|| {
                vault::decrypt_payload_in_place(&org, black_box(SECRET_ID), black_box(&blob), &mut buffer)
                    .unwrap()
                    .len()
            });
        });
        group.finish();
    }

    fn payload_encrypt(c: &mut Criterion) {
        let org = OrgKey::from_bytes([0xa5; 32]);
        let payload = typical_login();
        let mut group = c.benchmark_group("vault/payload_encrypt");
        group.bench_function("serialize_and_encrypt_login", |b| {
            b.iter(|| {
                vault::encrypt_payload_with_nonce(&org, black_box(SECRET_ID), black_box(&payload), &[9; 12]).unwrap()
            });
        });
        group.finish();
    }

    criterion_group!(benches, argon2id_derive, unwrap_org_key, payload_decrypt, payload_encrypt);
}

#[cfg(feature = "alloc")]
criterion::criterion_main!(vault_benches::benches);

/// The vault benchmarks need the default `alloc` feature.
#[cfg(not(feature = "alloc"))]
fn main() {}
