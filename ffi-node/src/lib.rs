//! The Node.js binding of `inkbox-core` (napi-rs), loaded by
//! `ffi-node/js/native.cjs`; its contract is `ffi-node/NATIVE.md`.
//!
//! This crate only converts types, maps core errors to the JSON error
//! descriptors of the contract (JS `Error`s with code `INKBOX_NATIVE`),
//! supplies the operating system's CSPRNG, and runs Argon2id on the libuv
//! pool. Every rule lives in core. Every entry point runs inside a panic
//! guard.
// napi-derive's expansion of `#[napi]` items (module registration, class
// wrapping, value conversions) is unsafe code; this crate writes none itself.
#![allow(unsafe_code)]

pub mod call;
pub mod errors;
pub mod flows;
pub mod vault;
pub mod webhook;
