//! Org administration: tunnels (control plane only), API keys and the
//! org-level signing-key status.

use inkbox_core::api::keys::{self, CreateApiKeyRequest, CreatedApiKey, SigningKeyStatus};
use inkbox_core::api::tunnels::{self, SignedCert, Tunnel, UpdateTunnelRequest};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Tunnels: list, get, update metadata, sign a passthrough CSR. Tunnels
    /// are created and deleted with their identity; this client has no data
    /// plane.
    pub fn tunnels(&self) -> Tunnels<'_> {
        Tunnels { client: self }
    }

    /// API keys.
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { client: self }
    }

    /// Whether a webhook signing key is configured (legacy org-level route).
    pub fn signing_key_status(&self) -> Result<SigningKeyStatus> {
        self.execute(keys::build_get_signing_key_status()?, keys::parse_get_signing_key_status)
    }
}

/// Tunnels (`/api/v1/tunnels`), addressed by UUID.
#[derive(Clone, Copy, Debug)]
pub struct Tunnels<'a> {
    client: &'a Inkbox,
}

impl Tunnels<'_> {
    /// Every tunnel of the organization.
    pub fn list(&self) -> Result<Vec<Tunnel>> {
        self.client.execute(tunnels::build_list()?, tunnels::parse_list)
    }

    /// One tunnel.
    pub fn get(&self, tunnel_id: &str) -> Result<Tunnel> {
        self.client.execute(tunnels::build_get(tunnel_id)?, tunnels::parse_get)
    }

    /// Replaces or resets a tunnel's metadata.
    pub fn update(&self, tunnel_id: &str, input: &UpdateTunnelRequest) -> Result<Tunnel> {
        self.client.execute(tunnels::build_update(tunnel_id, input)?, tunnels::parse_update)
    }

    /// Signs a CSR for a passthrough tunnel (waits up to 180 s).
    pub fn sign_csr(&self, tunnel_id: &str, csr_pem: &str) -> Result<SignedCert> {
        self.client.execute(tunnels::build_sign_csr(tunnel_id, csr_pem)?, tunnels::parse_sign_csr)
    }
}

/// API keys (`/api/v1/api-keys`).
#[derive(Clone, Copy, Debug)]
pub struct ApiKeys<'a> {
    client: &'a Inkbox,
}

impl ApiKeys<'_> {
    /// Creates a key; the secret is returned once. Admin-scoped callers may
    /// only mint identity-scoped keys (`scoped_identity_id`).
    pub fn create(&self, input: &CreateApiKeyRequest) -> Result<CreatedApiKey> {
        self.client.execute(keys::build_create_api_key(input)?, keys::parse_create_api_key)
    }
}
