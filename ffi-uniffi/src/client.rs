//! The client and the driver that runs core's call engine over the host's
//! [`HttpTransport`]: core mints the idempotency key, picks the timeout,
//! classifies every response and decides the retries (with `Retry-After`);
//! the host only moves bytes and sleeps.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use getrandom::SysRng;
use inkbox_core::api::dynamic;
use inkbox_core::api::{
    BaseUrl, Call as CoreCall, CallOptions as CoreCallOptions, Finished, Method, PreparedRequest, Request, Response,
    RetryPolicy, Step,
};
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{InkboxError, now_unix};
use crate::transport::{HttpHeader, HttpRequest, HttpTransport};
use crate::vault::VaultState;

/// The default base URL of the service.
pub const DEFAULT_BASE_URL: &str = "https://inkbox.ai";

/// The last response of a call: what core's parser reads.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn response(&self) -> Response<'_> {
        Response::new(self.status, &self.headers, &self.body)
    }
}

/// What every call of one client shares. The API key is zeroized on drop
/// and never shown.
pub(crate) struct ClientInner {
    transport: Arc<dyn HttpTransport>,
    base_url: String,
    api_key: Option<Zeroizing<String>>,
    options: CoreCallOptions,
    /// The vault the last `vault().unlock` opened (for `identity.credentials()`),
    /// until `vault().lock()`.
    unlocked: Mutex<Option<Arc<VaultState>>>,
}

impl ClientInner {
    pub(crate) fn base(&self) -> Result<BaseUrl, InkboxError> {
        Ok(BaseUrl::parse(&self.base_url)?)
    }

    /// The client's unlocked vault (one assignment per change: never poisoned).
    pub(crate) fn unlocked(&self) -> MutexGuard<'_, Option<Arc<VaultState>>> {
        self.unlocked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref().map(String::as_str)
    }

    /// One call of operation `op` with `args` (core's `dynamic::build`
    /// arguments): a POST gets an idempotency key so its retries are safe.
    pub(crate) async fn execute(&self, op: &str, args: &Value) -> Result<Answer, InkboxError> {
        self.execute_built(dynamic::build(op, args)?).await
    }

    /// One call of operation `op` with `args` that may carry an API key of
    /// their own (`@auth`: the signup key): the key's copy in the arguments
    /// is zeroized as soon as core has built the request.
    pub(crate) async fn execute_args(&self, op: &str, args: Args) -> Result<Answer, InkboxError> {
        let mut value = args.finish();
        let built = dynamic::build(op, &value);
        if let Some(Value::String(key)) = value.get_mut("api_key") {
            key.zeroize();
        }
        self.execute_built(built?).await
    }

    /// One call of a request core's typed builder made (a body `dynamic::build`
    /// cannot express, e.g. a multipart upload), with the same key and retries.
    pub(crate) async fn execute_built(&self, req: Request) -> Result<Answer, InkboxError> {
        let random = if req.method == Method::Post { Some(key_random()?) } else { None };
        let call = CoreCall::new(req, &self.base()?, self.api_key(), &self.options, random)?;
        self.drive(call).await
    }

    /// A request a flow built, prepared and run with the client's retries.
    pub(crate) async fn execute_request(&self, req: &Request) -> Result<Answer, InkboxError> {
        let prepared = req.prepare(&self.base()?, self.api_key())?;
        let call = CoreCall::prepared(req.operation, prepared, req.is_retry_safe(), &self.options);
        self.drive(call).await
    }

    /// Steps `call` to its end over the transport.
    async fn drive(&self, mut call: CoreCall) -> Result<Answer, InkboxError> {
        let mut last: Option<Answer> = None;
        loop {
            enum Next {
                Send(Arc<HttpRequest>, u64),
                Sleep(u64),
                Done,
            }
            let next = match call.step() {
                Step::Send { request, timeout_ms } => Next::Send(to_http(request), timeout_ms),
                Step::Sleep { ms } => Next::Sleep(ms),
                Step::Done(Finished::Response) => Next::Done,
                Step::Done(Finished::Failed(err)) => return Err(InkboxError::from(err.clone())),
            };
            match next {
                Next::Send(request, timeout_ms) => match self.transport.send(request, timeout_ms).await {
                    Ok(resp) => {
                        let answer = Answer {
                            status: resp.status,
                            headers: resp.headers.into_iter().map(|h| (h.name, h.value)).collect(),
                            body: resp.body,
                        };
                        call.on_response(&answer.response(), now_unix(), &mut SysRng);
                        last = Some(answer);
                    }
                    Err(e) => {
                        let (kind, message) = e.core();
                        call.on_transport_error(kind, message, &mut SysRng);
                    }
                },
                Next::Sleep(ms) => self
                    .transport
                    .sleep(ms)
                    .await
                    .map_err(|e| InkboxError::of("InkboxTransportError", "transport.other", e.to_string()))?,
                Next::Done => {
                    return last
                        .ok_or_else(|| InkboxError::internal("internal.engine", "the call ended without a response"));
                }
            }
        }
    }
}

fn to_http(request: &PreparedRequest) -> Arc<HttpRequest> {
    Arc::new(HttpRequest {
        method: request.method.as_str().to_owned(),
        url: request.url.clone(),
        headers: request.headers.iter().map(|(n, v)| HttpHeader { name: n.clone(), value: v.clone() }).collect(),
        body: request.body.clone(),
    })
}

/// 16 bytes from the operating system's CSPRNG (an idempotency key).
fn key_random() -> Result<[u8; 16], InkboxError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| InkboxError::internal("internal.random", "no randomness"))?;
    Ok(b)
}

/// The Inkbox client: the API key, the base URL, the retry bounds and the
/// timeout, over the host's transport. Its resources are the generated
/// accessors (`client.identities()`, `client.mailboxes()`, ...).
#[derive(uniffi::Object)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &self.inner.api_key.as_ref().map(|_| "<redacted>"))
            .field("max_attempts", &self.inner.options.policy.max_attempts)
            .field("timeout_ms", &self.inner.options.default_timeout_ms)
            .finish()
    }
}

#[uniffi::export]
impl Client {
    /// A client with `apiKey` over `transport`. `maxRetries`: retries after
    /// the first attempt (0: none); `timeoutMs`: each attempt's timeout.
    #[uniffi::constructor(default(base_url = "https://inkbox.ai", max_retries = 2, timeout_ms = 30000))]
    pub fn new(
        api_key: String,
        transport: Arc<dyn HttpTransport>,
        base_url: String,
        max_retries: u32,
        timeout_ms: u64,
    ) -> Result<Arc<Self>, InkboxError> {
        let api_key = Zeroizing::new(api_key);
        if api_key.is_empty() {
            return Err(InkboxError::invalid("apiKey", "must not be empty"));
        }
        Client::build(Some(api_key), transport, base_url, max_retries, timeout_ms)
    }

    /// The base URL every request goes to.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }
}

impl Client {
    pub(crate) fn build(
        api_key: Option<Zeroizing<String>>,
        transport: Arc<dyn HttpTransport>,
        base_url: String,
        max_retries: u32,
        timeout_ms: u64,
    ) -> Result<Arc<Self>, InkboxError> {
        BaseUrl::parse(&base_url)?;
        if timeout_ms == 0 || timeout_ms > 86_400_000 {
            return Err(InkboxError::invalid("timeoutMs", "must be a positive number of ms (at most a day)"));
        }
        if max_retries > 20 {
            return Err(InkboxError::invalid("maxRetries", "must be at most 20"));
        }
        let policy = RetryPolicy { max_attempts: max_retries + 1, ..RetryPolicy::default() };
        let options = CoreCallOptions { policy, default_timeout_ms: timeout_ms };
        Ok(Arc::new(Client {
            inner: Arc::new(ClientInner { transport, base_url, api_key, options, unlocked: Mutex::new(None) }),
        }))
    }
}

/// The client's class methods, which need no client and no API key: agent
/// self-signup and its follow-ups (Python: `Inkbox.signup(...)`,
/// `Inkbox.verify_signup(api_key, ...)`, ...). The methods are generated
/// from `[[client.static]]` of the description (`generated/resources.rs`);
/// each runs through core's call engine over `transport`, with the same
/// retries and timeout as a [`Client`]. Kotlin: `InkboxStatics(baseUrl = ...)`.
#[derive(uniffi::Object)]
pub struct ClientStatics {
    pub(crate) client: Arc<ClientInner>,
}

impl fmt::Debug for ClientStatics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientStatics").field("base_url", &self.client.base_url).finish()
    }
}

#[uniffi::export]
impl ClientStatics {
    /// The class methods over `transport`, calling `baseUrl`. `maxRetries`
    /// and `timeoutMs` as for [`Client`].
    #[uniffi::constructor(default(base_url = "https://inkbox.ai", max_retries = 2, timeout_ms = 30000))]
    pub fn new(
        transport: Arc<dyn HttpTransport>,
        base_url: String,
        max_retries: u32,
        timeout_ms: u64,
    ) -> Result<Arc<Self>, InkboxError> {
        let client = Client::build(None, transport, base_url, max_retries, timeout_ms)?;
        Ok(Arc::new(ClientStatics { client: Arc::clone(&client.inner) }))
    }

    /// The base URL every request goes to.
    pub fn base_url(&self) -> String {
        self.client.base_url.clone()
    }
}

/// The `dynamic::build` arguments of one call, filled by the generated
/// methods: `{"path": {...}, "query": {...}, "body": {...}, "api_key": ...}`
/// (`api_key`: an operation's own key, zeroized on drop and never in `Debug`).
#[derive(Default)]
pub(crate) struct Args {
    path: Map<String, Value>,
    query: Map<String, Value>,
    body: Option<Map<String, Value>>,
    api_key: Option<Zeroizing<String>>,
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Args")
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &self.body.as_ref().map(|_| "<body>"))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Args {
    /// Arguments of an operation with a body (`body`: an empty object is
    /// still sent).
    pub(crate) fn new(has_body: bool) -> Self {
        Args { body: has_body.then(Map::new), ..Args::default() }
    }

    fn value<T: serde::Serialize>(name: &str, value: &T) -> Result<Value, InkboxError> {
        serde_json::to_value(value).map_err(|_| InkboxError::invalid(name, "cannot be written as JSON"))
    }

    pub(crate) fn path(&mut self, wire: &str, value: &str) {
        self.path.insert(wire.to_owned(), Value::String(value.to_owned()));
    }

    pub(crate) fn query<T: serde::Serialize>(&mut self, wire: &str, value: &T) -> Result<(), InkboxError> {
        self.query.insert(wire.to_owned(), Args::value(wire, value)?);
        Ok(())
    }

    pub(crate) fn body<T: serde::Serialize>(&mut self, wire: &str, value: &T) -> Result<(), InkboxError> {
        let v = Args::value(wire, value)?;
        self.body.get_or_insert_with(Map::new).insert(wire.to_owned(), v);
        Ok(())
    }

    /// The API key this one call authenticates with (`@auth`, e.g. the
    /// signup key), instead of the client's.
    pub(crate) fn api_key(&mut self, key: String) {
        self.api_key = Some(Zeroizing::new(key));
    }

    pub(crate) fn query_value(&mut self, wire: &str, value: Value) {
        self.query.insert(wire.to_owned(), value);
    }

    pub(crate) fn body_value(&mut self, wire: &str, value: Value) {
        self.body.get_or_insert_with(Map::new).insert(wire.to_owned(), value);
    }

    /// A JSON argument given as text.
    pub(crate) fn json(name: &str, text: &str) -> Result<Value, InkboxError> {
        serde_json::from_str(text).map_err(|e| {
            InkboxError::invalid(name, format!("not valid JSON (line {}, column {})", e.line(), e.column()))
        })
    }

    pub(crate) fn finish(self) -> Value {
        let mut out = Map::new();
        if !self.path.is_empty() {
            out.insert("path".into(), Value::Object(self.path));
        }
        if !self.query.is_empty() {
            out.insert("query".into(), Value::Object(self.query));
        }
        if let Some(body) = self.body {
            out.insert("body".into(), Value::Object(body));
        }
        if let Some(key) = &self.api_key {
            out.insert("api_key".into(), Value::String(String::clone(key)));
        }
        Value::Object(out)
    }
}
