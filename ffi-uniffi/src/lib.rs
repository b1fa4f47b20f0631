//! Kotlin and Swift bindings of `inkbox-core` through uniffi: one Rust
//! surface for both (`ffi-uniffi/README.md`).
//!
//! This crate converts types, drives core's call engine and flows over the
//! host's [`transport::HttpTransport`], supplies the operating system's
//! CSPRNG and runs Argon2id off the caller's thread. Every rule lives in
//! core. The resources, the error family and core's models as uniffi types
//! are generated (`generated/`, by `tools/surface/gen.py`); the rest is
//! hand-written. Every exported call runs under uniffi's panic guard (a
//! panic reaches the host as uniffi's internal error, never a crash).

// The error crosses the FFI by value (uniffi lowers the enum's fields), so it
// cannot be boxed; its size is the price of one uniform field set.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

pub mod client;
pub mod credentials;
pub mod error;
pub mod flows;
pub mod identity;
pub mod imessage;
pub mod messages;
// Written by tools/surface/gen.py; `--check` diffs it, so rustfmt leaves it as written.
#[rustfmt::skip]
pub mod generated;
pub mod totp;
pub mod transport;
pub mod vault;
pub mod webhook;

pub use client::{Client, ClientStatics};
pub use error::InkboxError;
pub use transport::{HttpHeader, HttpRequest, HttpResponse, HttpTransport, TransportError};
