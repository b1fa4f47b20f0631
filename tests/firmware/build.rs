//! Puts memory.x on the linker path and turns the shared vectors into Rust
//! constants (`cases.rs`): the firmware checks the same known answers as
//! every other suite, read from tests/vectors or `INKBOX_VECTORS_DIR`.

use std::fmt::Write as _;
use std::path::PathBuf;

use base64::Engine as _;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::copy("memory.x", out.join("memory.x")).expect("memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-env-changed=INKBOX_VECTORS_DIR");

    let dir = match std::env::var_os("INKBOX_VECTORS_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors"),
    };
    let webhook = load(&dir, "webhook.json");
    let totp = load(&dir, "totp.json");
    let mut src = String::new();

    // Webhook: the valid vector cases (and their tampered twins) that carry
    // all three headers with a numeric timestamp.
    let cases = webhook["cases"].as_array().expect("cases");
    let pick = |name: &str| cases.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("case {name}"));
    for (konst, name) in [
        ("VALID", "valid_whsec_prefixed_secret"),
        ("VALID_64K", "valid_64kib_body"),
        ("TAMPERED", "tampered_body_bit_flip"),
        ("WRONG_SECRET", "wrong_secret"),
    ] {
        let c = pick(name);
        let body =
            base64::engine::general_purpose::STANDARD.decode(c["body_b64"].as_str().expect("body")).expect("b64");
        let header = |n: &str| -> String {
            c["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .find(|h| h[0].as_str().expect("name").eq_ignore_ascii_case(n))
                .map(|h| h[1].as_str().expect("value").to_owned())
                .unwrap_or_else(|| panic!("{name}: header {n}"))
        };
        writeln!(
            src,
            "pub const {konst}: WebhookCase = WebhookCase {{ name: {name:?}, secret: {:?}, signature: {:?}, request_id: {:?}, timestamp: {:?}, body: &{:?}, expected: {} }};",
            c["secret"].as_str().expect("secret"),
            header("x-inkbox-signature"),
            header("x-inkbox-request-id"),
            header("x-inkbox-timestamp"),
            body,
            c["expected"].as_bool().expect("expected"),
        )
        .expect("write");
    }

    // TOTP: every RFC 6238 Appendix B case.
    src.push_str("pub const RFC6238: &[TotpCase] = &[\n");
    for c in totp["rfc6238"].as_array().expect("rfc6238") {
        let cfg = &c["config"];
        writeln!(
            src,
            "    TotpCase {{ name: {:?}, secret: {:?}, algorithm: {:?}, time: {}, code: {:?} }},",
            c["name"].as_str().expect("name"),
            cfg["secret"].as_str().expect("secret"),
            cfg["algorithm"].as_str().expect("algorithm"),
            c["time"].as_u64().expect("time"),
            c["expected"]["code"].as_str().expect("code"),
        )
        .expect("write");
    }
    src.push_str("];\n");
    std::fs::write(out.join("cases.rs"), src).expect("cases.rs");
    println!("cargo:rerun-if-changed={}", dir.join("webhook.json").display());
    println!("cargo:rerun-if-changed={}", dir.join("totp.json").display());
}

fn load(dir: &std::path::Path, file: &str) -> serde_json::Value {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
