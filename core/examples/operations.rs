//! Prints the operation catalog, one JSON object per line:
//! `{"name", "method", "path", "auth", "paging"}`.
//!
//! `cargo run -q -p inkbox-core --example operations`
#![allow(clippy::print_stdout)]

use inkbox_core::api::catalog;

fn main() {
    for op in catalog::all() {
        let line = serde_json::json!({
            "name": op.name,
            "method": op.method.as_str(),
            "path": op.path,
            "auth": op.auth.as_str(),
            "paging": op.paging.as_str(),
        });
        println!("{line}");
    }
}
