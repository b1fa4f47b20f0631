//! `inkbox._native`: the Python binding of `inkbox-core`.
//!
//! This crate only converts types, maps core errors to the exceptions of
//! `inkbox.exceptions`, supplies the host clock and the operating system's
//! CSPRNG, and releases the GIL around Argon2id. Every rule lives in core.
//! Every entry point runs inside a panic guard, so a Rust panic reaches
//! Python as `InkboxInternalError`, never as pyo3's `PanicException`.

mod api;
mod args;
mod convert;
mod errors;
mod field;
mod flows;
mod identity;
mod pyser;
mod totp;
mod tunnel;
mod tunnel_cert;
mod vault;
mod webhook;
mod ws_frame;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(webhook::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(webhook::verify_webhook_reason, m)?)?;
    m.add_function(wrap_pyfunction!(webhook::sign_webhook, m)?)?;

    m.add_class::<field::Field>()?;
    m.add_class::<totp::PyTotpConfig>()?;
    m.add_class::<totp::PyTotpCode>()?;
    m.add_function(wrap_pyfunction!(totp::generate_totp, m)?)?;
    m.add_function(wrap_pyfunction!(totp::verify_totp, m)?)?;
    m.add_function(wrap_pyfunction!(totp::parse_totp_uri, m)?)?;

    m.add_class::<vault::PyMasterKey>()?;
    m.add_class::<vault::PyOrgKey>()?;
    m.add_class::<vault::PyLoginPayload>()?;
    m.add_class::<vault::PyApiKeyPayload>()?;
    m.add_class::<vault::PyKeyPairPayload>()?;
    m.add_class::<vault::PySshKeyPayload>()?;
    m.add_class::<vault::PyOtherPayload>()?;
    m.add_class::<vault::PyVaultKeyMaterial>()?;
    m.add_function(wrap_pyfunction!(vault::derive_master_key, m)?)?;
    m.add_function(wrap_pyfunction!(vault::compute_auth_hash, m)?)?;
    m.add_function(wrap_pyfunction!(vault::wrap_org_key, m)?)?;
    m.add_function(wrap_pyfunction!(vault::unwrap_org_key, m)?)?;
    m.add_function(wrap_pyfunction!(vault::unwrap_org_key_with_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(vault::encrypt_payload, m)?)?;
    m.add_function(wrap_pyfunction!(vault::decrypt_payload, m)?)?;
    m.add_function(wrap_pyfunction!(vault::check_vault_key, m)?)?;
    m.add_function(wrap_pyfunction!(vault::generate_vault_key_material, m)?)?;
    m.add_function(wrap_pyfunction!(vault::generate_recovery_code, m)?)?;

    m.add_function(wrap_pyfunction!(pyser::register_models, m)?)?;
    m.add_function(wrap_pyfunction!(pyser::registered_models, m)?)?;
    m.add_function(wrap_pyfunction!(api::prepare, m)?)?;
    m.add_function(wrap_pyfunction!(api::operations, m)?)?;
    m.add_function(wrap_pyfunction!(api::result_types, m)?)?;
    m.add_function(wrap_pyfunction!(api::parse, m)?)?;
    m.add_class::<api::PyPrepared>()?;
    m.add_class::<api::PyCallOptions>()?;
    m.add_class::<api::PyCall>()?;

    m.add_class::<flows::PyFlow>()?;
    m.add_class::<flows::PyPage>()?;
    m.add_class::<flows::PyPagerFlow>()?;
    m.add_class::<flows::PyUnlockFlow>()?;
    m.add_class::<flows::PyInitializeFlow>()?;
    m.add_class::<flows::PyUpdateKeyFlow>()?;
    m.add_class::<flows::PyCreateSecretFlow>()?;
    m.add_class::<flows::PyGetSecretFlow>()?;
    m.add_class::<flows::PyUpdateSecretFlow>()?;
    m.add_class::<flows::PyTotpUpdateFlow>()?;
    m.add_class::<flows::PyUnlockedVault>()?;
    m.add_class::<flows::PyDecryptedSecret>()?;
    m.add_class::<flows::PyVaultInitializeResult>()?;
    m.add_function(wrap_pyfunction!(flows::totp_code, m)?)?;

    m.add_class::<tunnel::PyTunnelZone>()?;
    m.add_class::<tunnel::PyTunnelHello>()?;
    m.add_class::<tunnel::PyTunnelEnvelope>()?;
    m.add_class::<tunnel::PyTunnelForwardTarget>()?;
    m.add_class::<tunnel::PyTunnelBackoff>()?;
    m.add_class::<tunnel::PyTunnelWsMessage>()?;
    m.add_class::<tunnel::PyTunnelWsEnvelopeReader>()?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_accept, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_client_key, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_upstream_request, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_check_upstream_response, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_envelope_text, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_envelope_binary, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_ws_envelope_close, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_parse_hello, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_intake_outcome, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_parse_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_filter_response_headers, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_validate_pool_size, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_check_inbound_path, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_normalize_name, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::normalize_agent_handle, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_passthrough_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(identity::identity_email_address, m)?)?;
    m.add_function(wrap_pyfunction!(identity::identity_apply_update, m)?)?;
    m.add_function(wrap_pyfunction!(tunnel::tunnel_find_by_name, m)?)?;

    m.add_class::<tunnel_cert::PyTunnelKey>()?;
    m.add_function(wrap_pyfunction!(tunnel_cert::tunnel_cert_not_after, m)?)?;

    m.add_class::<ws_frame::PyWsFrame>()?;
    m.add_class::<ws_frame::PyWsFrameDecoder>()?;
    m.add_function(wrap_pyfunction!(ws_frame::ws_frame_encode, m)?)?;
    m.add_function(wrap_pyfunction!(ws_frame::ws_close_payload, m)?)?;
    m.add_function(wrap_pyfunction!(ws_frame::ws_parse_close, m)?)?;
    Ok(())
}
