//! Helpers shared by the resource modules' unit tests.
#![allow(clippy::unwrap_used)]

use super::request::{Request, Response};

/// A 200 response with a JSON body and no headers.
pub(crate) fn ok(body: &str) -> Response<'_> {
    Response::new(200, &[], body.as_bytes())
}

/// A response with `code` and a body, no headers.
pub(crate) fn status(code: u16, body: &str) -> Response<'_> {
    Response::new(code, &[], body.as_bytes())
}

/// A request's body as UTF-8 (panics when there is none: tests only).
pub(crate) fn body(r: &Request) -> &str {
    core::str::from_utf8(r.body.as_deref().unwrap()).unwrap()
}
