//! Agent self-signup: the public signup call and the three follow-ups that
//! authenticate with the key signup returned.

use inkbox_core::api::signup::{
    self, AgentClaimResponse, AgentSignupResponse, AgentSignupStatusResponse, CreateAgentSignupRequest,
};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Signs an agent up without an API key (`POST /api/v1/agent-signup`) on
    /// `base_url` (e.g. [`BaseUrl::DEFAULT`](crate::api::BaseUrl::DEFAULT)),
    /// with the default transport. The returned `api_key` is shown only once.
    pub fn signup(base_url: &str, input: &CreateAgentSignupRequest) -> Result<AgentSignupResponse> {
        Self::anonymous().base_url(base_url)?.build()?.agent_signup().create(input)
    }

    /// Verifies a signup with the 6-digit code the human received.
    pub fn verify_signup(base_url: &str, api_key: &str, verification_code: &str) -> Result<AgentClaimResponse> {
        Self::anonymous().base_url(base_url)?.build()?.agent_signup().verify(api_key, verification_code)
    }

    /// Resends the verification email (5-minute cooldown).
    pub fn resend_signup_verification(base_url: &str, api_key: &str) -> Result<AgentClaimResponse> {
        Self::anonymous().base_url(base_url)?.build()?.agent_signup().resend_verification(api_key)
    }

    /// The signup's claim status and restrictions.
    pub fn get_signup_status(base_url: &str, api_key: &str) -> Result<AgentSignupStatusResponse> {
        Self::anonymous().base_url(base_url)?.build()?.agent_signup().status(api_key)
    }

    /// The signup calls on this client's transport and origin. The client's
    /// own key is never sent: signup is public and the follow-ups carry the
    /// key they are given.
    pub fn agent_signup(&self) -> AgentSignup<'_> {
        AgentSignup { client: self }
    }
}

/// Agent signup (`/api/v1/agent-signup`).
#[derive(Clone, Copy, Debug)]
pub struct AgentSignup<'a> {
    client: &'a Inkbox,
}

impl AgentSignup<'_> {
    /// Signs an agent up (public).
    pub fn create(&self, input: &CreateAgentSignupRequest) -> Result<AgentSignupResponse> {
        self.client.execute(signup::build_signup(input)?, signup::parse_signup)
    }

    /// Verifies with the 6-digit code, authenticated with the signup key.
    pub fn verify(&self, api_key: &str, verification_code: &str) -> Result<AgentClaimResponse> {
        self.client.execute(signup::build_verify(api_key, verification_code)?, signup::parse_verify)
    }

    /// Resends the verification email, authenticated with the signup key.
    pub fn resend_verification(&self, api_key: &str) -> Result<AgentClaimResponse> {
        self.client.execute(signup::build_resend_verification(api_key)?, signup::parse_resend_verification)
    }

    /// The claim status and restrictions, authenticated with the signup key.
    pub fn status(&self, api_key: &str) -> Result<AgentSignupStatusResponse> {
        self.client.execute(signup::build_status(api_key)?, signup::parse_status)
    }
}
