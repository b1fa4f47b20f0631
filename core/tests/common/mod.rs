//! Loading of the shared cross-language vectors.
//!
//! Every suite reads the one copy in `tests/vectors/` at the workspace root,
//! or the directory named by `INKBOX_VECTORS_DIR` (same schema, other values).
#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

/// The directory the vector files are read from.
pub fn vectors_dir() -> PathBuf {
    match std::env::var_os("INKBOX_VECTORS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

/// Reads and parses one vector file, checking its header fields.
pub fn load(file: &str) -> serde_json::Value {
    let path = vectors_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read vector file {}: {e}", path.display()));
    let value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("vector file {} is not JSON: {e}", path.display()));
    assert_eq!(value["schema_version"], 1, "{}: unsupported schema_version", path.display());
    let schema = value["schema"].as_str().expect("schema field");
    let stem = file.trim_end_matches(".json");
    assert_eq!(schema, format!("inkbox-test-vectors/{stem}"), "{}: wrong schema", path.display());
    assert!(value["reference"].is_object(), "{}: missing reference header", path.display());
    value
}

/// Decodes lowercase hex from a vector field.
pub fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("vector hex")
}

/// Decodes standard padded base64 from a vector field.
pub fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).expect("vector base64")
}
