//! Identity rules from core (`inkbox_core::api::identities`) for
//! `inkbox.agent_identity`: which email address an identity has and how an
//! update's answer is applied, so Python and the Rust client cannot differ.

use inkbox_core::api::identities::{self as ids, AgentIdentity, AgentIdentitySummary};
use pyo3::prelude::*;

use crate::convert::{json_to_py, to_wire_json};
use crate::errors::guard;

/// The identity's email address (core's `identity_email_address`): its own
/// field, else the mailbox's; empty strings count as absent.
#[pyfunction]
#[pyo3(signature = (own, mailbox))]
pub(crate) fn identity_email_address(own: Option<String>, mailbox: Option<String>) -> Option<String> {
    ids::identity_email_address(own.as_deref(), mailbox.as_deref()).map(str::to_owned)
}

/// Applies an update's answer (`AgentIdentitySummary`) to an identity (both
/// models or wire dicts) by core's `AgentIdentity::apply_update`: the merged
/// identity's wire dict, or `None` when it must be fetched again (a rename of
/// an identity with a tunnel, or values that do not read as the models).
#[pyfunction]
pub(crate) fn identity_apply_update<'py>(
    py: Python<'py>,
    identity: &Bound<'py, PyAny>,
    summary: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    guard(py, || {
        let data = serde_json::from_value::<AgentIdentity>(to_wire_json(identity, 0)?);
        let summary = serde_json::from_value::<AgentIdentitySummary>(to_wire_json(summary, 0)?);
        let (Ok(mut data), Ok(summary)) = (data, summary) else {
            return Ok(None);
        };
        if data.apply_update(&summary) {
            return Ok(None);
        }
        match serde_json::to_value(&data) {
            Ok(value) => Ok(Some(json_to_py(py, &value)?)),
            Err(_) => Ok(None),
        }
    })
}
