//! `Identity`: an agent identity's data (core's `AgentIdentity` record) with
//! the client, so its identity-scoped methods (generated into
//! `generated/resources.rs` from `surface/identity.toml`) bind its address,
//! number, id or handle. A bound value the identity lacks (no mailbox, no
//! number, iMessage off) is an `InkboxError` before any request.

use std::fmt;
use std::sync::Arc;

use inkbox_core::api::identities::{self, AgentIdentity};

use crate::client::{Args, Client, ClientInner};
use crate::error::InkboxError;

/// An agent identity bound to its client.
#[derive(uniffi::Object)]
pub struct Identity {
    pub(crate) client: Arc<ClientInner>,
    pub(crate) data: AgentIdentity,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity").field("agent_handle", &self.data.agent_handle).finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Identity {
    /// The identity's data as last fetched.
    pub fn data(&self) -> AgentIdentity {
        self.data.clone()
    }

    /// The handle.
    pub fn agent_handle(&self) -> String {
        self.data.agent_handle.clone()
    }

    /// The mailbox address, when it has one.
    pub fn email_address(&self) -> Option<String> {
        self.data.email_address.clone()
    }

    /// The identity fetched again.
    pub async fn refresh(&self) -> Result<Arc<Identity>, InkboxError> {
        get(&self.client, &self.data.agent_handle).await
    }
}

async fn get(client: &Arc<ClientInner>, handle: &str) -> Result<Arc<Identity>, InkboxError> {
    let mut args = Args::new(false);
    args.path("handle", handle);
    let answer = client.execute("identities.get", &args.finish()).await?;
    let data = identities::parse_get(&answer.response())?;
    Ok(Arc::new(Identity { client: Arc::clone(client), data }))
}

#[uniffi::export]
impl Client {
    /// An identity by handle, bound to this client (`identities.get`).
    pub async fn get_identity(&self, agent_handle: String) -> Result<Arc<Identity>, InkboxError> {
        get(&self.inner, &agent_handle).await
    }

    /// Binds identity data (e.g. from `identities().create(...)`) to this client.
    pub fn identity(&self, data: AgentIdentity) -> Arc<Identity> {
        Arc::new(Identity { client: Arc::clone(&self.inner), data })
    }
}

#[uniffi::export]
impl Identity {
    /// Sends an email from the identity's mailbox (as Python's
    /// `identity.send_email`, over the hand-written `messages.send`).
    #[uniffi::method(default(body_text = None, body_html = None, cc = None, bcc = None, in_reply_to_message_id = None))]
    #[allow(clippy::too_many_arguments)]
    pub async fn send_email(
        &self,
        to: Vec<String>,
        subject: String,
        body_text: Option<String>,
        body_html: Option<String>,
        cc: Option<Vec<String>>,
        bcc: Option<Vec<String>>,
        in_reply_to_message_id: Option<String>,
    ) -> Result<inkbox_core::api::mail::Message, InkboxError> {
        let email = self.data.email_address.clone().ok_or_else(|| self.email_unbound())?;
        let messages = crate::generated::resources::MessagesResource { client: Arc::clone(&self.client) };
        messages.send(email, to, subject, body_text, body_html, cc, bcc, in_reply_to_message_id, None).await
    }
}
