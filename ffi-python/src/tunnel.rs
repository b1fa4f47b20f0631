//! The tunnel data plane's rules (`inkbox_core::api::tunnel_data_plane`) for
//! the Python listener (`inkbox.tunnels._listener`), which only moves bytes:
//! HTTP/2 frames, the local forwarding, threads and sleeping.

use getrandom::SysRng;
use inkbox_core::ErrorCode;
use inkbox_core::api::tunnel_data_plane::{
    self as dp, Backoff, DataPlaneError, Envelope, ForwardTarget, HelloError, IntakeOutcome, WsEnvelopeReader,
    WsMessage, ZoneEndpoint,
};
use inkbox_core::api::tunnels;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::api::headers_arg;
use crate::args::{self, SecretStr};
use crate::errors::{exception, guard};

type Pairs = Vec<(String, String)>;

fn dp_err(py: Python<'_>, err: &DataPlaneError) -> PyErr {
    exception(py, "InkboxValidationError", err.code(), &err.to_string())
}

/// Where and how to dial a tunnel zone, and the system requests sent there.
#[pyclass(name = "TunnelZone", module = "inkbox._native", frozen)]
pub(crate) struct PyTunnelZone(ZoneEndpoint);

#[pymethods]
impl PyTunnelZone {
    #[new]
    fn new(py: Python<'_>, zone: &str) -> PyResult<Self> {
        guard(py, || ZoneEndpoint::parse(zone).map(Self).map_err(|e| dp_err(py, &e)))
    }

    #[getter]
    fn host(&self) -> String {
        self.0.host.clone()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.0.port
    }

    #[getter]
    fn tls(&self) -> bool {
        self.0.tls
    }

    #[getter]
    fn scheme(&self) -> &'static str {
        self.0.scheme()
    }

    #[getter]
    fn authority(&self) -> String {
        self.0.authority.clone()
    }

    /// The URL third parties reach `public_host` at.
    fn public_url(&self, public_host: &str) -> String {
        self.0.public_url(public_host)
    }

    /// Headers of `POST /_system/hello`.
    #[pyo3(signature = (tunnel_id, api_key, pool_size=None))]
    fn hello_headers(
        &self,
        py: Python<'_>,
        tunnel_id: &str,
        api_key: SecretStr,
        pool_size: Option<u32>,
    ) -> PyResult<Pairs> {
        Ok(dp::hello_headers(&self.0, tunnel_id, api_key.get(py, "api_key")?, pool_size))
    }

    /// Headers of one parked `POST /_system/intake`.
    fn intake_headers(&self, py: Python<'_>, tunnel_id: &str, owner_token: SecretStr, slot: u32) -> PyResult<Pairs> {
        Ok(dp::intake_headers(&self.0, tunnel_id, owner_token.get(py, "owner_token")?, slot))
    }

    /// Headers of `POST /_system/response/{request_id}`.
    #[pyo3(signature = (tunnel_id, api_key, request_id, status, headers, reason=None, body_len=0))]
    #[allow(clippy::too_many_arguments)]
    fn response_headers(
        &self,
        py: Python<'_>,
        tunnel_id: &str,
        api_key: SecretStr,
        request_id: &str,
        status: u16,
        headers: &Bound<'_, PyAny>,
        reason: Option<&str>,
        body_len: usize,
    ) -> PyResult<Pairs> {
        guard(py, || {
            let api_key = api_key.get(py, "api_key")?;
            let headers = headers_arg(headers)?;
            Ok(dp::response_headers(&self.0, tunnel_id, api_key, request_id, status, &headers, reason, body_len))
        })
    }

    /// The extended CONNECT opening the WebSocket bridge `/_system/ws/{ws_id}`.
    fn ws_connect_headers(&self, py: Python<'_>, tunnel_id: &str, api_key: SecretStr, ws_id: &str) -> PyResult<Pairs> {
        Ok(dp::ws_connect_headers(&self.0, tunnel_id, api_key.get(py, "api_key")?, ws_id))
    }

    /// The extended CONNECT opening the raw TCP bridge `/_system/tcp/{tcp_id}`.
    fn tcp_connect_headers(
        &self,
        py: Python<'_>,
        tunnel_id: &str,
        api_key: SecretStr,
        tcp_id: &str,
    ) -> PyResult<Pairs> {
        Ok(dp::tcp_connect_headers(&self.0, tunnel_id, api_key.get(py, "api_key")?, tcp_id))
    }

    fn __repr__(&self) -> String {
        format!("TunnelZone({:?}, tls={})", self.0.authority, if self.0.tls { "True" } else { "False" })
    }
}

/// A successful `/_system/hello`.
#[pyclass(name = "TunnelHello", module = "inkbox._native", frozen, get_all)]
pub(crate) struct PyTunnelHello {
    owner_token: String,
    default_pool_size: Option<u32>,
    intake_idle_seconds: Option<f64>,
    response_deadline_seconds: Option<f64>,
}

#[pymethods]
impl PyTunnelHello {
    /// How many intakes to park (server's suggestion, else `requested`, else 1).
    #[pyo3(signature = (requested=None))]
    fn pool_size(&self, requested: Option<u32>) -> u32 {
        self.default_pool_size.or(requested).unwrap_or(1).clamp(dp::POOL_SIZE_MIN, dp::POOL_SIZE_MAX)
    }

    fn __repr__(&self) -> String {
        format!("TunnelHello(owner_token=<redacted>, default_pool_size={:?})", self.default_pool_size)
    }
}

/// Reads a hello response: `TunnelHello`, or raises `TunnelAuthError`
/// (401/403, permanent) or `TunnelConnectError` (retry with backoff).
#[pyfunction]
pub(crate) fn tunnel_parse_hello(py: Python<'_>, status: u16, body: &[u8]) -> PyResult<PyTunnelHello> {
    guard(py, || match dp::parse_hello(status, body) {
        Ok(h) => Ok(PyTunnelHello {
            owner_token: h.owner_token,
            default_pool_size: h.default_pool_size,
            intake_idle_seconds: h.intake_idle_seconds,
            response_deadline_seconds: h.response_deadline_seconds,
        }),
        Err(e @ HelloError::Rejected(_)) => Err(exception(py, "TunnelAuthError", "tunnel.auth", &e.to_string())),
        Err(e) => Err(exception(py, "TunnelConnectError", "tunnel.connect", &e.to_string())),
    })
}

/// What an intake response status means: `"request"`, `"reconnect"` or `"repark"`.
#[pyfunction]
pub(crate) fn tunnel_intake_outcome(status: u16) -> &'static str {
    match dp::intake_outcome(status) {
        IntakeOutcome::Request => "request",
        IntakeOutcome::Reconnect => "reconnect",
        IntakeOutcome::Repark => "repark",
    }
}

/// One inbound request (from an intake response's headers).
#[pyclass(name = "TunnelEnvelope", module = "inkbox._native", frozen)]
pub(crate) struct PyTunnelEnvelope(Envelope);

#[pymethods]
impl PyTunnelEnvelope {
    #[getter]
    fn request_id(&self) -> String {
        self.0.request_id.clone()
    }
    #[getter]
    fn method(&self) -> String {
        self.0.method.clone()
    }
    #[getter]
    fn path(&self) -> String {
        self.0.path.clone()
    }
    /// `webhook`, `ws-upgrade`, `tcp-stream` or an unknown value verbatim.
    #[getter]
    fn route_kind(&self) -> String {
        self.0.route_kind.as_str().to_owned()
    }
    #[getter]
    fn ws_id(&self) -> Option<String> {
        self.0.ws_id.clone()
    }
    #[getter]
    fn tcp_id(&self) -> Option<String> {
        self.0.tcp_id.clone()
    }
    #[getter]
    fn sni_host(&self) -> Option<String> {
        self.0.sni_host.clone()
    }
    #[getter]
    fn body_uri(&self) -> Option<String> {
        self.0.body_uri.clone()
    }
    #[getter]
    fn forwarded_for(&self) -> Option<String> {
        self.0.forwarded_for.clone()
    }
    /// The third party's headers (lowercase names, in order).
    #[getter]
    fn headers(&self) -> Pairs {
        self.0.headers.clone()
    }
    /// The headers for the local target (`Host` = `host_header`, forwarded view, no hop-by-hop).
    fn forward_headers(&self, public_host: &str, host_header: &str) -> Pairs {
        dp::forward_request_headers(&self.0, public_host, host_header)
    }

    /// The `inkbox-*` headers carrying this envelope (core's `Envelope::to_headers`).
    fn to_headers(&self) -> Pairs {
        self.0.to_headers()
    }

    /// The subprotocols the third party offered (`Sec-WebSocket-Protocol`).
    fn ws_subprotocols(&self) -> Vec<String> {
        dp::ws_offered_subprotocols(&self.0)
    }

    fn __repr__(&self) -> String {
        format!("TunnelEnvelope({:?} {:?} {:?})", self.0.request_id, self.0.method, self.0.path)
    }
}

/// Parses an intake response's headers (`None` without `inkbox-request-id`).
#[pyfunction]
pub(crate) fn tunnel_parse_envelope(py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Option<PyTunnelEnvelope>> {
    guard(py, || Ok(dp::parse_envelope(&headers_arg(headers)?).map(PyTunnelEnvelope)))
}

/// The envelope of the `n`-th request read off the decrypted passthrough
/// stream `tcp_id` (core's `passthrough_envelope`: hop-by-hop headers dropped).
#[pyfunction]
#[pyo3(signature = (tcp_id, n, method, target, forwarded_for, headers))]
pub(crate) fn tunnel_passthrough_envelope(
    py: Python<'_>,
    tcp_id: &str,
    n: u64,
    method: &str,
    target: &str,
    forwarded_for: Option<&str>,
    headers: &Bound<'_, PyAny>,
) -> PyResult<PyTunnelEnvelope> {
    guard(py, || {
        let headers = headers_arg(headers)?;
        Ok(PyTunnelEnvelope(dp::passthrough_envelope(tcp_id, n, method, target, forwarded_for, &headers)))
    })
}

/// A response's headers without hop-by-hop ones.
#[pyfunction]
pub(crate) fn tunnel_filter_response_headers(py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Pairs> {
    guard(py, || Ok(dp::filter_response_headers(&headers_arg(headers)?)))
}

/// Checks an intake pool size (1–32); raises `InkboxValidationError`.
#[pyfunction]
pub(crate) fn tunnel_validate_pool_size(
    py: Python<'_>,
    #[pyo3(from_py_with = args::pool_size)] pool_size: i64,
) -> PyResult<u32> {
    guard(py, || dp::validate_pool_size(pool_size).map_err(|e| dp_err(py, &e)))
}

/// An agent handle or tunnel name as core normalizes it (one leading `@`
/// dropped, ASCII lowercase), unchecked.
#[pyfunction]
pub(crate) fn normalize_agent_handle(value: &str) -> String {
    inkbox_core::api::validate::normalize_handle(value)
}

/// The tunnel name `connect` looks up (core's `normalize_tunnel_name`);
/// raises `TunnelNameInvalid` (code of core's check) when it breaks the rules.
#[pyfunction]
pub(crate) fn tunnel_normalize_name(py: Python<'_>, name: &str) -> PyResult<String> {
    guard(py, || {
        tunnels::normalize_tunnel_name(name).map_err(|e| exception(py, "TunnelNameInvalid", e.code(), &e.to_string()))
    })
}

/// The index of the tunnel named `name` among a list response's
/// `tunnel_name`s (core's `find_by_name` rule), or `None`.
#[pyfunction]
pub(crate) fn tunnel_find_by_name(names: Vec<String>, name: &str) -> Option<usize> {
    tunnels::position_by_name(names.iter().map(String::as_str), name)
}

/// `None` if an inbound path may be forwarded, else the `inkbox-reason`.
#[pyfunction]
pub(crate) fn tunnel_check_inbound_path(path: &str) -> Option<&'static str> {
    dp::validate_inbound_path(path).err()
}

/// A checked `forward_to` URL (loopback-only unless `allow_remote_forwarding`).
#[pyclass(name = "TunnelForwardTarget", module = "inkbox._native", frozen)]
pub(crate) struct PyTunnelForwardTarget(ForwardTarget);

#[pymethods]
impl PyTunnelForwardTarget {
    #[new]
    #[pyo3(signature = (url, allow_remote_forwarding=false))]
    fn new(py: Python<'_>, url: &str, allow_remote_forwarding: bool) -> PyResult<Self> {
        guard(py, || ForwardTarget::parse(url, allow_remote_forwarding).map(Self).map_err(|e| dp_err(py, &e)))
    }
    #[getter]
    fn scheme(&self) -> String {
        self.0.scheme.clone()
    }
    /// `host[:port]` as written: the `Host` the target sees.
    #[getter]
    fn authority(&self) -> String {
        self.0.authority.clone()
    }
    #[getter]
    fn host(&self) -> String {
        self.0.host.clone()
    }
    #[getter]
    fn port(&self) -> Option<u16> {
        self.0.port
    }
    #[getter]
    fn base_path(&self) -> String {
        self.0.base_path.clone()
    }
    /// The URL an inbound path (with query) is forwarded to.
    fn url_for(&self, inbound_path: &str) -> String {
        self.0.url_for(inbound_path)
    }
    fn __repr__(&self) -> String {
        format!("TunnelForwardTarget({:?})", self.0.url_for("/"))
    }
}

/// Reconnect backoff (1 s doubling to 30 s, ±25 % jitter from the OS RNG).
#[pyclass(name = "TunnelBackoff", module = "inkbox._native")]
pub(crate) struct PyTunnelBackoff(Backoff);

#[pymethods]
impl PyTunnelBackoff {
    #[new]
    #[pyo3(signature = (initial_ms=1000, cap_ms=30000))]
    fn new(initial_ms: u64, cap_ms: u64) -> Self {
        Self(Backoff::new(initial_ms, cap_ms))
    }
    /// Records a failure; seconds to wait before the next attempt.
    fn next_delay(&mut self) -> f64 {
        // Delays are at most minutes: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let secs = self.0.next_delay_ms(&mut SysRng) as f64 / 1000.0;
        secs
    }
    /// Back to the initial delay (after a connection got through hello).
    fn reset(&mut self) {
        self.0.reset();
    }
    #[getter]
    fn failures(&self) -> u32 {
        self.0.failures()
    }
}

// ------------------------------------------------------------------ WebSocket bridge

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
#[pyfunction]
pub(crate) fn tunnel_ws_accept(key: &str) -> String {
    dp::ws_accept(key)
}

/// A `Sec-WebSocket-Key` from 16 random bytes.
#[pyfunction]
pub(crate) fn tunnel_ws_client_key(py: Python<'_>, nonce: &[u8]) -> PyResult<String> {
    let nonce = <[u8; 16]>::try_from(nonce).map_err(|_| {
        exception(py, "InkboxValidationError", "tunnel.ws_key", "a WebSocket key nonce is exactly 16 bytes")
    })?;
    Ok(dp::ws_client_key(&nonce))
}

/// The HTTP/1.1 upgrade request (head, ending with the blank line) for a
/// `ws://` local server, from an envelope and a `forward_to` target.
#[pyfunction]
pub(crate) fn tunnel_ws_upstream_request<'py>(
    py: Python<'py>,
    envelope: PyRef<'_, PyTunnelEnvelope>,
    target: PyRef<'_, PyTunnelForwardTarget>,
    public_host: &str,
    key: &str,
) -> Bound<'py, PyBytes> {
    PyBytes::new(py, dp::ws_upstream_request(&envelope.0, &target.0, public_host, key).as_bytes())
}

/// Checks a local server's handshake response head (status line + headers):
/// `(101, None, subprotocol, reply_headers)` when accepted, else
/// `(status for the third party, reason, None, [])`.
#[pyfunction]
pub(crate) fn tunnel_ws_check_upstream_response(
    head: &str,
    key: &str,
    offered: Vec<String>,
) -> (u16, Option<String>, Option<String>, Pairs) {
    match dp::ws_check_upstream_response(head, key, &offered) {
        Ok(hs) => (101, None, hs.subprotocol, hs.reply_headers),
        Err(e) => (e.status, Some(e.reason), None, Vec::new()),
    }
}

/// A text bridge envelope (length-prefixed JSON).
#[pyfunction]
pub(crate) fn tunnel_ws_envelope_text<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &dp::encode_ws_envelope(&WsMessage::Text(text.into())))
}

/// A binary bridge envelope (length-prefixed JSON, base64 data).
#[pyfunction]
pub(crate) fn tunnel_ws_envelope_binary<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &dp::encode_ws_envelope(&WsMessage::Binary(data.to_vec())))
}

/// A close bridge envelope.
#[pyfunction]
#[pyo3(signature = (code=1000, reason=""))]
pub(crate) fn tunnel_ws_envelope_close<'py>(py: Python<'py>, code: u16, reason: &str) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &dp::encode_ws_envelope(&WsMessage::Close { code, reason: reason.into() }))
}

/// One message from the bridge stream.
#[pyclass(name = "TunnelWsMessage", module = "inkbox._native", frozen)]
pub(crate) struct PyTunnelWsMessage(WsMessage);

#[pymethods]
impl PyTunnelWsMessage {
    /// `text`, `binary` or `close`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0 {
            WsMessage::Text(_) => "text",
            WsMessage::Binary(_) => "binary",
            WsMessage::Close { .. } => "close",
        }
    }
    /// The text of a text message (else `None`).
    #[getter]
    fn text(&self) -> Option<String> {
        match &self.0 {
            WsMessage::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
    /// The bytes of a binary message (else `None`).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        match &self.0 {
            WsMessage::Binary(b) => Some(PyBytes::new(py, b)),
            _ => None,
        }
    }
    /// The code of a close (else `None`).
    #[getter]
    fn code(&self) -> Option<u16> {
        match &self.0 {
            WsMessage::Close { code, .. } => Some(*code),
            _ => None,
        }
    }
    /// The reason of a close (else `""`).
    #[getter]
    fn reason(&self) -> String {
        match &self.0 {
            WsMessage::Close { reason, .. } => reason.clone(),
            _ => String::new(),
        }
    }
    fn __repr__(&self) -> String {
        format!("TunnelWsMessage({:?})", self.kind())
    }
}

/// Reassembles bridge envelopes from the bridge stream's frame payloads.
#[pyclass(name = "TunnelWsEnvelopeReader", module = "inkbox._native")]
pub(crate) struct PyTunnelWsEnvelopeReader(WsEnvelopeReader);

#[pymethods]
impl PyTunnelWsEnvelopeReader {
    #[new]
    #[pyo3(signature = (max_bytes=16777216))]
    fn new(max_bytes: usize) -> Self {
        Self(WsEnvelopeReader::new(max_bytes))
    }
    fn push(&mut self, data: &[u8]) {
        self.0.push(data);
    }
    /// The next complete message or `None`; raises `TunnelError` for an
    /// envelope over the limit.
    fn next_message(&mut self, py: Python<'_>) -> PyResult<Option<PyTunnelWsMessage>> {
        self.0
            .next_message()
            .map(|m| m.map(PyTunnelWsMessage))
            .map_err(|e| exception(py, "TunnelError", "tunnel.ws_envelope_too_large", &e.to_string()))
    }
    #[getter]
    fn buffered(&self) -> usize {
        self.0.buffered()
    }
}
