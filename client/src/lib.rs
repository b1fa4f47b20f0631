//! A synchronous Rust client for the Inkbox API.
//!
//! Everything that must behave the same in every language — request
//! building, response parsing, error classification, retries, idempotency
//! keys, pagination, vault cryptography — comes from `inkbox-core`. This
//! crate only supplies a [`Transport`] (the default is a small blocking
//! `ureq` transport), the clock, sleeping and the OS random source, and
//! mirrors the surface of the official Python SDK.
//!
//! ```no_run
//! use inkbox_client::Inkbox;
//! let inkbox = Inkbox::builder("ApiKey_...").base_url("http://127.0.0.1:8080")?.build()?;
//! let me = inkbox.whoami()?;
//! println!("{:?}", me.organization_id());
//! # Ok::<(), inkbox_client::Error>(())
//! ```
//!
//! The surface mirrors the Python SDK:
//!
//! - agent signup: [`Inkbox::signup`] and friends (no API key needed);
//! - identities: [`Inkbox::create_identity`], [`Inkbox::get_identity`] and
//!   [`Inkbox::list_identities`]; an [`Identity`] carries the helpers scoped
//!   to its mailbox, phone number and iMessage;
//! - org-level resources as small borrowed accessors: [`Inkbox::mailboxes`],
//!   [`Inkbox::messages`], [`Inkbox::threads`], [`Inkbox::domains`],
//!   [`Inkbox::phone_numbers`], [`Inkbox::calls`], [`Inkbox::transcripts`],
//!   [`Inkbox::texts`], [`Inkbox::sms_opt_ins`], [`Inkbox::imessages`],
//!   [`Inkbox::imessage_contact_rules`], [`Inkbox::mail_contact_rules`],
//!   [`Inkbox::phone_contact_rules`], [`Inkbox::tunnels`],
//!   [`Inkbox::api_keys`], [`Inkbox::webhooks`];
//! - the vault: [`Inkbox::vault`] (info, initialize, unlock — the unlocked
//!   vault is kept in the client —, key changes, secrets, access rules) and,
//!   on an identity, [`Identity::credentials`], secrets and TOTP; every
//!   composite operation is one of core's flows run by [`Inkbox::run_flow`].
//!
//! Request and response models are `inkbox-core`'s, re-exported as [`api`].
//!
//! ```no_run
//! use inkbox_client::Inkbox;
//! use inkbox_client::api::identities::CreateIdentityRequest;
//! use inkbox_client::api::mail::{Recipients, SendEmailRequest};
//! let inkbox = Inkbox::new("ApiKey_...")?;
//! let mut identity = inkbox.create_identity(&CreateIdentityRequest::new("support-bot"))?;
//! identity.provision_phone_number(None)?;
//! identity.send_email(&SendEmailRequest {
//!     recipients: Recipients { to: vec!["customer@example.com".into()], ..Default::default() },
//!     subject: "Your order has shipped".into(),
//!     body_text: Some("Tracking number: 1Z999AA10123456784".into()),
//!     ..Default::default()
//! })?;
//! for message in identity.iter_unread_emails()? {
//!     println!("{:?}", message?.subject);
//! }
//! # Ok::<(), inkbox_client::Error>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use inkbox_core::api::dynamic::PagerFlow;
use inkbox_core::api::vault_flows::{Flow as _, Step as FlowStep};
use inkbox_core::api::{
    ApiError, BaseUrl, Call, CallOptions, CursorPage, Finished, PageSummary, Request, Response, RetryPolicy, Step,
    TransportErrorKind,
};
use zeroize::Zeroizing;

mod admin;
mod contact_rules;
mod identity;
mod mail;
mod messaging;
mod phone;
mod secrets;
mod signup;
mod transport;
mod webhooks;

pub use admin::{ApiKeys, Tunnels};
pub use contact_rules::{MailContactRules, PhoneContactRules};
pub use identity::Identity;
pub use inkbox_core::ErrorCode;
/// The request and response models, re-exported from `inkbox-core`.
pub use inkbox_core::api;
pub use inkbox_core::api::ApiError as Error;
/// TOTP configuration and codes, re-exported from `inkbox-core`.
pub use inkbox_core::totp;
/// Vault payload types and cryptography, re-exported from `inkbox-core`.
pub use inkbox_core::vault;
/// Webhook signature verification and payload envelopes, re-exported from `inkbox-core`.
pub use inkbox_core::webhook;
pub use mail::{Domains, Mailboxes, Messages, Threads};
pub use messaging::{IMessageContactRules, IMessages, SmsOptIns, Texts};
pub use phone::{Calls, PhoneNumbers, Transcripts};
pub use secrets::{Credentials, UnlockedVault, Vault};
pub use signup::AgentSignup;
#[cfg(feature = "blocking")]
pub use transport::UreqTransport;
pub use transport::{Environment, HttpResponse, SystemEnvironment, Transport};
pub use webhooks::{WebhookSubscriptions, Webhooks};

/// The result type of every call.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Builds an [`Inkbox`] client.
pub struct InkboxBuilder {
    api_key: Option<Zeroizing<String>>,
    base_url: BaseUrl,
    timeout: Duration,
    retry: RetryPolicy,
    idempotency_keys: bool,
    transport: Option<Arc<dyn Transport>>,
    env: Arc<dyn Environment>,
}

impl std::fmt::Debug for InkboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InkboxBuilder")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl InkboxBuilder {
    /// The API origin (default `https://inkbox.ai`; `http://` only for loopback).
    pub fn base_url(mut self, url: &str) -> Result<Self> {
        self.base_url = BaseUrl::parse(url)?;
        Ok(self)
    }

    /// The default per-request timeout (30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default: 3 attempts, full-jitter backoff, Retry-After honoured).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether POSTs carry a fresh `Idempotency-Key` minted once per logical
    /// call (default `true`). Keyed POSTs are retried; unkeyed ones never are.
    pub fn idempotency_keys(mut self, on: bool) -> Self {
        self.idempotency_keys = on;
        self
    }

    /// A custom transport.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// A custom clock / sleep / randomness (tests).
    pub fn environment(mut self, env: Arc<dyn Environment>) -> Self {
        self.env = env;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Inkbox> {
        let transport = match self.transport {
            Some(t) => t,
            #[cfg(feature = "blocking")]
            None => Arc::new(UreqTransport::default()),
            #[cfg(not(feature = "blocking"))]
            None => {
                return Err(ApiError::Validation {
                    field: "transport".into(),
                    message: "no transport: enable the `blocking` feature or pass one".into(),
                });
            }
        };
        Ok(Inkbox {
            inner: Arc::new(Inner {
                api_key: self.api_key,
                base_url: self.base_url,
                timeout: self.timeout,
                retry: self.retry,
                idempotency_keys: self.idempotency_keys,
                transport,
                env: self.env,
                vault: std::sync::Mutex::new(None),
            }),
        })
    }
}

struct Inner {
    api_key: Option<Zeroizing<String>>,
    base_url: BaseUrl,
    timeout: Duration,
    retry: RetryPolicy,
    idempotency_keys: bool,
    transport: Arc<dyn Transport>,
    env: Arc<dyn Environment>,
    /// The vault unlocked in this client, shared by its clones.
    vault: std::sync::Mutex<Option<secrets::VaultState>>,
}

/// The Inkbox client. Cheap to clone; share it across threads.
#[derive(Clone)]
pub struct Inkbox {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Inkbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inkbox").field("base_url", &self.inner.base_url).finish_non_exhaustive()
    }
}

impl Inkbox {
    /// A builder authenticating with `api_key`.
    pub fn builder(api_key: &str) -> InkboxBuilder {
        InkboxBuilder { api_key: Some(Zeroizing::new(api_key.to_owned())), ..Self::anonymous() }
    }

    /// A builder with no API key (agent signup only).
    pub fn anonymous() -> InkboxBuilder {
        InkboxBuilder {
            api_key: None,
            base_url: BaseUrl::default(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            idempotency_keys: true,
            transport: None,
            env: Arc::new(SystemEnvironment),
        }
    }

    /// A client for `api_key` on the production origin.
    pub fn new(api_key: &str) -> Result<Self> {
        Self::builder(api_key).build()
    }

    /// The origin this client talks to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// The environment (clock, sleep, randomness).
    pub fn environment(&self) -> &dyn Environment {
        &*self.inner.env
    }

    /// Sends `request` (retrying as the policy allows) and parses the final
    /// response with `parse`. This and [`Inkbox::send`] are the only places
    /// the client touches the network.
    pub fn execute<T>(&self, request: Request, parse: impl FnOnce(&Response<'_>) -> Result<T>) -> Result<T> {
        let http = self.send(request)?;
        parse(&Response::new(http.status, &http.headers, &http.body))
    }

    /// Sends `request` and returns the final response, whatever its status.
    ///
    /// A POST gets a fresh `Idempotency-Key` (minted once, reused on every
    /// attempt) unless keys are disabled. Retry-safe requests are sent again
    /// after a retryable transport failure or status (408, 429, 5xx but 501;
    /// as classified by core for the request's operation), sleeping the
    /// backoff or the `Retry-After`, until the policy stops.
    pub fn send(&self, request: Request) -> Result<HttpResponse> {
        let inner = &*self.inner;
        let key_random = if inner.idempotency_keys && request.method == inkbox_core::api::Method::Post {
            let mut b = [0u8; 16];
            inner.env.fill_random(&mut b)?;
            Some(b)
        } else {
            None
        };
        // Timeouts beyond u64 ms are not meaningful; saturate.
        let default_timeout_ms = u64::try_from(inner.timeout.as_millis()).unwrap_or(u64::MAX);
        let options = CallOptions { policy: inner.retry, default_timeout_ms };
        let mut call =
            Call::new(request, &inner.base_url, inner.api_key.as_deref().map(String::as_str), &options, key_random)?;
        let mut rng = transport::EnvRng(&*inner.env);
        let mut last = None;
        loop {
            match call.step() {
                Step::Send { request, timeout_ms } => {
                    match inner.transport.send(request, Duration::from_millis(timeout_ms)) {
                        Ok(http) => {
                            call.on_response(
                                &Response::new(http.status, &http.headers, &http.body),
                                inner.env.now_unix(),
                                &mut rng,
                            );
                            last = Some(http);
                        }
                        Err(ApiError::Transport { kind, message }) => {
                            last = None;
                            call.on_transport_error(kind, &message, &mut rng);
                        }
                        Err(other) => return Err(other),
                    }
                }
                Step::Sleep { ms } => inner.env.sleep(Duration::from_millis(ms)),
                Step::Done(Finished::Failed(err)) => return Err(err.clone()),
                Step::Done(Finished::Response) => {
                    return last.ok_or_else(|| ApiError::transport(TransportErrorKind::Other, "no response"));
                }
            }
        }
    }

    /// Iterates a cursor-paged list: core's pager flow
    /// ([`PagerFlow`](api::dynamic::PagerFlow)) over operation `op` with its
    /// JSON arguments (`{"path", "query"}`, as [`api::dynamic::build`] takes
    /// them) sends each page's request and decides the next one and the end;
    /// `parse` reads a page with the typed parser, whose `has_more` and
    /// `next_cursor` the flow is given. Items are yielded one by one, a
    /// request per page as the iterator is consumed.
    pub fn paginate_cursor<'a, T: 'a>(
        &'a self,
        op: &'static str,
        args: serde_json::Value,
        parse: impl Fn(&Response<'_>) -> Result<CursorPage<T>> + 'a,
    ) -> impl Iterator<Item = Result<T>> + 'a {
        self.paginate(op, args, move |resp| {
            let page = parse(resp)?;
            let summary = PageSummary::cursor(page.items.len(), page.has_more, page.next_cursor);
            Ok((page.items, summary))
        })
    }

    /// Iterates an offset-paged list (bare arrays) through core's pager flow,
    /// as [`Inkbox::paginate_cursor`]: the flow advances `offset` and stops at
    /// a short page.
    pub fn paginate_offset<'a, T: 'a>(
        &'a self,
        op: &'static str,
        args: serde_json::Value,
        parse: impl Fn(&Response<'_>) -> Result<Vec<T>> + 'a,
    ) -> impl Iterator<Item = Result<T>> + 'a {
        self.paginate(op, args, move |resp| {
            let items = parse(resp)?;
            let summary = PageSummary::offset(items.len());
            Ok((items, summary))
        })
    }

    /// Drives a [`PagerFlow`](api::dynamic::PagerFlow) lazily: each page's
    /// request goes through [`Inkbox::send`] (retries included), each page
    /// is parsed by `parse` (its items and the summary the flow needs).
    fn paginate<'a, T: 'a>(
        &'a self,
        op: &'static str,
        args: serde_json::Value,
        parse: impl Fn(&Response<'_>) -> Result<(Vec<T>, PageSummary)> + 'a,
    ) -> impl Iterator<Item = Result<T>> + 'a {
        let mut flow = PagerFlow::new(op, args);
        flatten_pages(move || {
            let flow = match &mut flow {
                Ok(flow) => flow,
                Err(e) => return Some(Err(e.clone())),
            };
            loop {
                let step = match flow.next() {
                    Ok(step) => step,
                    Err(e) => return Some(Err(e)),
                };
                match step {
                    FlowStep::Done(_) => return None,
                    FlowStep::Send(req) => {
                        let fed = self
                            .send(req)
                            .and_then(|http| flow.feed(&Response::new(http.status, &http.headers, &http.body)));
                        if let Err(e) = fed {
                            return Some(Err(e));
                        }
                    }
                    FlowStep::Page(page) => {
                        return Some(parse(&page.response()).and_then(|(items, summary)| {
                            flow.summarize_page(summary)?;
                            Ok(items)
                        }));
                    }
                }
            }
        })
    }

    /// `GET /api/whoami`.
    pub fn whoami(&self) -> Result<inkbox_core::api::whoami::Whoami> {
        self.execute(inkbox_core::api::whoami::build_whoami()?, inkbox_core::api::whoami::parse_whoami)
    }

    /// Creates or rotates the org-level webhook signing key (plaintext returned once).
    pub fn create_signing_key(&self) -> Result<inkbox_core::api::keys::SigningKey> {
        self.execute(
            inkbox_core::api::keys::build_create_signing_key()?,
            inkbox_core::api::keys::parse_create_signing_key,
        )
    }
}

/// Yields the items of successive pages: `next_page` fetches one page (or
/// returns `None` when the flow is done); the first error is yielded once
/// and ends the iteration.
fn flatten_pages<T>(mut next_page: impl FnMut() -> Option<Result<Vec<T>>>) -> impl Iterator<Item = Result<T>> {
    let mut buffer = std::collections::VecDeque::new();
    let mut failed = false;
    std::iter::from_fn(move || {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some(Ok(item));
            }
            if failed {
                return None;
            }
            match next_page()? {
                Ok(items) => buffer.extend(items),
                Err(e) => {
                    failed = true;
                    return Some(Err(e));
                }
            }
        }
    })
}
