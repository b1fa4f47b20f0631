//! The flows of `inkbox_core::api::vault_flows` (the vault flows and the
//! pager of any paged list) as one JS class, `Flow`, driven by the runtime's
//! one step loop: `next` (0: send `request`, 1: hand over `pageJson`, 2: done,
//! read `result()`), `feed` (the response, whatever its status). A step that
//! runs Argon2id (`nextIsHeavy`) runs on the libuv pool through `nextAsync`.
//! Keys stay in Rust and are zeroized on drop.

use std::sync::{Arc, Mutex, MutexGuard};

use getrandom::SysRng;
use inkbox_core::api::catalog::Paging;
use inkbox_core::api::dynamic::{self, PagerFlow};
use inkbox_core::api::vault_flows::{
    AnyFlow, CreateSecretFlow, DecryptedSecret as CoreDecrypted, Flow as _, FlowOutput, GetSecretFlow, InitializeFlow,
    NewSecret, Proof, SecretChanges, Step, TotpUpdateFlow, UnlockFlow, UnlockedVault as CoreUnlocked, UpdateKeyFlow,
    UpdateSecretFlow,
};
use inkbox_core::api::{ApiError, BaseUrl, Page, PageSummary, Patch, Response, codes};
use inkbox_core::totp::TotpConfig;
use inkbox_core::vault::SecretPayload;
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task, Unknown};
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::call::{Prepared, args_value, header_pairs, num, parse_to_json, status_arg, whole};
use crate::errors::{Fail, NResult as Result, guard, guard_task};

const STEP_SEND: u32 = 0;
const STEP_PAGE: u32 = 1;
const STEP_DONE: u32 = 2;

struct Inner {
    flow: AnyFlow,
    /// A pager's paging (`None` for the vault flows).
    paging: Option<Paging>,
    /// The last page was fed with `feedSummary`: its items are the caller's.
    summarized: bool,
    request: Option<Prepared>,
    page: Option<Page>,
    result: Option<FlowOutput>,
    done: bool,
}

impl Inner {
    /// One step of the flow (may run Argon2id: the caller decides the thread).
    fn step(&mut self, base_url: &str, api_key: Option<&str>) -> std::result::Result<u32, Fail> {
        if self.done {
            return Ok(STEP_DONE);
        }
        let base = BaseUrl::parse(base_url)?;
        match self.flow.next()? {
            Step::Send(req) => {
                let prepared = req.prepare(&base, api_key)?;
                self.request = Some(Prepared::new(req.operation, prepared, req.is_retry_safe()));
                self.page = None;
                Ok(STEP_SEND)
            }
            Step::Page(page) => {
                self.request = None;
                self.page = Some(page);
                Ok(STEP_PAGE)
            }
            Step::Done(out) => {
                self.request = None;
                self.page = None;
                self.result = Some(out);
                self.done = true;
                Ok(STEP_DONE)
            }
        }
    }
}

/// A multi-request flow of core: a pager or a vault flow.
#[napi]
pub struct Flow {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Flow { .. }")
    }
}

fn lock(inner: &Mutex<Inner>) -> std::result::Result<MutexGuard<'_, Inner>, Fail> {
    inner.lock().map_err(|_| Fail::new("InkboxInternalError", "internal.poisoned", "the flow failed earlier"))
}

impl Flow {
    fn of(flow: impl Into<AnyFlow>) -> Self {
        Flow::with_paging(flow, None)
    }

    fn with_paging(flow: impl Into<AnyFlow>, paging: Option<Paging>) -> Self {
        Flow {
            inner: Arc::new(Mutex::new(Inner {
                flow: flow.into(),
                paging,
                summarized: false,
                request: None,
                page: None,
                result: None,
                done: false,
            })),
        }
    }
}

fn secret_arg(text: &str, name: &str) -> std::result::Result<Zeroizing<String>, Fail> {
    if text.is_empty() {
        return Err(Fail::invalid(name, "must not be empty"));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

/// A payload from its wire JSON text, its type inferred from its keys (as
/// the official SDK infers it).
pub(crate) fn payload_arg(json: &str) -> std::result::Result<SecretPayload, Fail> {
    Ok(SecretPayload::parse_inferred(json.as_bytes())?)
}

/// The Argon2id step of a flow, run on the libuv pool.
pub struct NextTask {
    inner: Arc<Mutex<Inner>>,
    base_url: String,
    api_key: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for NextTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NextTask { .. }")
    }
}

/// An `AsyncTask`'s failure is rejected with napi's own error code; the
/// message is the descriptor JSON all the same (`js/native.cjs` reads both).
impl Task for NextTask {
    type Output = u32;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<u32> {
        let inner = Arc::clone(&self.inner);
        let base = self.base_url.clone();
        let key = self.api_key.clone();
        guard_task(move || lock(&inner)?.step(&base, key.as_deref().map(String::as_str)))
    }

    fn resolve(&mut self, _env: Env, output: u32) -> napi::Result<u32> {
        Ok(output)
    }
}

#[napi]
impl Flow {
    /// Every page of operation `op` (cursor, offset, limit-only or unpaged)
    /// called with `argsJson`; `result()` is the number of pages.
    #[napi(factory)]
    pub fn pager(op: String, args_json: Option<String>) -> Result<Self> {
        guard(|| {
            let paging = dynamic::operation(&op).map(|o| o.paging);
            Ok(Flow::with_paging(PagerFlow::new(&op, args_value(args_json.as_deref())?)?, paging))
        })
    }

    /// Unlocks the vault with a vault key or a recovery code (with
    /// `identityId`: only that identity's secrets); `result()` is an `UnlockedVault`.
    #[napi(factory)]
    pub fn unlock(vault_key: String, identity_id: Option<String>) -> Result<Self> {
        guard(|| {
            let key = secret_arg(&vault_key, "vaultKey")?;
            let flow = match identity_id {
                Some(id) => UnlockFlow::for_identity(&key, &id)?,
                None => UnlockFlow::new(&key)?,
            };
            Ok(Flow::of(flow))
        })
    }

    /// Creates the vault; `result()` is `{vaultId, vaultKeyId, organizationId,
    /// recoveryKeyCount, recoveryCodes, recoveryKeyIds}`.
    #[napi(factory)]
    pub fn initialize(vault_key: String) -> Result<Self> {
        guard(|| Ok(Flow::of(InitializeFlow::new(&secret_arg(&vault_key, "vaultKey")?, &mut SysRng)?)))
    }

    /// Replaces the primary vault key, proven by the current key or a recovery code.
    #[napi(factory)]
    pub fn update_key(
        new_vault_key: String,
        current_vault_key: Option<String>,
        recovery_code: Option<String>,
    ) -> Result<Self> {
        guard(|| {
            let new_key = secret_arg(&new_vault_key, "newVaultKey")?;
            let proof = match (current_vault_key, recovery_code) {
                (Some(k), None) => Proof::current_key(&Zeroizing::new(k)),
                (None, Some(c)) => Proof::recovery_code(&Zeroizing::new(c)),
                _ => {
                    return Err(Fail::invalid(
                        "currentVaultKey",
                        "give exactly one of currentVaultKey and recoveryCode",
                    ));
                }
            };
            Ok(Flow::of(UpdateKeyFlow::new(&new_key, proof, &mut SysRng)?))
        })
    }

    /// Encrypts and stores a new secret (with `identityId`, grants it access).
    #[napi(factory)]
    pub fn create_secret(
        vault: &UnlockedVault,
        name: String,
        description: Option<String>,
        payload_json: String,
        identity_id: Option<String>,
    ) -> Result<Self> {
        guard(|| {
            let payload = payload_arg(&Zeroizing::new(payload_json))?;
            let mut secret = NewSecret::new(name, payload);
            if let Some(d) = description {
                secret = secret.with_description(d);
            }
            Ok(Flow::of(CreateSecretFlow::new(&vault.vault, &secret, identity_id.as_deref(), &mut SysRng)?))
        })
    }

    /// Fetches and decrypts one secret; `result()` is a `DecryptedSecret`.
    #[napi(factory)]
    pub fn get_secret(vault: &UnlockedVault, secret_id: String) -> Result<Self> {
        guard(|| Ok(Flow::of(GetSecretFlow::new(&vault.vault, &secret_id)?)))
    }

    /// Renames, re-describes (`clearDescription`: removes it) and/or re-encrypts a secret.
    #[napi(factory)]
    pub fn update_secret(
        vault: &UnlockedVault,
        secret_id: String,
        name: Option<String>,
        description: Option<String>,
        payload_json: Option<String>,
        clear_description: Option<bool>,
    ) -> Result<Self> {
        guard(|| {
            let description = match (description, clear_description.unwrap_or(false)) {
                (Some(d), false) => Patch::Set(d),
                (None, true) => Patch::Clear,
                (None, false) => Patch::Keep,
                (Some(_), true) => {
                    return Err(Fail::invalid("description", "give description or clearDescription, not both"));
                }
            };
            let payload = payload_json.map(|p| payload_arg(&Zeroizing::new(p))).transpose()?;
            let changes = SecretChanges { name, description, payload };
            Ok(Flow::of(UpdateSecretFlow::new(&vault.vault, &secret_id, changes, &mut SysRng)?))
        })
    }

    /// Sets (`totpJson`: a TOTPConfig as wire JSON, or `totpUri`) or removes
    /// (both null) a login's TOTP; `result()` is the updated `DecryptedSecret`.
    #[napi(factory)]
    pub fn set_totp(
        vault: &UnlockedVault,
        secret_id: String,
        totp_json: Option<String>,
        totp_uri: Option<String>,
    ) -> Result<Self> {
        guard(|| {
            let flow = match (totp_json, totp_uri) {
                (None, None) => TotpUpdateFlow::remove(&vault.vault, &secret_id, &mut SysRng)?,
                (None, Some(uri)) => {
                    TotpUpdateFlow::set_uri(&vault.vault, &secret_id, &Zeroizing::new(uri), &mut SysRng)?
                }
                (Some(json), None) => {
                    let config = TotpConfig::from_json(&Zeroizing::new(json))?;
                    TotpUpdateFlow::set(&vault.vault, &secret_id, &config, &mut SysRng)?
                }
                (Some(_), Some(_)) => return Err(Fail::invalid("totp", "give a config or a URI, not both")),
            };
            Ok(Flow::of(flow))
        })
    }

    /// True when the next step runs Argon2id: use `nextAsync`.
    #[napi(getter)]
    pub fn next_is_heavy(&self) -> Result<bool> {
        guard(|| Ok(lock(&self.inner)?.flow.next_is_heavy()))
    }

    /// The next step: 0 send `request` (then `feed` its response), 1 hand
    /// over `page`, 2 done (then `result()`).
    #[napi]
    pub fn next(&self, base_url: String, api_key: Option<String>) -> Result<u32> {
        guard(|| lock(&self.inner)?.step(&base_url, api_key.as_deref()))
    }

    /// `next` on the libuv thread pool (for the Argon2id steps).
    #[napi(ts_return_type = "Promise<number>")]
    pub fn next_async(&self, base_url: String, api_key: Option<String>) -> AsyncTask<NextTask> {
        AsyncTask::new(NextTask { inner: Arc::clone(&self.inner), base_url, api_key: api_key.map(Zeroizing::new) })
    }

    /// The request of the last `next` that returned 0.
    #[napi(getter)]
    pub fn request(&self) -> Result<Option<Prepared>> {
        guard(|| Ok(lock(&self.inner)?.request.clone()))
    }

    /// The page of the last `next` that returned 1: the operation's parsed
    /// wire JSON (a cursor page object or a list) as text, for `JSON.parse`.
    #[napi(getter)]
    pub fn page_json(&self) -> Result<Option<String>> {
        guard(|| {
            let inner = lock(&self.inner)?;
            match &inner.page {
                None => Ok(None),
                Some(_) if inner.summarized => Ok(None),
                Some(page) => Ok(Some(parse_to_json(page.operation.name, &page.response())?)),
            }
        })
    }

    /// A pager's paging: `"cursor"` (pages are `{items, has_more,
    /// next_cursor}`), `"offset"` (bare arrays), `"limit"` or `"none"` (one
    /// page); null for the vault flows.
    #[napi(getter)]
    pub fn paging(&self) -> Result<Option<&'static str>> {
        guard(|| {
            Ok(lock(&self.inner)?.paging.map(|p| match p {
                Paging::Cursor => "cursor",
                Paging::Offset => "offset",
                Paging::Limit => "limit",
                Paging::None => "none",
            }))
        })
    }

    /// `feed` of a 2xx page the caller parsed itself, with what the pager
    /// needs of it (the item count, a cursor page's `has_more` and
    /// `next_cursor`); the body does not cross. The page that follows
    /// (`next` returns 1) is the caller's: `pageJson` is then null.
    #[napi]
    pub fn feed_summary(
        &self,
        status: u32,
        headers: Vec<String>,
        items: u32,
        has_more: bool,
        next_cursor: Option<String>,
    ) -> Result<()> {
        guard(|| {
            let status = status_arg(status)?;
            if !(200..300).contains(&status) {
                return Err(Fail::invalid("status", "feedSummary takes a 2xx page (feed hands over the others)"));
            }
            let headers = header_pairs(headers)?;
            let resp = Response::new(status, &headers, &[]);
            let mut inner = lock(&self.inner)?;
            let items = usize::try_from(items).unwrap_or(usize::MAX);
            let Some(paging) = inner.paging else {
                return Err(Fail::invalid("flow", "only a pager takes a page summary"));
            };
            let summary = PageSummary::for_paging(paging, items, has_more, next_cursor);
            inner.flow.feed_summarized(&resp, summary)?;
            inner.summarized = true;
            Ok(())
        })
    }

    /// Hands back the response to the last request, whatever its status.
    #[napi]
    pub fn feed(&self, status: u32, headers: Vec<String>, body: Buffer) -> Result<()> {
        guard(|| {
            let headers = header_pairs(headers)?;
            let resp = Response::new(status_arg(status)?, &headers, &body);
            let mut inner = lock(&self.inner)?;
            inner.summarized = false;
            inner.flow.feed(&resp)?;
            Ok(())
        })
    }

    /// The flow's result, once `next` returned 2 (taken: a second call fails).
    #[napi(ts_return_type = "unknown")]
    pub fn result<'e>(&self, env: &'e Env) -> Result<Unknown<'e>> {
        guard(|| {
            let out = lock(&self.inner)?.result.take().ok_or_else(|| {
                Fail::from(ApiError::Flow {
                    code: codes::FLOW_OUT_OF_ORDER,
                    message: "the flow has no result: call next until it returns 2 (a result is taken once)".into(),
                })
            })?;
            output_to_js(env, out)
        })
    }
}

fn to_js<'e, T: serde::Serialize>(env: &Env, value: &T) -> std::result::Result<Unknown<'e>, Fail> {
    Ok(env.to_js_value(value)?)
}

fn output_to_js<'e>(env: &'e Env, out: FlowOutput) -> std::result::Result<Unknown<'e>, Fail> {
    use napi::JsValue as _;
    use napi::bindgen_prelude::JavaScriptClassExt as _;
    match out {
        FlowOutput::Pages(n) => to_js(env, &n),
        FlowOutput::Key(key) => to_js(env, &key),
        FlowOutput::Secret(secret) => to_js(env, &secret),
        FlowOutput::Created(c) => to_js(env, &c.secret),
        FlowOutput::Initialized(init) => {
            let v = serde_json::json!({
                "vaultId": init.vault_id,
                "vaultKeyId": init.vault_key_id,
                "organizationId": init.organization_id,
                "recoveryKeyCount": init.recovery_key_count,
                "recoveryCodes": init.recovery_keys.iter().map(|k| k.recovery_code.as_str().to_owned()).collect::<Vec<_>>(),
                "recoveryKeyIds": init.recovery_keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
            });
            to_js(env, &v)
        }
        FlowOutput::Decrypted(d) => Ok(DecryptedSecret(d).into_instance(env)?.to_unknown()),
        FlowOutput::Unlocked(v) => Ok(UnlockedVault::new(v).into_instance(env)?.to_unknown()),
    }
}

// ------------------------------------------------------------- results

/// A decrypted secret: metadata getters; the payload only through `payload()`.
#[napi]
#[derive(Clone)]
pub struct DecryptedSecret(pub(crate) CoreDecrypted);

impl std::fmt::Debug for DecryptedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptedSecret").field("id", &self.0.secret.id).field("payload", &"<redacted>").finish()
    }
}

#[napi]
impl DecryptedSecret {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.0.secret.id.clone()
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.0.secret.name.clone()
    }

    #[napi(getter)]
    pub fn description(&self) -> Option<String> {
        self.0.secret.description.clone()
    }

    /// `login`, `api_key`, `key_pair`, `ssh_key` or `other`.
    #[napi(getter)]
    pub fn secret_type(&self) -> String {
        self.0.secret.secret_type.as_str().to_owned()
    }

    /// ISO-8601.
    #[napi(getter)]
    pub fn created_at(&self) -> String {
        self.0.secret.created_at.to_string()
    }

    /// ISO-8601.
    #[napi(getter)]
    pub fn updated_at(&self) -> String {
        self.0.secret.updated_at.to_string()
    }

    /// The decrypted payload as wire JSON (snake_case keys): the caller asked for it.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn payload<'e>(&self, env: &Env) -> Result<Unknown<'e>> {
        guard(|| {
            let text = self.0.payload.to_json();
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
                Fail::new("InkboxVaultPayloadError", "vault.invalid_payload", "the payload is not JSON")
            })?;
            to_js(env, &value)
        })
    }

    /// The login's current TOTP code at `nowSecs`.
    #[napi(ts_return_type = "{ code: string; periodStart: number; periodEnd: number; secondsRemaining: number }")]
    pub fn totp_code<'e>(&self, env: &Env, now_secs: f64) -> Result<Unknown<'e>> {
        guard(|| {
            let c = self.0.totp_code(whole(now_secs, "nowSecs")?)?;
            let v = serde_json::json!({
                "code": c.code, "periodStart": num(c.period_start), "periodEnd": num(c.period_end),
                "secondsRemaining": num(c.seconds_remaining),
            });
            to_js(env, &v)
        })
    }
}

/// An unlocked vault: the org key (zeroized when freed, never readable) and
/// the decrypted secrets.
#[napi]
pub struct UnlockedVault {
    vault: CoreUnlocked,
}

impl std::fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedVault").field("secrets", &self.vault.secrets.len()).finish_non_exhaustive()
    }
}

impl UnlockedVault {
    fn new(vault: CoreUnlocked) -> Self {
        UnlockedVault { vault }
    }
}

#[napi]
impl UnlockedVault {
    #[napi(getter)]
    pub fn organization_id(&self) -> String {
        self.vault.organization_id.clone()
    }

    /// The id of the vault key (or recovery key) that opened the vault.
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.vault.key_id.clone()
    }

    /// The decrypted secrets, in server order.
    #[napi]
    pub fn secrets(&self) -> Vec<DecryptedSecret> {
        self.vault.secrets.iter().cloned().map(DecryptedSecret).collect()
    }

    /// A decrypted secret by id.
    #[napi]
    pub fn get_secret(&self, secret_id: String) -> Option<DecryptedSecret> {
        self.vault.secret(&secret_id).cloned().map(DecryptedSecret)
    }

    #[napi]
    pub fn secret_ids(&self) -> Vec<String> {
        self.vault.secrets.iter().map(|s| s.secret.id.clone()).collect()
    }

    /// `{id, code}` of each secret that did not decrypt or parse.
    #[napi(ts_return_type = "Array<{ id: string; code: string }>")]
    pub fn undecryptable<'e>(&self, env: &Env) -> Result<Unknown<'e>> {
        use inkbox_core::ErrorCode as _;
        guard(|| {
            let v: Vec<serde_json::Value> = self
                .vault
                .undecryptable
                .iter()
                .map(|u| serde_json::json!({"id": u.secret.id, "code": u.error.code()}))
                .collect();
            to_js(env, &v)
        })
    }
}
