//! The plain request and response values exchanged with a binding's transport.

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use serde::Serialize;

use super::catalog::{Auth, Operation};
use super::error::ApiError;

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's token, e.g. `"GET"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Safe methods (RFC 9110 §9.2.1) may be retried without an idempotency key.
    pub const fn is_safe(self) -> bool {
        matches!(self, Method::Get)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The header carrying the API key.
pub const API_KEY_HEADER: &str = "X-API-Key";
/// The header carrying an idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// A request built by core, relative to the API origin.
///
/// A transport prepends the origin (see [`BaseUrl`] and [`Request::prepare`]),
/// sends `method`, `headers` and `body` exactly as given, and returns the
/// status, headers and body it received.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The catalog operation this request performs.
    pub operation: &'static Operation,
    /// The HTTP method.
    pub method: Method,
    /// Absolute path plus query string, e.g. `/api/v1/identities/?x=1`.
    pub path_and_query: String,
    /// Header pairs, in the order they should be sent (no auth header yet).
    pub headers: Vec<(String, String)>,
    /// The body bytes, or `None` when no body is sent at all.
    pub body: Option<Vec<u8>>,
    /// A timeout the operation needs beyond the client default, in ms.
    pub timeout_ms: Option<u64>,
    /// The API key this request must carry instead of the client's own
    /// (agent-signup calls authenticate with the key they were given).
    pub api_key_override: Option<String>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies can hold secrets (vault material, API keys): show only sizes.
        f.debug_struct("Request")
            .field("operation", &self.operation.name)
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("timeout_ms", &self.timeout_ms)
            .field("api_key_override", &self.api_key_override.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Request {
    /// Starts a request for `op`, filling the `{…}` parameters of its path
    /// template in order.
    pub(crate) fn builder(op: &'static Operation, params: &[&str]) -> Result<RequestBuilder, ApiError> {
        let path = fill_template(op.path, params)?;
        Ok(RequestBuilder { op, path, query: String::new(), headers: Vec::new(), body: None, timeout_ms: None })
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The idempotency key this request carries, if any.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.header(IDEMPOTENCY_KEY_HEADER)
    }

    /// Adds (or replaces) the `Idempotency-Key` header. Keys are 1–255 visible
    /// ASCII characters.
    pub fn set_idempotency_key(&mut self, key: &str) -> Result<(), ApiError> {
        super::validate::idempotency_key(key)?;
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(IDEMPOTENCY_KEY_HEADER));
        self.headers.push((IDEMPOTENCY_KEY_HEADER.to_owned(), key.to_owned()));
        Ok(())
    }

    /// `true` when the request may be sent again after a failure without
    /// risking a duplicate effect: safe methods, or any request carrying an
    /// idempotency key.
    pub fn is_retry_safe(&self) -> bool {
        self.method.is_safe() || self.idempotency_key().is_some()
    }

    /// Joins the request to an origin and adds the authentication header.
    ///
    /// `api_key` is the client's key; operations whose auth is [`Auth::None`]
    /// never carry it, and a request with [`Request::api_key_override`] uses
    /// that key instead.
    pub fn prepare(&self, base: &BaseUrl, api_key: Option<&str>) -> Result<PreparedRequest, ApiError> {
        // Credential headers already in `headers` are dropped: the request
        // carries exactly the one added below (none for `Auth::None`). A
        // second `X-API-Key` would leave the server to pick one.
        let mut headers: Vec<(String, String)> =
            self.headers.iter().filter(|(n, _)| !is_credential_header(n)).cloned().collect();
        let key = self.api_key_override.as_deref().or(api_key);
        match self.operation.auth {
            Auth::None => {}
            Auth::ApiKey => {
                let key = key.ok_or_else(|| ApiError::validation("api_key", "an API key is required for this call"))?;
                super::validate::header_value("api_key", key)?;
                headers.push((API_KEY_HEADER.to_owned(), key.to_owned()));
            }
            Auth::Bearer => {
                let key = key.ok_or_else(|| ApiError::validation("api_key", "an API key is required for this call"))?;
                super::validate::header_value("api_key", key)?;
                let mut v = String::from("Bearer ");
                v.push_str(key);
                headers.push(("Authorization".to_owned(), v));
            }
        }
        let mut url = String::with_capacity(base.as_str().len() + self.path_and_query.len());
        url.push_str(base.as_str());
        url.push_str(&self.path_and_query);
        Ok(PreparedRequest { method: self.method, url, headers, body: self.body.clone(), timeout_ms: self.timeout_ms })
    }
}

/// `X-API-Key` or `Authorization`, in any case.
fn is_credential_header(name: &str) -> bool {
    name.eq_ignore_ascii_case(API_KEY_HEADER) || name.eq_ignore_ascii_case("authorization")
}

/// A request joined to an origin with its auth header: exactly what goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// All headers, auth included.
    pub headers: Vec<(String, String)>,
    /// The body bytes, if any.
    pub body: Option<Vec<u8>>,
    /// A per-request timeout override in ms.
    pub timeout_ms: Option<u64>,
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// A response handed back by a transport.
#[derive(Clone, Copy)]
pub struct Response<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// Response headers as received.
    pub headers: &'a [(String, String)],
    /// The raw body bytes.
    pub body: &'a [u8],
}

impl fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

impl<'a> Response<'a> {
    /// Bundles the three parts of a response.
    pub fn new(status: u16, headers: &'a [(String, String)], body: &'a [u8]) -> Self {
        Response { status, headers, body }
    }

    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `true` for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The API origin, validated: `https://…`, or `http://` only for `localhost`,
/// `127.0.0.1` and `[::1]` (the official SDK allows the first two; we add the
/// IPv6 loopback). A trailing `/` is removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// The production origin.
    pub const DEFAULT: &'static str = "https://inkbox.ai";

    /// Validates an origin.
    pub fn parse(url: &str) -> Result<Self, ApiError> {
        let trimmed = url.trim().trim_end_matches('/');
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| ApiError::validation("base_url", "base_url must start with https://"))?;
        let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host_port.is_empty() || rest.contains(['?', '#']) || trimmed.bytes().any(|b| b <= b' ' || b >= 0x7f) {
            return Err(ApiError::validation("base_url", "base_url is not a valid absolute URL"));
        }
        let host = if let Some(v6) = host_port.strip_prefix('[') {
            v6.split(']').next().map(|h| h.to_owned()).unwrap_or_default()
        } else {
            host_port.split(':').next().unwrap_or_default().to_ascii_lowercase()
        };
        let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1");
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(ApiError::validation(
                    "base_url",
                    "base_url must use https:// (http:// is allowed only for localhost)",
                ));
            }
            _ => return Err(ApiError::validation("base_url", "base_url must start with https://")),
        }
        Ok(BaseUrl(trimmed.to_owned()))
    }

    /// The origin without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl(Self::DEFAULT.to_owned())
    }
}

/// Builds a [`Request`] step by step (crate-internal).
#[derive(Debug)]
pub(crate) struct RequestBuilder {
    op: &'static Operation,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    timeout_ms: Option<u64>,
}

impl RequestBuilder {
    /// Appends `key=value` to the query (value percent-encoded).
    pub(crate) fn query(mut self, key: &str, value: impl QueryValue) -> Self {
        self.query.push(if self.query.is_empty() { '?' } else { '&' });
        encode_query_component(&mut self.query, key);
        self.query.push('=');
        value.write(&mut self.query);
        self
    }

    /// Appends `key=value` when `value` is `Some`; keys with no value are dropped.
    pub(crate) fn query_opt(self, key: &str, value: Option<impl QueryValue>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Sets a JSON body (compact) and its content type.
    pub(crate) fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::validation("body", e.to_string()))?;
        self.headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        self.body = Some(bytes);
        Ok(self)
    }

    /// Sets a raw body with a content type.
    pub(crate) fn raw_body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers.push(("Content-Type".to_owned(), content_type.to_owned()));
        self.body = Some(body);
        self
    }

    /// Adds a header.
    #[allow(dead_code)]
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a per-request timeout.
    pub(crate) fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// Finishes the request: `Accept: application/json` first, then the rest.
    pub(crate) fn build(self) -> Request {
        let mut headers = Vec::with_capacity(self.headers.len() + 1);
        headers.push(("Accept".to_owned(), "application/json".to_owned()));
        headers.extend(self.headers);
        let mut path_and_query = self.path;
        path_and_query.push_str(&self.query);
        Request {
            operation: self.op,
            method: self.op.method,
            path_and_query,
            headers,
            body: self.body,
            timeout_ms: self.timeout_ms,
            api_key_override: None,
        }
    }
}

/// Values that can appear in a query string.
pub(crate) trait QueryValue {
    fn write(&self, out: &mut String);
}

impl QueryValue for &str {
    fn write(&self, out: &mut String) {
        encode_query_component(out, self);
    }
}
impl QueryValue for &String {
    fn write(&self, out: &mut String) {
        encode_query_component(out, self);
    }
}
impl QueryValue for String {
    fn write(&self, out: &mut String) {
        encode_query_component(out, self);
    }
}
impl QueryValue for bool {
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}
macro_rules! int_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn write(&self, out: &mut String) {
                let _ = write!(out, "{}", self);
            }
        }
    )*};
}
int_query_value!(u8, u16, u32, u64, usize, i32, i64);

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_pct(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
    out.push(char::from(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0')));
}

/// Percent-encodes a query key or value: everything but RFC 3986 unreserved
/// characters is escaped (a space becomes `%20`).
fn encode_query_component(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            push_pct(out, b);
        }
    }
}

/// Encodes a path parameter.
///
/// The official SDKs interpolate path parameters verbatim (an email's `@`,
/// an E.164 number's `+`). We keep every character that is legal in a path
/// segment as is — so all valid ids, handles, addresses and numbers go out
/// byte-identical — and percent-encode only what would change the URL's
/// structure or is not legal there (`/`, `?`, `#`, `%`, spaces, controls and
/// non-ASCII). This is a deliberate safety difference: a hostile value can no
/// longer address another route.
pub(crate) fn encode_path_segment(out: &mut String, s: &str) {
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            push_pct(out, b);
        }
    }
}

/// Percent-encodes every byte outside the unreserved set (used where the
/// official SDK fully encodes, e.g. the domain in `set-default`).
pub(crate) fn encode_path_segment_strict(out: &mut String, s: &str) {
    encode_query_component(out, s);
}

/// Fills `{name}` placeholders in order. A value that is empty is refused
/// (it would address a different route).
fn fill_template(template: &str, params: &[&str]) -> Result<String, ApiError> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    let mut params = params.iter();
    while let Some(start) = rest.find('{') {
        let (head, tail) = rest.split_at(start);
        out.push_str(head);
        let end = tail.find('}').ok_or_else(|| ApiError::validation("path", "malformed path template"))?;
        let (name, after) = tail.split_at(end);
        let name = name.trim_start_matches('{');
        let value = params.next().ok_or_else(|| ApiError::validation("path", "missing path parameter"))?;
        if value.is_empty() {
            return Err(ApiError::validation_owned(name.to_string(), "must not be empty"));
        }
        if name.ends_with("_encoded") {
            encode_path_segment_strict(&mut out, value);
        } else {
            encode_path_segment(&mut out, value);
        }
        rest = after.strip_prefix('}').unwrap_or(after);
    }
    out.push_str(rest);
    if params.next().is_some() {
        return Err(ApiError::validation("path", "too many path parameters"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloc::vec;

    #[test]
    fn path_parameters_keep_at_and_plus_but_not_slashes() {
        let p = fill_template("/a/{email}/b/{num}", &["bot@inkboxmail.com", "+15551234567"]).unwrap();
        assert_eq!(p, "/a/bot@inkboxmail.com/b/+15551234567");
        let p = fill_template("/a/{x}", &["../x?y#z %"]).unwrap();
        assert_eq!(p, "/a/..%2Fx%3Fy%23z%20%25");
        let p = fill_template("/d/{domain_encoded}/set-default", &["mail.example.com"]).unwrap();
        assert_eq!(p, "/d/mail.example.com/set-default");
        let p = fill_template("/d/{domain_encoded}", &["a/b:c"]).unwrap();
        assert_eq!(p, "/d/a%2Fb%3Ac");
        assert!(fill_template("/a/{x}", &[""]).is_err());
        assert!(fill_template("/a/{x}", &[]).is_err());
        assert!(fill_template("/a", &["extra"]).is_err());
    }

    /// Credential headers in a prepared request (`X-API-Key`, `Authorization`).
    fn credentials(p: &PreparedRequest) -> Vec<(&str, &str)> {
        p.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(API_KEY_HEADER) || n.eq_ignore_ascii_case("authorization"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn prepare_emits_exactly_one_credential_header() {
        let base = BaseUrl::parse("http://127.0.0.1:1").unwrap();
        let keyed = super::super::catalog::by_name("whoami.get").unwrap();
        let public = super::super::catalog::all().find(|op| op.auth == Auth::None).unwrap();
        let bearer = super::super::catalog::agentpost().find(|op| op.auth == Auth::Bearer).unwrap();
        let stale: Vec<(String, String)> = vec![
            ("x-api-key".into(), "ApiKey_stale".into()),
            ("X-API-KEY".into(), "ApiKey_other".into()),
            ("Authorization".into(), "Bearer stale".into()),
            ("Accept".into(), "application/json".into()),
        ];
        let req = |op: &'static Operation, headers: Vec<(String, String)>, over: Option<&str>| Request {
            operation: op,
            method: op.method,
            path_and_query: "/x".into(),
            headers,
            body: None,
            timeout_ms: None,
            api_key_override: over.map(String::from),
        };
        // Headers that already carry credentials, with and without an override.
        let p = req(keyed, stale.clone(), None).prepare(&base, Some("ApiKey_client")).unwrap();
        assert_eq!(credentials(&p), vec![(API_KEY_HEADER, "ApiKey_client")]);
        let p = req(keyed, stale.clone(), Some("ApiKey_override")).prepare(&base, Some("ApiKey_client")).unwrap();
        assert_eq!(credentials(&p), vec![(API_KEY_HEADER, "ApiKey_override")]);
        let p = req(keyed, Vec::new(), Some("ApiKey_override")).prepare(&base, Some("ApiKey_client")).unwrap();
        assert_eq!(credentials(&p), vec![(API_KEY_HEADER, "ApiKey_override")]);
        let p = req(bearer, stale.clone(), None).prepare(&base, Some("ap_sk_client")).unwrap();
        assert_eq!(credentials(&p), vec![("Authorization", "Bearer ap_sk_client")]);
        // Operations without auth carry none at all.
        let p = req(public, stale.clone(), Some("ApiKey_override")).prepare(&base, Some("ApiKey_client")).unwrap();
        assert_eq!(credentials(&p), Vec::<(&str, &str)>::new());
        // Other headers are kept in order.
        assert!(p.headers.iter().any(|(n, v)| n == "Accept" && v == "application/json"));
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(BaseUrl::parse("https://inkbox.ai/").unwrap().as_str(), "https://inkbox.ai");
        assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(BaseUrl::parse("http://localhost:1/").is_ok());
        assert!(BaseUrl::parse("http://[::1]:9").is_ok());
        assert!(BaseUrl::parse("http://example.com").is_err());
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("inkbox.ai").is_err());
        assert!(BaseUrl::parse("https://").is_err());
        assert!(BaseUrl::parse("https://a b").is_err());
    }
}
