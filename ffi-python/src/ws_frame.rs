//! RFC 6455 frames (`inkbox_core::api::ws_frame`) for the tunnel bridges of
//! the Python listener: encode one frame, decode a byte stream incrementally.

use inkbox_core::api::ws_frame::{self as wf, Decoder, Frame, FrameError, MaskRule, Opcode};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{exception, guard};

fn frame_err(py: Python<'_>, err: &FrameError) -> PyErr {
    exception(py, "TunnelError", err.code(), &err.to_string())
}

fn opcode_arg(py: Python<'_>, name: &str) -> PyResult<Opcode> {
    Opcode::from_name(name).ok_or_else(|| {
        exception(
            py,
            "InkboxValidationError",
            "ws_frame_opcode",
            &format!("unknown WebSocket opcode {name:?}: expected continuation, text, binary, close, ping or pong"),
        )
    })
}

fn mask_arg(py: Python<'_>, mask: Option<&[u8]>) -> PyResult<Option<[u8; 4]>> {
    mask.map(|m| {
        <[u8; 4]>::try_from(m).map_err(|_| {
            exception(py, "InkboxValidationError", "ws_frame_mask", "a WebSocket mask key is exactly 4 bytes")
        })
    })
    .transpose()
}

/// One decoded frame (payload unmasked).
#[pyclass(name = "WsFrame", module = "inkbox._native", frozen)]
pub(crate) struct PyWsFrame(Frame);

#[pymethods]
impl PyWsFrame {
    /// `continuation`, `text`, `binary`, `close`, `ping` or `pong`.
    #[getter]
    fn opcode(&self) -> &'static str {
        self.0.opcode.name()
    }

    #[getter]
    fn fin(&self) -> bool {
        self.0.fin
    }

    #[getter]
    fn masked(&self) -> bool {
        self.0.masked
    }

    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.payload)
    }

    fn __repr__(&self) -> String {
        format!(
            "WsFrame(opcode={:?}, fin={}, len={})",
            self.0.opcode.name(),
            if self.0.fin { "True" } else { "False" },
            self.0.payload.len()
        )
    }
}

/// Incremental frame decoder: `feed(bytes)`, then `next_frame()` until `None`
/// (or `frames()` for all complete ones). Raises `TunnelError` on a protocol
/// violation or a payload over `max_payload`; the decoder then stays failed.
#[pyclass(name = "WsFrameDecoder", module = "inkbox._native")]
pub(crate) struct PyWsFrameDecoder(Decoder);

#[pymethods]
impl PyWsFrameDecoder {
    /// `mask`: `"any"` (default), `"required"` or `"forbidden"`.
    #[new]
    #[pyo3(signature = (max_payload=16777216, mask="any"))]
    fn new(py: Python<'_>, max_payload: usize, mask: &str) -> PyResult<Self> {
        let rule = match mask {
            "any" => MaskRule::Any,
            "required" => MaskRule::Required,
            "forbidden" => MaskRule::Forbidden,
            other => {
                return Err(exception(
                    py,
                    "InkboxValidationError",
                    "ws_frame_mask_rule",
                    &format!("mask must be \"any\", \"required\" or \"forbidden\", not {other:?}"),
                ));
            }
        };
        Ok(Self(Decoder::new(max_payload, rule)))
    }

    fn feed(&mut self, data: &[u8]) {
        self.0.feed(data);
    }

    fn next_frame(&mut self, py: Python<'_>) -> PyResult<Option<PyWsFrame>> {
        guard(py, || self.0.next_frame().map(|f| f.map(PyWsFrame)).map_err(|e| frame_err(py, &e)))
    }

    /// Every complete frame buffered now.
    fn frames(&mut self, py: Python<'_>) -> PyResult<Vec<PyWsFrame>> {
        guard(py, || {
            let mut out = Vec::new();
            while let Some(f) = self.0.next_frame().map_err(|e| frame_err(py, &e))? {
                out.push(PyWsFrame(f));
            }
            Ok(out)
        })
    }

    /// Bytes fed but not yet returned as frames.
    #[getter]
    fn buffered(&self) -> usize {
        self.0.buffered()
    }
}

/// One frame's bytes; `mask` is a 4-byte key (a client must mask).
/// Control frames (close/ping/pong) must have `fin` and at most 125 bytes.
#[pyfunction]
#[pyo3(signature = (opcode, payload, fin=true, mask=None))]
pub(crate) fn ws_frame_encode<'py>(
    py: Python<'py>,
    opcode: &str,
    payload: &[u8],
    fin: bool,
    mask: Option<&[u8]>,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(py, || {
        let op = opcode_arg(py, opcode)?;
        let key = mask_arg(py, mask)?;
        let bytes = wf::encode_checked(fin, op, payload, key).map_err(|e| frame_err(py, &e))?;
        Ok(PyBytes::new(py, &bytes))
    })
}

/// A CLOSE payload: code + reason (cut to fit 125 bytes); `None` → empty.
#[pyfunction]
#[pyo3(signature = (code=None, reason=""))]
pub(crate) fn ws_close_payload<'py>(py: Python<'py>, code: Option<u16>, reason: &str) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &wf::close_payload(code, reason))
}

/// `(code, reason)` of a CLOSE payload; empty → `(None, "")`.
#[pyfunction]
pub(crate) fn ws_parse_close(py: Python<'_>, payload: &[u8]) -> PyResult<(Option<u16>, String)> {
    guard(py, || wf::parse_close(payload).map_err(|e| frame_err(py, &e)))
}
