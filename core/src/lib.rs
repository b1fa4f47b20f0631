#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
pub mod api;
pub mod error;
pub mod totp;
pub mod vault;
pub mod webhook;

pub use error::{ErrorClass, ErrorCode};
