//! Prints the operation catalog, one JSON object per line:
//! `{"name", "method", "path", "auth", "paging", "result"}` (`result`: the
//! Rust type its parser returns, e.g. `Vec<PhoneNumber>`).
//!
//! `cargo run -q -p inkbox-core --example operations`
#![allow(clippy::print_stdout)]

use inkbox_core::api::{catalog, dynamic};

fn main() {
    for op in catalog::all() {
        let line = serde_json::json!({
            "name": op.name,
            "method": op.method.as_str(),
            "path": op.path,
            "auth": op.auth.as_str(),
            "paging": op.paging.as_str(),
            "result": dynamic::result_type(op.name),
        });
        println!("{line}");
    }
}
