//! Core errors as the JSON descriptors of `NATIVE.md`, thrown as JS `Error`s
//! whose `code` is `"INKBOX_NATIVE"`, and the panic guard every entry point
//! runs in.
//!
//! The class of each descriptor is the one `ffi-python/src/errors.rs`
//! chooses for the same core error. Core messages never contain secrets; the
//! descriptor carries no body (a response body may hold secrets).

use std::fmt::Display;
use std::panic::{AssertUnwindSafe, catch_unwind};

use inkbox_core::api::{ApiError, Detail, ErrorKind, RetryAfter, StatusError};
use inkbox_core::totp::TotpError;
use inkbox_core::vault::VaultError;
use inkbox_core::webhook::WebhookError;
use inkbox_core::{ErrorClass, ErrorCode};
use serde_json::{Map, Value};

/// The `code` of every error this module throws: napi-rs uses the status
/// of a `napi::Error` as the JS error's `code`.
#[derive(Debug, Clone, Copy)]
pub struct Native;

impl AsRef<str> for Native {
    fn as_ref(&self) -> &str {
        "INKBOX_NATIVE"
    }
}

/// The error type of every entry point.
pub type NativeError = napi::Error<Native>;
/// The result type of every entry point.
pub type NResult<T, E = NativeError> = std::result::Result<T, E>;

/// A failure inside an entry point: its JSON descriptor (built at once, so
/// nothing borrowed outlives the call).
#[derive(Debug)]
pub struct Fail(pub(crate) Map<String, Value>);

impl Fail {
    /// A descriptor of `class` with `code` and `message`.
    pub(crate) fn new(class: &str, code: &str, message: impl Display) -> Self {
        let mut m = Map::new();
        m.insert("class".into(), class.into());
        m.insert("code".into(), code.into());
        m.insert("message".into(), message.to_string().into());
        Fail(m)
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// `InkboxValidationError` for argument `field`.
    pub(crate) fn invalid(field: &str, message: impl Display) -> Self {
        Fail::from(ApiError::Validation { field: field.to_owned().into(), message: message.to_string().into() })
    }

    /// The descriptor as JSON text.
    pub(crate) fn json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    /// The error napi-rs throws.
    pub(crate) fn into_napi(self) -> NativeError {
        napi::Error::new(Native, self.json())
    }

    fn panic() -> Self {
        Fail::new("InkboxInternalError", "internal.panic", "internal error in the inkbox native module")
    }
}

/// A napi-rs failure inside an entry point (a conversion of a value to JS).
impl From<napi::Error> for Fail {
    fn from(e: napi::Error) -> Self {
        Fail::new("InkboxInternalError", "internal.napi", format!("{}: {}", e.status.as_ref(), e.reason))
    }
}

macro_rules! from_core {
    ($($t:ty),*) => {$(
        impl From<$t> for Fail {
            fn from(e: $t) -> Self {
                Fail::new(e.error_class(), e.code(), &e)
            }
        }
    )*};
}
from_core!(WebhookError, TotpError, VaultError);

fn detail_json(detail: &Detail) -> Value {
    match detail {
        Detail::None => Value::Null,
        Detail::Text(s) => Value::String(s.clone()),
        Detail::Object(m) => Value::Object(m.clone()),
        Detail::List(l) => Value::Array(l.clone()),
    }
}

/// Unix seconds of the host clock.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `Retry-After` in seconds from now (a date in the past is 0).
fn retry_after_secs(ra: RetryAfter) -> f64 {
    // Milliseconds to seconds; exact for any realistic delay.
    #[allow(clippy::cast_precision_loss)]
    let secs = ra.delay_ms(now_unix()) as f64 / 1000.0;
    secs
}

fn status_fail(e: &StatusError, message: String) -> Fail {
    let mut f = Fail::new(e.kind.error_class(), e.kind.code(), message)
        .with("statusCode", e.status)
        .with("detail", detail_json(&e.detail))
        .with("retryAfterSeconds", e.retry_after.map(retry_after_secs))
        .with("agentSupport", e.agent_support.clone());
    match &e.kind {
        ErrorKind::HandleUnavailable { blocking_namespace } => {
            f = f.with("blockingNamespace", blocking_namespace.clone());
        }
        ErrorKind::DuplicateContactRule { existing_rule_id } => {
            f = f.with("existingRuleId", existing_rule_id.clone());
        }
        ErrorKind::RecipientBlocked { matched_rule_id, address, reason } => {
            f = f
                .with("matchedRuleId", matched_rule_id.clone())
                .with("address", address.clone())
                .with("reason", reason.clone());
        }
        _ => {}
    }
    f
}

impl From<ApiError> for Fail {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let message = err.to_string();
        let class = err.error_class();
        match err {
            ApiError::Status(e) => status_fail(&e, message),
            ApiError::Validation { field, .. } => Fail::new(class, code, message).with("field", field.as_ref()),
            ApiError::Decode { status, .. } => Fail::new(class, code, message).with("statusCode", status),
            ApiError::Vault(e) => Fail::from(e),
            ApiError::Totp(e) => Fail::from(e),
            _ => Fail::new(class, code, message),
        }
    }
}

/// Runs `f`, turning a failure into the thrown descriptor and a Rust panic
/// into `InkboxInternalError` (code `internal.panic`). The panic payload is
/// not shown: it could quote input.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Fail>) -> NResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(Fail::panic())).map_err(Fail::into_napi)
}

/// [`guard`] for the `compute` of an `AsyncTask`, which runs on the libuv
/// pool and must fail with napi's own error type: the rejection carries
/// napi's status as its `code` and the descriptor JSON as its message
/// (`js/native.cjs` reads both forms).
pub(crate) fn guard_task<T>(f: impl FnOnce() -> Result<T, Fail>) -> napi::Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Fail::panic()))
        .map_err(|f| napi::Error::new(napi::Status::GenericFailure, f.json()))
}
