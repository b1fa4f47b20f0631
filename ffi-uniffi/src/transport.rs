//! The host's HTTP stack, as one foreign async trait the call engine
//! drives: Kotlin implements it over `java.net.http.HttpClient`
//! (`HttpClientTransport.kt`), Swift over `URLSession`
//! (`URLSessionTransport.swift`); a user may plug in their own (OkHttp, a
//! test fake).

use std::fmt;
use std::sync::Arc;

use inkbox_core::api::TransportErrorKind;

/// One header.
#[derive(Clone, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

impl fmt::Debug for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be the API key.
        f.debug_struct("HttpHeader").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A request exactly as it goes on the wire (core prepared it: URL, every
/// header with authentication, the body). An Object, not a Record, so the
/// host's `toString` never shows the API key or the body.
#[derive(uniffi::Object)]
pub struct HttpRequest {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<HttpHeader>,
    pub(crate) body: Option<Vec<u8>>,
}

#[uniffi::export]
impl HttpRequest {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub fn method(&self) -> String {
        self.method.clone()
    }

    /// The absolute URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every header to send, authentication included (the values are the
    /// wire's: the API key is among them).
    pub fn headers(&self) -> Vec<HttpHeader> {
        self.headers.clone()
    }

    /// The body; `None`: no body.
    pub fn body(&self) -> Option<Vec<u8>> {
        self.body.clone()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry an auth hash, the headers the API key, the
        // body secrets: only the method, the path and the sizes are shown.
        let path = self.url.split_once('?').map_or(self.url.as_str(), |(p, _)| p);
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// A response, whatever its status.
#[derive(Clone, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Why a send failed before a response arrived. Core decides from the kind
/// whether to retry (a connect failure is retried; a timeout or an
/// interruption only for a request that is safe to repeat).
#[derive(Debug, Clone, uniffi::Error)]
pub enum TransportError {
    /// The connection could not be made (nothing was sent).
    Connect { detail: String },
    /// No response within the timeout.
    Timeout { detail: String },
    /// The exchange broke off after the request may have been sent.
    Interrupted { detail: String },
    /// Anything else (including an unexpected exception of the host's code).
    Other { detail: String },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, detail) = self.parts();
        write!(f, "{kind}: {detail}")
    }
}

impl std::error::Error for TransportError {}

impl TransportError {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            TransportError::Connect { detail } => ("connect", detail),
            TransportError::Timeout { detail } => ("timeout", detail),
            TransportError::Interrupted { detail } => ("interrupted", detail),
            TransportError::Other { detail } => ("other", detail),
        }
    }

    /// Core's kind and the message that goes into the error.
    pub(crate) fn core(&self) -> (TransportErrorKind, &str) {
        let kind = match self {
            TransportError::Connect { .. } => TransportErrorKind::Connect,
            TransportError::Timeout { .. } => TransportErrorKind::Timeout,
            TransportError::Interrupted { .. } => TransportErrorKind::Interrupted,
            TransportError::Other { .. } => TransportErrorKind::Other,
        };
        (kind, self.parts().1)
    }
}

/// A host exception that is not a `TransportError` becomes `Other`, so a
/// throwing implementation never panics Rust. Its text is not kept.
impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        let _ = e;
        TransportError::Other { detail: "the transport threw an unexpected exception".to_owned() }
    }
}

/// The host's HTTP stack. `send` performs one exchange (no retries, no
/// redirects: core decides those); `sleep` waits between attempts.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request`, waiting at most `timeout_ms` for the whole exchange.
    async fn send(&self, request: Arc<HttpRequest>, timeout_ms: u64) -> Result<HttpResponse, TransportError>;

    /// Waits `ms` milliseconds.
    async fn sleep(&self, ms: u64) -> Result<(), TransportError>;
}
