//! Tunnels REST beyond list/get: update (TLS mode, metadata) and sign-csr.

use inkbox_core::api::request::Method;
use serde::{Deserialize, Serialize};

use crate::app::{App, Ctx, Reply};
use crate::handlers::R;
use crate::state::State;

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TunnelsState {}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    let _ = (s, ctx);
    match name {
        _ => None,
    }
}

/// Handles a control-API route (`/_emulator/…`, admin key already checked)
/// if it belongs to this module. Called without the state lock held: use
/// [`App::read`] / [`App::mutate`].
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let _ = (app, method, path, ctx);
    None
}
