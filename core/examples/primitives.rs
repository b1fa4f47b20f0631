//! The three security primitives of inkbox-core, end to end — the quick start
//! until the language packages exist (`scripts/quickstart.sh`).
//!
//! 1. An Inkbox-style webhook delivery is signed and then verified the way a
//!    receiver would (strict mode: ids required, 300 s freshness window), and a
//!    tampered copy and a replay are refused.
//! 2. A vault is set up client-side: the master key is derived with Argon2id
//!    from a vault key and the organization id, a random org key is wrapped
//!    under it, a login secret (with TOTP) is encrypted, and everything is
//!    unwrapped and decrypted again as an unlock would.
//! 3. The TOTP code of that login is generated for the current time and
//!    verified.
//!
//! Core reads no clock and no OS randomness: this example passes both in.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use inkbox_core::ErrorCode;
use inkbox_core::totp::TotpConfig;
use inkbox_core::vault::{self, ClientUuid, LoginPayload, OrgKey, SecretPayload, SecretType};
use inkbox_core::webhook::{self, VerifyOptions};

fn main() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs();
    let mut rng = getrandom::SysRng;

    println!("== Webhook: sign, then verify as a receiver");
    let secret = "whsec_quickstart-signing-key";
    let body = br#"{"event_type":"message.received","timestamp":"2026-04-10T18:13:42.201Z","data":{"message":{"id":"9b2f6c7e-1d3a-4e5f-8a9b-0c1d2e3f4a5b"}}}"#;
    let signed = webhook::sign(secret, "req-7d1c", now, body).expect("sign");
    let headers = signed.headers();
    for (name, value) in &headers {
        println!("   {name}: {value}");
    }
    let verified = webhook::verify(headers, body, &[secret], now, &VerifyOptions::strict()).expect("verify");
    println!("   verified delivery {} (timestamp {})", verified.request_id, verified.timestamp);
    let mut tampered = body.to_vec();
    tampered[20] ^= 1;
    let err = webhook::verify(headers, &tampered, &[secret], now, &VerifyOptions::strict()).unwrap_err();
    println!("   tampered body refused: {} ({})", err, err.code());
    let err = webhook::verify(headers, body, &[secret], now + 600, &VerifyOptions::strict()).unwrap_err();
    println!("   replay ten minutes later refused: {} ({})", err, err.code());
    match webhook::envelope::parse(body).expect("envelope") {
        webhook::envelope::Event::Envelope(e) => {
            println!("   envelope: {} at {}, object {:?}", e.event_type, e.timestamp, e.object.map(|o| o.id()))
        }
        other => println!("   envelope: {other:?}"),
    }

    println!("\n== Vault: derive, wrap, encrypt, unlock, decrypt");
    let vault_key = "Quickstart-Vault-Key-01!";
    let organization_id = "org_quickstart_example";
    vault::check_vault_key(vault_key).expect("vault key rules");
    let started = Instant::now();
    let master = vault::derive_master_key(vault_key, organization_id).expect("argon2id");
    println!(
        "   Argon2id (t=3, m=64 MiB, p=1) in {:.0} ms; auth hash {}…",
        started.elapsed().as_secs_f64() * 1000.0,
        &master.auth_hash().as_str()[..16]
    );
    let org_key = OrgKey::generate(&mut rng).expect("org key");
    let key_id = ClientUuid::generate(&mut rng).expect("uuid");
    let wrapped = vault::wrap_org_key(&master, key_id.as_str(), &org_key, &mut rng).expect("wrap");
    println!("   wrapped org key for key {}: {}…", key_id.as_str(), &wrapped.as_str()[..24]);

    let totp =
        TotpConfig::from_uri("otpauth://totp/Example:agent@inkboxmail.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
            .expect("otpauth URI");
    let mut login = LoginPayload::new("s3cret-Passw0rd".to_owned());
    login.username = Some("agent@inkboxmail.com".to_owned());
    login.url = Some("https://example.com/login".to_owned());
    login.totp = Some(totp);
    let secret_id = ClientUuid::generate(&mut rng).expect("uuid");
    let payload = SecretPayload::Login(login);
    let encrypted = vault::encrypt_payload(&org_key, secret_id.as_str(), &payload, &mut rng).expect("encrypt");
    println!("   encrypted login secret {}: {} bytes of base64", secret_id.as_str(), encrypted.len());

    // Unlock: derive again from the vault key, unwrap, decrypt.
    let master_again = vault::derive_master_key(vault_key, organization_id).expect("argon2id");
    let org_key_again = vault::unwrap_org_key(&master_again, key_id.as_str(), wrapped.as_str()).expect("unwrap");
    let decrypted =
        vault::decrypt_payload(&org_key_again, secret_id.as_str(), &SecretType::Login, &encrypted).expect("decrypt");
    let SecretPayload::Login(login) = &decrypted else { unreachable!("stored as a login") };
    println!("   decrypted login for {:?} at {:?}", login.username.as_deref(), login.url.as_deref());
    println!("   debug output never shows secrets: {:?}", login);
    let wrong = vault::derive_master_key("Another-Vault-Key-99?", organization_id).expect("argon2id");
    let err = vault::unwrap_org_key(&wrong, key_id.as_str(), wrapped.as_str()).unwrap_err();
    println!("   wrong vault key refused: {} ({})", err, err.code());

    println!("\n== TOTP from the decrypted login");
    let config = login.totp.as_ref().expect("login has TOTP");
    let generator = config.generator().expect("generator");
    let code = generator.generate(now).expect("code");
    println!(
        "   {} for {:?}: {} (counter {}, {} s left)",
        config.issuer().unwrap_or("?"),
        config.account_name(),
        code.code,
        code.counter,
        code.seconds_remaining
    );
    println!("   verifies now: {}", generator.verify(code.code.as_str(), now, 1).is_some());
    println!("\nAll three primitives worked.");
}
