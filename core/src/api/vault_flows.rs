//! The vault's composite operations as sans-IO state machines
//! (spec/vault.md, "Flows (wire order)").
//!
//! # Driving a flow
//!
//! Every flow implements [`Flow`]. A binding loops:
//!
//! 1. call [`Flow::next`]; on [`Step::Send`] send the request with its own
//!    transport (and its own retry policy) and hand the response, whatever its
//!    status, to [`Flow::feed`];
//! 2. on [`Step::Page`] hand the page to the caller (who parses it), then
//!    call `next` again; only the pager flow
//!    ([`PagerFlow`](super::dynamic::PagerFlow)) yields pages, never a vault
//!    flow;
//! 3. on [`Step::Done`] the flow is over and yields its result.
//!
//! Any `Err` ends the flow; calling it again afterwards gives
//! `flow.finished`. Calling `next` while a response is expected, or `feed`
//! when none is, gives `flow.out_of_order` and leaves the flow as it was.
//! [`drive_pages`] runs that loop over a blocking send function and a page
//! callback; [`drive`] runs it for a flow that yields no pages.
//! [`AnyFlow`] holds any of these flows behind one type, so a host drives
//! every composite call and every list with one loop.
//!
//! Nothing here performs I/O or reads a clock. Randomness (org key, key and
//! secret ids, recovery codes, nonces) is drawn from the caller's CSPRNG when
//! a flow is *constructed*, so the flows themselves hold no generator.
//!
//! # CPU-heavy steps
//!
//! Argon2id (64 MiB, t = 3; a few hundred ms each) runs inside [`Flow::next`],
//! never inside `feed`: once in [`UnlockFlow`], five times in
//! [`InitializeFlow`] (the vault key and four recovery codes), twice in
//! [`UpdateKeyFlow`]. [`Flow::next_is_heavy`] says whether the coming `next`
//! call derives, so a binding can run just that call on a worker thread (and
//! release the GIL / return a Promise); running every `next` off the main
//! thread is also fine.
//!
//! # Error codes
//!
//! Besides the request errors ([`ApiError::Status`] etc.), validation and
//! [`crate::vault::VaultError`] / [`crate::totp::TotpError`] values, the
//! flows fail with [`ApiError::Flow`] codes:
//! - `vault.not_initialized`: `GET /vault/info` answered 404;
//! - `vault.invalid_key`: the vault key or recovery code does not open the
//!   vault (the unlock bundle has no wrapped key for its auth hash, the
//!   unlock call answered 404, or the wrapped key does not authenticate under
//!   any registered key id);
//! - `vault.organization_unknown`: `GET /api/whoami` gave no organization id;
//! - `vault.not_login`: TOTP on a secret that is not a `login`;
//! - `vault.no_totp`: a TOTP code for a login without a TOTP config;
//! - `vault.secret_mismatch`: the server returned another secret than the
//!   one requested;
//! - `flow.out_of_order`, `flow.finished`: misuse of the step protocol.
//!
//! # Unlock and secrets that do not decrypt
//!
//! The unlock bundle holds every secret visible to the caller. A secret that
//! does not decrypt or parse (corrupted, written by a buggy client, or of a
//! `secret_type` this version does not know) does not fail the unlock: it is
//! kept in [`UnlockedVault::undecryptable`] with its error, and the others are
//! in [`UnlockedVault::secrets`]. (The reference SDK fails the whole unlock;
//! one bad secret should not lock an agent out of all the others.)

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::mem;

use rand_core::TryCryptoRng;
use zeroize::{Zeroize as _, Zeroizing};

use super::codes;
use super::dynamic::PagerFlow;
use super::error::ApiError;
use super::paginate::{Page, PageSummary};
use super::patch::Patch;
use super::request::{Request, Response};
use super::validate;
use super::vault::{
    self as api, AccessRule, InitializeVaultRequest, KeyMaterialRequest, KeyType, PrimaryKeyProof, UnlockBundle,
    UpdatePrimaryKeyRequest, UpdateSecretRequest, VaultKey, VaultSecret, VaultSecretDetail,
};
use super::whoami;
use crate::totp::TotpConfig;
use crate::vault::blob::NONCE_LEN;
use crate::vault::{
    self as crypto, AuthHash, ClientUuid, KeyMaterial, MasterKey, OrgKey, RecoveryCode, SecretPayload, SecretType,
    VaultError, VaultKeyType,
};

// ------------------------------------------------------------ step protocol

/// What a flow asks of its driver.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request and [`Flow::feed`] the response back.
    Send(Request),
    /// Hand this page to the caller, then call [`Flow::next`] again (the
    /// pager flow only; optionally give its summary first with
    /// [`Flow::summarize_page`]).
    Page(Page),
    /// The flow is complete.
    Done(T),
}

/// A sans-IO multi-request operation.
pub trait Flow {
    /// The flow's result.
    type Output;

    /// The next request to send, or the result. May run Argon2id (see
    /// [`Flow::next_is_heavy`]).
    fn next(&mut self) -> Result<Step<Self::Output>, ApiError>;

    /// Hands back the response to the last [`Step::Send`] request, whatever
    /// its status. Never CPU-heavy.
    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError>;

    /// `true` when the coming [`Flow::next`] call runs an Argon2id
    /// derivation (64 MiB, CPU-bound: run it off the main thread).
    fn next_is_heavy(&self) -> bool {
        false
    }

    /// Gives the summary of the page the last [`Step::Page`] handed over
    /// (item count, `has_more`, `next_cursor`), read by the caller from its
    /// own parse of that page, so the flow does not read the body again.
    /// Optional: without it, the next [`Flow::next`] reads the summary from
    /// the body. Flows that yield no pages refuse it with
    /// `flow.out_of_order`.
    fn summarize_page(&mut self, summary: PageSummary) -> Result<(), ApiError> {
        let _ = summary;
        Err(out_of_order("this flow yields no pages"))
    }

    /// [`Flow::feed`] for a host that parsed a successful page itself from
    /// `resp` and gives its `summary` at once: a pager keeps no copy of the
    /// body (the [`Step::Page`] that follows carries an empty one). A
    /// response that is not a 2xx is fed as by `feed`; flows that yield no
    /// pages ignore the summary.
    fn feed_summarized(&mut self, resp: &Response<'_>, summary: PageSummary) -> Result<(), ApiError> {
        let _ = summary;
        self.feed(resp)
    }
}

/// Runs a flow to completion over a blocking `send` function that returns
/// the status, headers and body of each response (or a transport error),
/// handing every page to `on_page` (an `Err` from it ends the run).
pub fn drive_pages<F, S, P>(flow: &mut F, mut send: S, mut on_page: P) -> Result<F::Output, ApiError>
where
    F: Flow + ?Sized,
    S: FnMut(&Request) -> Result<(u16, Vec<(String, String)>, Vec<u8>), ApiError>,
    P: FnMut(Page) -> Result<(), ApiError>,
{
    loop {
        match flow.next()? {
            Step::Done(out) => return Ok(out),
            Step::Page(page) => on_page(page)?,
            Step::Send(req) => {
                let (status, headers, body) = send(&req)?;
                flow.feed(&Response::new(status, &headers, &body))?;
            }
        }
    }
}

/// [`drive_pages`] for a flow that yields no pages (every vault flow): a
/// page fails the run with `flow.out_of_order`.
pub fn drive<F, S>(flow: &mut F, send: S) -> Result<F::Output, ApiError>
where
    F: Flow + ?Sized,
    S: FnMut(&Request) -> Result<(u16, Vec<(String, String)>, Vec<u8>), ApiError>,
{
    drive_pages(flow, send, |_| Err(out_of_order("the flow yields pages: drive it with drive_pages")))
}

fn flow_error(code: &'static str, message: &'static str) -> ApiError {
    ApiError::Flow { code, message: message.into() }
}

fn not_initialized() -> ApiError {
    flow_error(codes::VAULT_NOT_INITIALIZED, "the organization's vault is not initialized")
}

fn invalid_key() -> ApiError {
    flow_error(codes::VAULT_INVALID_KEY, "the vault key or recovery code does not unlock the vault")
}

fn out_of_order(message: &'static str) -> ApiError {
    flow_error(codes::FLOW_OUT_OF_ORDER, message)
}

fn finished() -> ApiError {
    flow_error(codes::FLOW_FINISHED, "the flow has already finished or failed")
}

fn expecting_response() -> ApiError {
    out_of_order("a response is expected: call feed first")
}

fn not_expecting_response() -> ApiError {
    out_of_order("no request is outstanding: call next first")
}

/// A copy of the org key for a flow that outlives its borrow of the vault.
fn copy_key(key: &OrgKey) -> OrgKey {
    OrgKey::from_bytes(*key.as_bytes())
}

fn nonce<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<[u8; NONCE_LEN], ApiError> {
    Ok(crypto::blob::generate_nonce(rng)?)
}

// ----------------------------------------------------------------- results

/// A secret with its decrypted, typed payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptedSecret {
    /// The metadata.
    pub secret: VaultSecret,
    /// The payload (secret fields are redacted in `Debug`).
    pub payload: SecretPayload,
}

impl DecryptedSecret {
    /// The secret's id.
    pub fn id(&self) -> &str {
        &self.secret.id
    }

    /// The secret's name.
    pub fn name(&self) -> &str {
        &self.secret.name
    }

    /// The stored `secret_type`.
    pub fn secret_type(&self) -> &SecretType {
        &self.secret.secret_type
    }

    /// The current TOTP code of a login with a TOTP config (see [`totp_code`]).
    pub fn totp_code(&self, now_unix: u64) -> Result<TotpCodeView, ApiError> {
        totp_code(&self.payload, now_unix)
    }
}

/// A secret of the unlock bundle whose payload did not decrypt or parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndecryptableSecret {
    /// The metadata.
    pub secret: VaultSecret,
    /// Why: `DecryptionFailed`, `InvalidPayload` or `UnsupportedSecretType`.
    pub error: VaultError,
}

/// An unlocked vault: the org key and every secret the caller can see.
///
/// The org key is zeroized on drop and redacted in `Debug`.
#[derive(Debug)]
pub struct UnlockedVault {
    /// The organization's key that encrypts every payload.
    pub org_key: OrgKey,
    /// The organization id (the Argon2 salt).
    pub organization_id: String,
    /// The id of the vault key (or recovery key) that opened the vault.
    pub key_id: String,
    /// The decrypted secrets, in bundle order.
    pub secrets: Vec<DecryptedSecret>,
    /// Secrets that did not decrypt or parse, in bundle order.
    pub undecryptable: Vec<UndecryptableSecret>,
}

impl UnlockedVault {
    /// A vault around a known org key with no secrets loaded (e.g. restored
    /// from secure storage); the secret operations need only the key.
    pub fn new(org_key: OrgKey, organization_id: String) -> Self {
        UnlockedVault {
            org_key,
            organization_id,
            key_id: String::new(),
            secrets: Vec::new(),
            undecryptable: Vec::new(),
        }
    }

    /// A decrypted secret by id.
    pub fn secret(&self, id: &str) -> Option<&DecryptedSecret> {
        self.secrets.iter().find(|s| s.secret.id == id)
    }

    /// The decrypted secrets of one type (e.g. the logins).
    pub fn secrets_of_type<'a>(&'a self, secret_type: &'a SecretType) -> impl Iterator<Item = &'a DecryptedSecret> {
        self.secrets.iter().filter(move |s| s.secret.secret_type == *secret_type)
    }
}

/// A TOTP code with its validity window.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TotpCodeView {
    /// The code, zero-padded (6 or 8 digits).
    pub code: String,
    /// The HOTP counter.
    pub counter: u64,
    /// Unix time the code became valid.
    pub period_start: u64,
    /// Unix time the code expires.
    pub period_end: u64,
    /// `period_end - now`.
    pub seconds_remaining: u64,
    /// Same as `seconds_remaining` (the seed README's `code.expires_in`).
    pub expires_in: u64,
}

impl From<crate::totp::TotpCode> for TotpCodeView {
    fn from(c: crate::totp::TotpCode) -> Self {
        TotpCodeView {
            code: c.code.as_str().to_owned(),
            counter: c.counter,
            period_start: c.period_start,
            period_end: c.period_end,
            seconds_remaining: c.seconds_remaining,
            expires_in: c.seconds_remaining,
        }
    }
}

// ------------------------------------------------------- opening the vault

/// The org key, unwrapped.
struct Opened {
    organization_id: String,
    auth_hash: AuthHash,
    org_key: OrgKey,
    key_id: String,
    bundle: UnlockBundle,
}

struct Pending {
    organization_id: String,
    master: MasterKey,
    wrapped: String,
    bundle: UnlockBundle,
}

enum OpenState {
    Start,
    AwaitInfo,
    Derive { organization_id: String },
    AwaitUnlock { organization_id: String, master: MasterKey },
    FetchKeys(Pending),
    AwaitKeys(Pending),
    Opened(Opened),
    Finished,
}

enum OpenStep {
    Send(Request),
    Opened(Opened),
}

/// GET info → derive → GET unlock → GET keys → unwrap (shared by unlock and
/// key change).
struct Opener {
    secret: Zeroizing<String>,
    state: OpenState,
}

impl Opener {
    fn new(secret: &str) -> Self {
        Opener { secret: Zeroizing::new(secret.to_owned()), state: OpenState::Start }
    }

    fn is_deriving(&self) -> bool {
        matches!(self.state, OpenState::Derive { .. })
    }

    fn is_opened(&self) -> bool {
        matches!(self.state, OpenState::Opened(_))
    }

    fn next(&mut self) -> Result<OpenStep, ApiError> {
        match mem::replace(&mut self.state, OpenState::Finished) {
            OpenState::Start => {
                let req = api::build_info()?;
                self.state = OpenState::AwaitInfo;
                Ok(OpenStep::Send(req))
            }
            OpenState::Derive { organization_id } => {
                let master = crypto::derive_master_key(&self.secret, &organization_id)?;
                self.secret.zeroize();
                let req = api::build_unlock(master.auth_hash().as_str())?;
                self.state = OpenState::AwaitUnlock { organization_id, master };
                Ok(OpenStep::Send(req))
            }
            OpenState::FetchKeys(pending) => {
                let req = api::build_list_keys(None)?;
                self.state = OpenState::AwaitKeys(pending);
                Ok(OpenStep::Send(req))
            }
            OpenState::Opened(opened) => Ok(OpenStep::Opened(opened)),
            OpenState::Finished => Err(finished()),
            waiting => {
                self.state = waiting;
                Err(expecting_response())
            }
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, OpenState::Finished) {
            OpenState::AwaitInfo => {
                let info = api::parse_info(resp)?.ok_or_else(not_initialized)?;
                self.state = OpenState::Derive { organization_id: info.organization_id };
                Ok(())
            }
            OpenState::AwaitUnlock { organization_id, master } => {
                // Not evidenced whether a wrong key gives a null key or an
                // error; a 404 for "no key with this hash" is read as such.
                if resp.status == 404 {
                    return Err(invalid_key());
                }
                let bundle = api::parse_unlock(resp)?;
                let wrapped = pick_wrapped(&bundle, &master.auth_hash()).ok_or_else(invalid_key)?;
                self.state = OpenState::FetchKeys(Pending { organization_id, master, wrapped, bundle });
                Ok(())
            }
            OpenState::AwaitKeys(pending) => {
                let keys = api::parse_list_keys(resp)?;
                let ids = candidate_ids(&keys);
                let (index, org_key) =
                    crypto::unwrap_org_key_with_candidates(&pending.master, &pending.wrapped, ids.iter().copied())
                        .map_err(|_| invalid_key())?;
                let key_id = ids.get(index).map(|id| (*id).to_owned()).unwrap_or_default();
                self.state = OpenState::Opened(Opened {
                    organization_id: pending.organization_id,
                    auth_hash: pending.master.auth_hash(),
                    org_key,
                    key_id,
                    bundle: pending.bundle,
                });
                Ok(())
            }
            OpenState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }
}

/// The wrapped key for our auth hash: the singular field, else (a server that
/// sends the plural list anyway) the list entry with our hash.
fn pick_wrapped(bundle: &UnlockBundle, auth_hash: &AuthHash) -> Option<String> {
    if let Some(w) = bundle.wrapped_org_encryption_key.as_ref().filter(|w| !w.is_empty()) {
        return Some(w.clone());
    }
    bundle
        .wrapped_org_encryption_keys
        .as_ref()?
        .iter()
        .find(|e| *auth_hash == e.auth_hash.as_str() && !e.wrapped_org_encryption_key.is_empty())
        .map(|e| e.wrapped_org_encryption_key.clone())
}

/// Key ids to try as AAD: primaries first, then recoveries (the reference's
/// order), then kinds this version does not know.
fn candidate_ids(keys: &[VaultKey]) -> Vec<&str> {
    let mut sorted: Vec<&VaultKey> = keys.iter().collect();
    // Stable: server order is kept within each kind.
    sorted.sort_by_key(|k| match k.key_type {
        KeyType::Primary => 0u8,
        KeyType::Recovery => 1,
        KeyType::Unknown(_) => 2,
    });
    sorted.into_iter().map(|k| k.id.as_str()).collect()
}

/// Decrypts every bundle entry (AAD = its id), in bundle order; the vault
/// comes back with no secrets yet.
fn decrypt_bundle(opened: Opened) -> (UnlockedVault, Vec<Entry>) {
    let Opened { organization_id, org_key, key_id, bundle, .. } = opened;
    let vault = UnlockedVault { org_key, organization_id, key_id, secrets: Vec::new(), undecryptable: Vec::new() };
    let entries = bundle
        .encrypted_secrets
        .into_iter()
        .map(|VaultSecretDetail { secret, encrypted_payload }| {
            match crypto::decrypt_payload(&vault.org_key, &secret.id, &secret.secret_type, &encrypted_payload) {
                Ok(payload) => Entry::Ok(DecryptedSecret { secret, payload }),
                Err(error) => Entry::Failed(UndecryptableSecret { secret, error }),
            }
        })
        .collect();
    (vault, entries)
}

// ------------------------------------------------------------------ unlock

enum Entry {
    Ok(DecryptedSecret),
    Failed(UndecryptableSecret),
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Ok(s) => &s.secret.id,
            Entry::Failed(s) => &s.secret.id,
        }
    }

    fn keep_in(self, vault: &mut UnlockedVault) {
        match self {
            Entry::Ok(s) => vault.secrets.push(s),
            Entry::Failed(s) => vault.undecryptable.push(s),
        }
    }
}

/// The identity filter: one `GET …/access` per secret, in bundle order.
struct Filter {
    identity_id: String,
    vault: UnlockedVault,
    /// Still to check, reversed (popped from the end).
    remaining: Vec<Entry>,
    current: Option<Entry>,
}

enum UnlockState {
    Opening,
    Filtering(Box<Filter>),
    Finished,
}

/// Unlocks the vault with a vault key or a recovery code.
///
/// Wire order: `GET /vault/info` (404 → `vault.not_initialized`) → derive
/// the master key with salt = the organization id (**heavy**) →
/// `GET /vault/unlock?auth_hash=…` (no wrapped key → `vault.invalid_key`) →
/// `GET /vault/keys` → unwrap the org key trying primary keys first, then
/// recovery keys → decrypt every secret (AAD = its id). With
/// [`UnlockFlow::for_identity`], then `GET /vault/secrets/{id}/access` for each
/// secret, keeping those with a rule for the identity (the identity's
/// `credentials` view).
pub struct UnlockFlow {
    opener: Opener,
    identity_id: Option<String>,
    state: UnlockState,
}

impl fmt::Debug for UnlockFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockFlow").field("identity_id", &self.identity_id).finish_non_exhaustive()
    }
}

impl UnlockFlow {
    /// Unlocks with a vault key or a recovery code (exactly as shown, no
    /// normalization). The vault-key rules are not applied here.
    pub fn new(vault_key_or_recovery_code: &str) -> Result<Self, ApiError> {
        if vault_key_or_recovery_code.is_empty() {
            return Err(ApiError::validation("vault_key", "must not be empty"));
        }
        Ok(UnlockFlow {
            opener: Opener::new(vault_key_or_recovery_code),
            identity_id: None,
            state: UnlockState::Opening,
        })
    }

    /// Unlocks, then keeps only the secrets `identity_id` has an access rule
    /// for (one extra request per secret).
    pub fn for_identity(vault_key_or_recovery_code: &str, identity_id: &str) -> Result<Self, ApiError> {
        validate::non_empty("identity_id", identity_id)?;
        let mut flow = Self::new(vault_key_or_recovery_code)?;
        flow.identity_id = Some(identity_id.to_owned());
        Ok(flow)
    }
}

impl Flow for UnlockFlow {
    type Output = UnlockedVault;

    fn next(&mut self) -> Result<Step<UnlockedVault>, ApiError> {
        if let UnlockState::Opening = self.state {
            // The opener keeps its own state (and reports misuse or its end).
            let opened = match self.opener.next()? {
                OpenStep::Send(req) => return Ok(Step::Send(req)),
                OpenStep::Opened(opened) => opened,
            };
            let (mut vault, mut remaining) = decrypt_bundle(opened);
            let Some(identity_id) = self.identity_id.clone() else {
                remaining.into_iter().for_each(|e| e.keep_in(&mut vault));
                self.state = UnlockState::Finished;
                return Ok(Step::Done(vault));
            };
            // One access request per secret, in bundle order.
            remaining.reverse();
            self.state = UnlockState::Filtering(Box::new(Filter { identity_id, vault, remaining, current: None }));
        }
        match mem::replace(&mut self.state, UnlockState::Finished) {
            UnlockState::Filtering(mut filter) => {
                if filter.current.is_some() {
                    self.state = UnlockState::Filtering(filter);
                    return Err(expecting_response());
                }
                match filter.remaining.pop() {
                    Some(entry) => {
                        let req = api::build_list_access(entry.id())?;
                        filter.current = Some(entry);
                        self.state = UnlockState::Filtering(filter);
                        Ok(Step::Send(req))
                    }
                    None => Ok(Step::Done(filter.vault)),
                }
            }
            UnlockState::Opening | UnlockState::Finished => Err(finished()),
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        if let UnlockState::Opening = self.state {
            return self.opener.feed(resp);
        }
        match mem::replace(&mut self.state, UnlockState::Finished) {
            UnlockState::Filtering(mut filter) => {
                let Some(entry) = filter.current.take() else {
                    self.state = UnlockState::Filtering(filter);
                    return Err(not_expecting_response());
                };
                let rules = api::parse_list_access(resp)?;
                if rules.iter().any(|r| r.identity_id.eq_ignore_ascii_case(&filter.identity_id)) {
                    entry.keep_in(&mut filter.vault);
                }
                self.state = UnlockState::Filtering(filter);
                Ok(())
            }
            UnlockState::Opening | UnlockState::Finished => Err(finished()),
        }
    }

    fn next_is_heavy(&self) -> bool {
        matches!(self.state, UnlockState::Opening) && self.opener.is_deriving()
    }
}

// -------------------------------------------------------------- initialize

/// One recovery key of a new vault.
#[derive(Clone, Debug)]
pub struct RecoveryKey {
    /// The recovery key's id.
    pub id: String,
    /// The code to show the user once (zeroized on drop, redacted in `Debug`).
    pub recovery_code: RecoveryCode,
}

/// The result of [`InitializeFlow`].
#[derive(Clone, Debug)]
pub struct InitializedVault {
    /// The new vault's id.
    pub vault_id: String,
    /// The primary key's id.
    pub vault_key_id: String,
    /// The organization id (the Argon2 salt).
    pub organization_id: String,
    /// As reported by the server.
    pub recovery_key_count: u64,
    /// The four recovery codes: show them once, then drop them.
    pub recovery_keys: Vec<RecoveryKey>,
}

struct NewRecovery {
    id: ClientUuid,
    code: RecoveryCode,
    nonce: [u8; NONCE_LEN],
}

enum InitState {
    Start,
    AwaitWhoami,
    Derive { organization_id: String },
    AwaitInitialize { organization_id: String },
    Ready(InitializedVault),
    Finished,
}

/// Initializes the organization's vault.
///
/// Wire order: `GET /api/whoami` (organization id) → derive the primary key
/// material from the vault key and four recovery key materials from fresh
/// recovery codes, all wrapping one new random org key (**heavy**: five
/// Argon2id derivations) → `POST /vault/initialize` → the four codes.
pub struct InitializeFlow {
    vault_key: Zeroizing<String>,
    org_key: OrgKey,
    primary_id: ClientUuid,
    primary_nonce: [u8; NONCE_LEN],
    recovery: Vec<NewRecovery>,
    state: InitState,
}

impl fmt::Debug for InitializeFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitializeFlow").field("primary_id", &self.primary_id).finish_non_exhaustive()
    }
}

impl InitializeFlow {
    /// Checks the vault-key rules, then draws the org key, the key ids, the
    /// recovery codes and the nonces from `rng`.
    pub fn new<R: TryCryptoRng + ?Sized>(vault_key: &str, rng: &mut R) -> Result<Self, ApiError> {
        crypto::check_vault_key(vault_key)?;
        let org_key = OrgKey::generate(rng)?;
        let primary_id = ClientUuid::generate(rng)?;
        let primary_nonce = nonce(rng)?;
        let mut recovery = Vec::with_capacity(api::RECOVERY_KEY_COUNT);
        for _ in 0..api::RECOVERY_KEY_COUNT {
            recovery.push(NewRecovery {
                id: ClientUuid::generate(rng)?,
                code: RecoveryCode::generate(rng)?,
                nonce: nonce(rng)?,
            });
        }
        Ok(InitializeFlow {
            vault_key: Zeroizing::new(vault_key.to_owned()),
            org_key,
            primary_id,
            primary_nonce,
            recovery,
            state: InitState::Start,
        })
    }

    fn build_request(&mut self, organization_id: &str) -> Result<Request, ApiError> {
        let master = crypto::derive_master_key(&self.vault_key, organization_id)?;
        self.vault_key.zeroize();
        let primary = KeyMaterial::with_nonce(
            &master,
            &self.org_key,
            self.primary_id,
            VaultKeyType::Primary,
            &self.primary_nonce,
        )?;
        drop(master);
        let mut recovery_keys = Vec::with_capacity(self.recovery.len());
        for r in &self.recovery {
            let master = crypto::derive_master_key(r.code.as_str(), organization_id)?;
            let m = KeyMaterial::with_nonce(&master, &self.org_key, r.id, VaultKeyType::Recovery, &r.nonce)?;
            recovery_keys.push(KeyMaterialRequest::from(&m));
        }
        api::build_initialize(&InitializeVaultRequest { vault_key: KeyMaterialRequest::from(&primary), recovery_keys })
    }
}

impl Flow for InitializeFlow {
    type Output = InitializedVault;

    fn next(&mut self) -> Result<Step<InitializedVault>, ApiError> {
        match mem::replace(&mut self.state, InitState::Finished) {
            InitState::Start => {
                let req = whoami::build_whoami()?;
                self.state = InitState::AwaitWhoami;
                Ok(Step::Send(req))
            }
            InitState::Derive { organization_id } => {
                let req = self.build_request(&organization_id)?;
                self.state = InitState::AwaitInitialize { organization_id };
                Ok(Step::Send(req))
            }
            InitState::Ready(result) => Ok(Step::Done(result)),
            InitState::Finished => Err(finished()),
            waiting => {
                self.state = waiting;
                Err(expecting_response())
            }
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, InitState::Finished) {
            InitState::AwaitWhoami => {
                let whoami = whoami::parse_whoami(resp)?;
                let organization_id = whoami
                    .organization_id()
                    .filter(|o| !o.is_empty())
                    .ok_or_else(|| flow_error(codes::VAULT_ORGANIZATION_UNKNOWN, "whoami returned no organization id"))?
                    .to_owned();
                self.state = InitState::Derive { organization_id };
                Ok(())
            }
            InitState::AwaitInitialize { organization_id } => {
                let created = api::parse_initialize(resp)?;
                let recovery_keys = mem::take(&mut self.recovery)
                    .into_iter()
                    .map(|r| RecoveryKey { id: r.id.as_str().to_owned(), recovery_code: r.code })
                    .collect();
                self.state = InitState::Ready(InitializedVault {
                    vault_id: created.vault_id,
                    vault_key_id: created.vault_key_id,
                    organization_id,
                    recovery_key_count: created.recovery_key_count,
                    recovery_keys,
                });
                Ok(())
            }
            InitState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }

    fn next_is_heavy(&self) -> bool {
        matches!(self.state, InitState::Derive { .. })
    }
}

// -------------------------------------------------------- change vault key

/// What authorizes a vault key change.
pub enum Proof {
    /// The current vault key (`current_auth_hash`).
    CurrentKey(Zeroizing<String>),
    /// A recovery code (`recovery_auth_hash`; the server consumes it).
    RecoveryCode(Zeroizing<String>),
}

impl Proof {
    /// Proof by the current vault key.
    pub fn current_key(vault_key: &str) -> Self {
        Proof::CurrentKey(Zeroizing::new(vault_key.to_owned()))
    }

    /// Proof by a recovery code (exactly as shown).
    pub fn recovery_code(code: &str) -> Self {
        Proof::RecoveryCode(Zeroizing::new(code.to_owned()))
    }

    fn secret(&self) -> &str {
        match self {
            Proof::CurrentKey(s) | Proof::RecoveryCode(s) => s.as_str(),
        }
    }
}

impl fmt::Debug for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proof::CurrentKey(_) => f.write_str("CurrentKey(<redacted>)"),
            Proof::RecoveryCode(_) => f.write_str("RecoveryCode(<redacted>)"),
        }
    }
}

enum UpdateKeyState {
    Opening,
    AwaitPut,
    Ready(VaultKey),
    Finished,
}

/// Changes the vault key (rotates the primary key).
///
/// Wire order: `GET /vault/info` → derive from the current key or recovery
/// code (**heavy**) → `GET /vault/unlock?auth_hash=…` → `GET /vault/keys` →
/// unwrap → new primary key material from the new key (**heavy**) →
/// `PUT /vault/keys/primary` with `current_auth_hash` or
/// `recovery_auth_hash`. The result is the new primary key.
pub struct UpdateKeyFlow {
    opener: Opener,
    recovery: bool,
    new_key: Zeroizing<String>,
    new_id: ClientUuid,
    nonce: [u8; NONCE_LEN],
    state: UpdateKeyState,
}

impl fmt::Debug for UpdateKeyFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateKeyFlow")
            .field("recovery", &self.recovery)
            .field("new_id", &self.new_id)
            .finish_non_exhaustive()
    }
}

impl UpdateKeyFlow {
    /// Checks the vault-key rules on `new_key` (not on the proof), then draws
    /// the new key id and nonce from `rng`.
    pub fn new<R: TryCryptoRng + ?Sized>(new_key: &str, proof: Proof, rng: &mut R) -> Result<Self, ApiError> {
        crypto::check_vault_key(new_key)?;
        if proof.secret().is_empty() {
            let field = if matches!(proof, Proof::CurrentKey(_)) { "current_vault_key" } else { "recovery_code" };
            return Err(ApiError::validation(field, "must not be empty"));
        }
        Ok(UpdateKeyFlow {
            opener: Opener::new(proof.secret()),
            recovery: matches!(proof, Proof::RecoveryCode(_)),
            new_key: Zeroizing::new(new_key.to_owned()),
            new_id: ClientUuid::generate(rng)?,
            nonce: nonce(rng)?,
            state: UpdateKeyState::Opening,
        })
    }

    fn build_put(&mut self, opened: Opened) -> Result<Request, ApiError> {
        let master = crypto::derive_master_key(&self.new_key, &opened.organization_id)?;
        self.new_key.zeroize();
        let material =
            KeyMaterial::with_nonce(&master, &opened.org_key, self.new_id, VaultKeyType::Primary, &self.nonce)?;
        let hash = opened.auth_hash.as_str().to_owned();
        let proof = if self.recovery {
            PrimaryKeyProof::RecoveryAuthHash(hash)
        } else {
            PrimaryKeyProof::CurrentAuthHash(hash)
        };
        api::build_update_primary_key(&UpdatePrimaryKeyRequest::new(&material, proof)?)
    }
}

impl Flow for UpdateKeyFlow {
    type Output = VaultKey;

    fn next(&mut self) -> Result<Step<VaultKey>, ApiError> {
        if let UpdateKeyState::Opening = self.state {
            // The opener keeps its own state (and reports misuse or its end).
            return match self.opener.next()? {
                OpenStep::Send(req) => Ok(Step::Send(req)),
                OpenStep::Opened(opened) => {
                    let req = self.build_put(opened)?;
                    self.state = UpdateKeyState::AwaitPut;
                    Ok(Step::Send(req))
                }
            };
        }
        match mem::replace(&mut self.state, UpdateKeyState::Finished) {
            UpdateKeyState::AwaitPut => {
                self.state = UpdateKeyState::AwaitPut;
                Err(expecting_response())
            }
            UpdateKeyState::Ready(key) => Ok(Step::Done(key)),
            UpdateKeyState::Opening | UpdateKeyState::Finished => Err(finished()),
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        if let UpdateKeyState::Opening = self.state {
            return self.opener.feed(resp);
        }
        match mem::replace(&mut self.state, UpdateKeyState::Finished) {
            UpdateKeyState::AwaitPut => {
                self.state = UpdateKeyState::Ready(api::parse_update_primary_key(resp)?);
                Ok(())
            }
            UpdateKeyState::Finished => Err(finished()),
            ready => {
                self.state = ready;
                Err(not_expecting_response())
            }
        }
    }

    fn next_is_heavy(&self) -> bool {
        matches!(self.state, UpdateKeyState::Opening) && (self.opener.is_deriving() || self.opener.is_opened())
    }
}

// --------------------------------------------------------- secret contents

/// A secret to create: name, optional description, the typed payload and,
/// optionally, the declared type (refused when it differs from the payload's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSecret {
    /// 1–255 characters.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// The type the caller declares; `None` = the payload's type.
    pub secret_type: Option<SecretType>,
    /// The payload to encrypt.
    pub payload: SecretPayload,
}

impl NewSecret {
    /// A secret with a name and a payload (type taken from the payload).
    pub fn new(name: impl Into<String>, payload: impl Into<SecretPayload>) -> Self {
        NewSecret { name: name.into(), description: None, secret_type: None, payload: payload.into() }
    }

    /// Adds a description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Encrypts a new secret into its `POST /vault/secrets` body: a fresh v4 id
/// from `rng` (the AAD) and the payload under the org key with a fresh nonce.
pub fn new_secret_request<R: TryCryptoRng + ?Sized>(
    vault: &UnlockedVault,
    secret: &NewSecret,
    rng: &mut R,
) -> Result<api::CreateSecretRequest, ApiError> {
    if let Some(declared) = &secret.secret_type {
        secret.payload.ensure_type(declared)?;
    }
    let id = ClientUuid::generate(rng)?;
    let encrypted_payload = crypto::encrypt_payload(&vault.org_key, id.as_str(), &secret.payload, rng)?;
    Ok(api::CreateSecretRequest {
        id: id.as_str().to_owned(),
        name: secret.name.clone(),
        secret_type: secret.payload.secret_type(),
        encrypted_payload,
        description: secret.description.clone(),
    })
}

/// Builds `POST /vault/secrets` for a new secret (see [`new_secret_request`]);
/// parse the response with [`api::parse_create_secret`].
pub fn build_create_secret<R: TryCryptoRng + ?Sized>(
    vault: &UnlockedVault,
    secret: &NewSecret,
    rng: &mut R,
) -> Result<Request, ApiError> {
    api::build_create_secret(&new_secret_request(vault, secret, rng)?)
}

/// Decrypts a fetched secret (AAD = `secret_id`, the id that was requested),
/// refusing a response about another secret.
pub fn open_secret(
    vault: &UnlockedVault,
    secret_id: &str,
    detail: VaultSecretDetail,
) -> Result<DecryptedSecret, ApiError> {
    open_with(&vault.org_key, secret_id, detail)
}

fn open_with(org_key: &OrgKey, secret_id: &str, detail: VaultSecretDetail) -> Result<DecryptedSecret, ApiError> {
    if detail.secret.id != secret_id {
        return Err(flow_error(
            codes::VAULT_SECRET_MISMATCH,
            "the server returned another secret than the one requested",
        ));
    }
    let payload = crypto::decrypt_payload(org_key, secret_id, &detail.secret.secret_type, &detail.encrypted_payload)?;
    Ok(DecryptedSecret { secret: detail.secret, payload })
}

// ----------------------------------------------- create for an identity

/// A secret created for an identity, with the access rule granted to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySecret {
    /// The created secret.
    pub secret: VaultSecret,
    /// The identity's access rule.
    pub access_rule: AccessRule,
}

enum CreateState {
    Start(Request),
    AwaitCreate,
    Grant(VaultSecret),
    AwaitGrant(VaultSecret),
    Ready(CreatedSecret),
    Finished,
}

/// What [`CreateSecretFlow`] ends with.
#[derive(Clone, Debug)]
pub struct CreatedSecret {
    /// The created secret.
    pub secret: VaultSecret,
    /// The identity's access rule, when the secret was created for one.
    pub access_rule: Option<AccessRule>,
}

/// Creating a secret: `POST /vault/secrets`, then, when it is created for
/// an identity, `POST /vault/secrets/{id}/access {"identity_id"}`. One type
/// for both, so a binding has one entry point. If the grant fails the secret
/// exists without the rule; retry with [`api::build_grant_access`].
pub struct CreateSecretFlow {
    identity_id: Option<String>,
    state: CreateState,
}

impl fmt::Debug for CreateSecretFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSecretFlow").field("identity_id", &self.identity_id).finish_non_exhaustive()
    }
}

impl CreateSecretFlow {
    /// Encrypts `secret` now (id and nonce from `rng`); with `identity_id`
    /// the identity is granted access after the secret is created.
    pub fn new<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret: &NewSecret,
        identity_id: Option<&str>,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        if let Some(id) = identity_id {
            validate::non_empty("identity_id", id)?;
        }
        let req = build_create_secret(vault, secret, rng)?;
        Ok(CreateSecretFlow { identity_id: identity_id.map(ToOwned::to_owned), state: CreateState::Start(req) })
    }
}

impl Flow for CreateSecretFlow {
    type Output = CreatedSecret;

    fn next(&mut self) -> Result<Step<CreatedSecret>, ApiError> {
        match mem::replace(&mut self.state, CreateState::Finished) {
            CreateState::Start(req) => {
                self.state = CreateState::AwaitCreate;
                Ok(Step::Send(req))
            }
            CreateState::Grant(secret) => {
                let identity_id = self.identity_id.as_deref().unwrap_or_default();
                let req = api::build_grant_access(&secret.id, identity_id)?;
                self.state = CreateState::AwaitGrant(secret);
                Ok(Step::Send(req))
            }
            CreateState::Ready(result) => Ok(Step::Done(result)),
            CreateState::Finished => Err(finished()),
            waiting => {
                self.state = waiting;
                Err(expecting_response())
            }
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, CreateState::Finished) {
            CreateState::AwaitCreate => {
                let secret = api::parse_create_secret(resp)?;
                self.state = match self.identity_id {
                    Some(_) => CreateState::Grant(secret),
                    None => CreateState::Ready(CreatedSecret { secret, access_rule: None }),
                };
                Ok(())
            }
            CreateState::AwaitGrant(secret) => {
                let access_rule = api::parse_grant_access(resp)?;
                self.state = CreateState::Ready(CreatedSecret { secret, access_rule: Some(access_rule) });
                Ok(())
            }
            CreateState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }
}

/// Creates a secret and grants an identity access to it (a
/// [`CreateSecretFlow`] with an identity, whose result always carries the
/// access rule).
pub struct CreateSecretForIdentityFlow(CreateSecretFlow);

impl fmt::Debug for CreateSecretForIdentityFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSecretForIdentityFlow").field("identity_id", &self.0.identity_id).finish_non_exhaustive()
    }
}

impl CreateSecretForIdentityFlow {
    /// Encrypts the secret now (id and nonce from `rng`).
    pub fn new<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        identity_id: &str,
        secret: &NewSecret,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        Ok(CreateSecretForIdentityFlow(CreateSecretFlow::new(vault, secret, Some(identity_id), rng)?))
    }
}

impl Flow for CreateSecretForIdentityFlow {
    type Output = IdentitySecret;

    fn next(&mut self) -> Result<Step<IdentitySecret>, ApiError> {
        Ok(match self.0.next()? {
            Step::Send(req) => Step::Send(req),
            Step::Page(page) => Step::Page(page),
            // With an identity the flow only ends after the grant's rule.
            Step::Done(CreatedSecret { secret, access_rule: Some(access_rule) }) => {
                Step::Done(IdentitySecret { secret, access_rule })
            }
            Step::Done(CreatedSecret { access_rule: None, .. }) => return Err(finished()),
        })
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        self.0.feed(resp)
    }
}

// -------------------------------------------------------------- get secret

enum GetState {
    Start,
    Await,
    Ready(Box<DecryptedSecret>),
    Finished,
}

/// Fetches and decrypts one secret: `GET /vault/secrets/{id}` + decrypt.
pub struct GetSecretFlow {
    org_key: OrgKey,
    secret_id: String,
    state: GetState,
}

impl fmt::Debug for GetSecretFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetSecretFlow").field("secret_id", &self.secret_id).finish_non_exhaustive()
    }
}

impl GetSecretFlow {
    /// Keeps a (zeroized-on-drop) copy of the org key.
    pub fn new(vault: &UnlockedVault, secret_id: &str) -> Result<Self, ApiError> {
        validate::non_empty("secret_id", secret_id)?;
        Ok(GetSecretFlow { org_key: copy_key(&vault.org_key), secret_id: secret_id.to_owned(), state: GetState::Start })
    }
}

impl Flow for GetSecretFlow {
    type Output = DecryptedSecret;

    fn next(&mut self) -> Result<Step<DecryptedSecret>, ApiError> {
        match mem::replace(&mut self.state, GetState::Finished) {
            GetState::Start => {
                let req = api::build_get_secret(&self.secret_id)?;
                self.state = GetState::Await;
                Ok(Step::Send(req))
            }
            GetState::Await => {
                self.state = GetState::Await;
                Err(expecting_response())
            }
            GetState::Ready(s) => Ok(Step::Done(*s)),
            GetState::Finished => Err(finished()),
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, GetState::Finished) {
            GetState::Await => {
                let detail = api::parse_get_secret(resp)?;
                self.state = GetState::Ready(Box::new(open_with(&self.org_key, &self.secret_id, detail)?));
                Ok(())
            }
            GetState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }
}

// ----------------------------------------------------------- update secret

/// Changes to a secret. `secret_type` is immutable; a new payload must have
/// the stored type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretChanges {
    /// New name (1–255 characters).
    pub name: Option<String>,
    /// New description; [`Patch::Clear`] removes it.
    pub description: Patch<String>,
    /// New payload (encrypted with a fresh nonce, same AAD).
    pub payload: Option<SecretPayload>,
}

enum UpdateState {
    Start,
    AwaitGet,
    Patch,
    AwaitPatch,
    Ready(VaultSecret),
    Finished,
}

/// Updates a secret. With a new payload: `GET /vault/secrets/{id}` to learn
/// the stored type (a payload of another type is refused with
/// `vault.payload_type_mismatch`), then `PATCH` with the re-encrypted payload;
/// without: only the `PATCH`.
pub struct UpdateSecretFlow {
    org_key: OrgKey,
    secret_id: String,
    changes: SecretChanges,
    nonce: [u8; NONCE_LEN],
    state: UpdateState,
}

impl fmt::Debug for UpdateSecretFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateSecretFlow").field("secret_id", &self.secret_id).finish_non_exhaustive()
    }
}

impl UpdateSecretFlow {
    /// Keeps a copy of the org key and draws the payload nonce from `rng`.
    pub fn new<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret_id: &str,
        changes: SecretChanges,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        validate::non_empty("secret_id", secret_id)?;
        if let Some(name) = &changes.name {
            validate::non_empty("name", name)?;
            validate::char_len("name", name, 1, api::SECRET_NAME_MAX_CHARS)?;
        }
        Ok(UpdateSecretFlow {
            org_key: copy_key(&vault.org_key),
            secret_id: secret_id.to_owned(),
            changes,
            nonce: nonce(rng)?,
            state: UpdateState::Start,
        })
    }

    fn build_patch(&self) -> Result<Request, ApiError> {
        let encrypted_payload = match &self.changes.payload {
            Some(p) => Some(crypto::encrypt_payload_with_nonce(&self.org_key, &self.secret_id, p, &self.nonce)?),
            None => None,
        };
        let body = UpdateSecretRequest {
            name: self.changes.name.clone(),
            description: self.changes.description.clone(),
            encrypted_payload,
        };
        api::build_update_secret(&self.secret_id, &body)
    }
}

impl Flow for UpdateSecretFlow {
    type Output = VaultSecret;

    fn next(&mut self) -> Result<Step<VaultSecret>, ApiError> {
        match mem::replace(&mut self.state, UpdateState::Finished) {
            UpdateState::Start if self.changes.payload.is_some() => {
                let req = api::build_get_secret(&self.secret_id)?;
                self.state = UpdateState::AwaitGet;
                Ok(Step::Send(req))
            }
            UpdateState::Start | UpdateState::Patch => {
                let req = self.build_patch()?;
                self.state = UpdateState::AwaitPatch;
                Ok(Step::Send(req))
            }
            UpdateState::Ready(s) => Ok(Step::Done(s)),
            UpdateState::Finished => Err(finished()),
            waiting => {
                self.state = waiting;
                Err(expecting_response())
            }
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, UpdateState::Finished) {
            UpdateState::AwaitGet => {
                let detail = api::parse_get_secret(resp)?;
                if let Some(p) = &self.changes.payload {
                    p.ensure_type(&detail.secret.secret_type)?;
                }
                self.state = UpdateState::Patch;
                Ok(())
            }
            UpdateState::AwaitPatch => {
                self.state = UpdateState::Ready(api::parse_update_secret(resp)?);
                Ok(())
            }
            UpdateState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }
}

// -------------------------------------------------------------------- TOTP

fn not_login() -> ApiError {
    flow_error(codes::VAULT_NOT_LOGIN, "TOTP is only available on login secrets")
}

/// The TOTP code of a login payload at `now_unix` (computed locally; no
/// server call). Fails with `vault.not_login` for other payloads,
/// `vault.no_totp` for a login without TOTP, and
/// [`crate::totp::TotpError::InvalidTime`] within one period of `u64::MAX`.
pub fn totp_code(payload: &SecretPayload, now_unix: u64) -> Result<TotpCodeView, ApiError> {
    let SecretPayload::Login(login) = payload else {
        return Err(not_login());
    };
    let totp =
        login.totp.as_ref().ok_or_else(|| flow_error(codes::VAULT_NO_TOTP, "this login has no TOTP configured"))?;
    Ok(totp.generate(now_unix)?.into())
}

enum TotpState {
    Start,
    AwaitGet,
    Patch(SecretPayload),
    AwaitPatch(SecretPayload),
    Ready(DecryptedSecret),
    Finished,
}

/// Sets or removes a login's TOTP config: `GET /vault/secrets/{id}` (must be
/// a `login`, else `vault.not_login`), decrypt, change `totp`, re-encrypt with
/// a fresh nonce (same AAD) and `PATCH` the new `encrypted_payload`. The
/// result is the updated secret with its new payload.
pub struct TotpUpdateFlow {
    org_key: OrgKey,
    secret_id: String,
    totp: Option<TotpConfig>,
    nonce: [u8; NONCE_LEN],
    state: TotpState,
}

impl fmt::Debug for TotpUpdateFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpUpdateFlow")
            .field("secret_id", &self.secret_id)
            .field("totp", &self.totp)
            .finish_non_exhaustive()
    }
}

impl TotpUpdateFlow {
    fn with<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret_id: &str,
        totp: Option<TotpConfig>,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        validate::non_empty("secret_id", secret_id)?;
        Ok(TotpUpdateFlow {
            org_key: copy_key(&vault.org_key),
            secret_id: secret_id.to_owned(),
            totp,
            nonce: nonce(rng)?,
            state: TotpState::Start,
        })
    }

    /// Sets the TOTP config.
    pub fn set<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret_id: &str,
        config: &TotpConfig,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        Self::with(vault, secret_id, Some(config.clone()), rng)
    }

    /// Sets the TOTP config from an `otpauth://totp/…` URI (parsed before any
    /// request is sent).
    pub fn set_uri<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret_id: &str,
        uri: &str,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        let config = crate::totp::parse_uri(uri)?;
        Self::set(vault, secret_id, &config, rng)
    }

    /// Removes the TOTP config.
    pub fn remove<R: TryCryptoRng + ?Sized>(
        vault: &UnlockedVault,
        secret_id: &str,
        rng: &mut R,
    ) -> Result<Self, ApiError> {
        Self::with(vault, secret_id, None, rng)
    }
}

impl Flow for TotpUpdateFlow {
    type Output = DecryptedSecret;

    fn next(&mut self) -> Result<Step<DecryptedSecret>, ApiError> {
        match mem::replace(&mut self.state, TotpState::Finished) {
            TotpState::Start => {
                let req = api::build_get_secret(&self.secret_id)?;
                self.state = TotpState::AwaitGet;
                Ok(Step::Send(req))
            }
            TotpState::Patch(payload) => {
                let encrypted =
                    crypto::encrypt_payload_with_nonce(&self.org_key, &self.secret_id, &payload, &self.nonce)?;
                let body = UpdateSecretRequest { encrypted_payload: Some(encrypted), ..Default::default() };
                let req = api::build_update_secret(&self.secret_id, &body)?;
                self.state = TotpState::AwaitPatch(payload);
                Ok(Step::Send(req))
            }
            TotpState::Ready(s) => Ok(Step::Done(s)),
            TotpState::Finished => Err(finished()),
            waiting => {
                self.state = waiting;
                Err(expecting_response())
            }
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, TotpState::Finished) {
            TotpState::AwaitGet => {
                let detail = api::parse_get_secret(resp)?;
                if detail.secret.secret_type != SecretType::Login {
                    return Err(not_login());
                }
                let SecretPayload::Login(mut login) = open_with(&self.org_key, &self.secret_id, detail)?.payload else {
                    return Err(not_login());
                };
                login.totp = self.totp.clone();
                self.state = TotpState::Patch(SecretPayload::Login(login));
                Ok(())
            }
            TotpState::AwaitPatch(payload) => {
                let secret = api::parse_update_secret(resp)?;
                self.state = TotpState::Ready(DecryptedSecret { secret, payload });
                Ok(())
            }
            TotpState::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(not_expecting_response())
            }
        }
    }
}

// ------------------------------------------------------------- erased flows

/// What any flow ends with (see [`AnyFlow`]).
#[derive(Debug)]
pub enum FlowOutput {
    /// [`PagerFlow`]: the number of pages handed over.
    Pages(u32),
    /// [`UnlockFlow`].
    Unlocked(UnlockedVault),
    /// [`InitializeFlow`].
    Initialized(InitializedVault),
    /// [`UpdateKeyFlow`].
    Key(VaultKey),
    /// [`UpdateSecretFlow`].
    Secret(VaultSecret),
    /// [`CreateSecretFlow`].
    Created(CreatedSecret),
    /// [`GetSecretFlow`] and [`TotpUpdateFlow`].
    Decrypted(DecryptedSecret),
}

/// Any flow behind one type — every vault flow and the pager flow
/// ([`PagerFlow`]) —, so a host drives every composite call and every list
/// with one loop (and one foreign class).
pub struct AnyFlow(Box<dyn ErasedFlow>);

/// A flow ending in [`FlowOutput`] that shows itself in `Debug` (as the flow
/// it wraps: no secrets, no bodies).
trait ErasedFlow: Flow<Output = FlowOutput> + fmt::Debug + Send + Sync {}

impl<F: Flow<Output = FlowOutput> + fmt::Debug + Send + Sync> ErasedFlow for F {}

impl fmt::Debug for AnyFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AnyFlow").field(&self.0).finish()
    }
}

struct Erased<F>(F, fn(<F as Flow>::Output) -> FlowOutput)
where
    F: Flow;

impl<F: Flow + fmt::Debug> fmt::Debug for Erased<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<F: Flow> Flow for Erased<F> {
    type Output = FlowOutput;

    fn next(&mut self) -> Result<Step<FlowOutput>, ApiError> {
        Ok(match self.0.next()? {
            Step::Send(req) => Step::Send(req),
            Step::Page(page) => Step::Page(page),
            Step::Done(out) => Step::Done((self.1)(out)),
        })
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        self.0.feed(resp)
    }

    fn next_is_heavy(&self) -> bool {
        self.0.next_is_heavy()
    }

    fn summarize_page(&mut self, summary: PageSummary) -> Result<(), ApiError> {
        self.0.summarize_page(summary)
    }

    fn feed_summarized(&mut self, resp: &Response<'_>, summary: PageSummary) -> Result<(), ApiError> {
        self.0.feed_summarized(resp, summary)
    }
}

macro_rules! any_flow_from {
    ($($flow:ty => $variant:ident),* $(,)?) => {$(
        impl From<$flow> for AnyFlow {
            fn from(flow: $flow) -> Self {
                AnyFlow(Box::new(Erased(flow, FlowOutput::$variant)))
            }
        }
    )*};
}

any_flow_from! {
    PagerFlow => Pages,
    UnlockFlow => Unlocked,
    InitializeFlow => Initialized,
    UpdateKeyFlow => Key,
    UpdateSecretFlow => Secret,
    CreateSecretFlow => Created,
    GetSecretFlow => Decrypted,
    TotpUpdateFlow => Decrypted,
}

impl Flow for AnyFlow {
    type Output = FlowOutput;

    fn next(&mut self) -> Result<Step<FlowOutput>, ApiError> {
        self.0.next()
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        self.0.feed(resp)
    }

    fn next_is_heavy(&self) -> bool {
        self.0.next_is_heavy()
    }

    fn summarize_page(&mut self, summary: PageSummary) -> Result<(), ApiError> {
        self.0.summarize_page(summary)
    }

    fn feed_summarized(&mut self, resp: &Response<'_>, summary: PageSummary) -> Result<(), ApiError> {
        self.0.feed_summarized(resp, summary)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, clippy::expect_used)]
    use super::*;
    use crate::ErrorCode as _;
    use crate::vault::{ApiKeyPayload, LoginPayload, OtherPayload};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng as _;

    const SID: &str = "761051cc-b11d-4a8c-9d77-2cb250857ad5";
    const TS: &str = "2026-03-09T00:00:00Z";

    fn vault() -> UnlockedVault {
        UnlockedVault::new(OrgKey::from_bytes([7; 32]), "org_test_1234".into())
    }

    fn secret_json(id: &str, secret_type: &str, payload: Option<&str>) -> String {
        let extra = payload.map(|p| alloc::format!(r#","encrypted_payload":"{p}""#)).unwrap_or_default();
        alloc::format!(
            r#"{{"id":"{id}","name":"n","description":null,"secret_type":"{secret_type}","created_at":"{TS}","updated_at":"{TS}"{extra}}}"#
        )
    }

    fn send<T: core::fmt::Debug>(step: Step<T>) -> Request {
        match step {
            Step::Send(r) => r,
            Step::Page(p) => panic!("unexpected Page({p:?})"),
            Step::Done(d) => panic!("unexpected Done({d:?})"),
        }
    }

    #[test]
    fn protocol_misuse_is_reported_and_harmless() {
        let v = vault();
        let mut flow = GetSecretFlow::new(&v, SID).unwrap();
        let ok = Response::new(200, &[], b"{}");
        assert_eq!(flow.feed(&ok).unwrap_err().code(), "flow.out_of_order");
        let req = send(flow.next().unwrap());
        assert_eq!(req.path_and_query, alloc::format!("/api/v1/vault/secrets/{SID}"));
        assert_eq!(flow.next().unwrap_err().code(), "flow.out_of_order");
        // A failed step ends the flow.
        let e = flow.feed(&Response::new(404, &[], br#"{"detail":"Secret not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        assert_eq!(flow.next().unwrap_err().code(), "flow.finished");
        assert_eq!(flow.feed(&ok).unwrap_err().code(), "flow.finished");
        assert!(!flow.next_is_heavy());
        assert!(UnlockFlow::new("").is_err());
        assert!(UnlockFlow::for_identity("k", "").is_err());
    }

    #[test]
    fn create_secret_flow_behind_any_flow() {
        let v = vault();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let new = NewSecret::new("db", LoginPayload::new("pw".into()));
        // Org-wide: one POST, the created secret, no access rule.
        let mut flow: AnyFlow = CreateSecretFlow::new(&v, &new, None, &mut rng).unwrap().into();
        let req = send(flow.next().unwrap());
        assert_eq!(req.path_and_query, "/api/v1/vault/secrets");
        assert_eq!(flow.next().unwrap_err().code(), "flow.out_of_order");
        let body = secret_json(SID, "login", None);
        flow.feed(&Response::new(201, &[], body.as_bytes())).unwrap();
        match flow.next().unwrap() {
            Step::Done(FlowOutput::Created(c)) => {
                assert_eq!(c.secret.id, SID);
                assert!(c.access_rule.is_none());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(flow.next().unwrap_err().code(), "flow.finished");
        // A refused POST ends it with the typed error.
        let mut flow = CreateSecretFlow::new(&v, &new, None, &mut rng).unwrap();
        send(flow.next().unwrap());
        let e = flow.feed(&Response::new(403, &[], br#"{"detail":"no"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
        assert_eq!(flow.next().unwrap_err().code(), "flow.finished");
        // For an identity: the POST, then the access grant.
        let ident = "11111111-2222-4333-8444-555555555555";
        let mut flow: AnyFlow = CreateSecretFlow::new(&v, &new, Some(ident), &mut rng).unwrap().into();
        assert_eq!(send(flow.next().unwrap()).path_and_query, "/api/v1/vault/secrets");
        flow.feed(&Response::new(201, &[], body.as_bytes())).unwrap();
        let grant = send(flow.next().unwrap());
        assert!(grant.path_and_query.contains(SID), "{}", grant.path_and_query);
        assert!(CreateSecretFlow::new(&v, &new, Some(""), &mut rng).is_err());
    }

    #[test]
    fn create_refuses_a_declared_type_that_differs() {
        let v = vault();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut new = NewSecret::new("Key", ApiKeyPayload::new("sk-1".into()));
        new.secret_type = Some(SecretType::Login);
        let e = build_create_secret(&v, &new, &mut rng).unwrap_err();
        assert_eq!(e.code(), "vault.payload_type_mismatch");
        new.secret_type = Some(SecretType::ApiKey);
        let body = new_secret_request(&v, &new, &mut rng).unwrap();
        assert_eq!(body.secret_type, SecretType::ApiKey);
        let back = crypto::decrypt_payload(&v.org_key, &body.id, &SecretType::ApiKey, &body.encrypted_payload).unwrap();
        assert_eq!(back, new.payload);
    }

    #[test]
    fn secret_mismatch_and_totp_errors() {
        let v = vault();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let payload: SecretPayload = OtherPayload::new("d".into()).into();
        let enc = crypto::encrypt_payload(&v.org_key, SID, &payload, &mut rng).unwrap();
        let other = "11111111-2222-4333-8444-555555555555";
        let detail: VaultSecretDetail = serde_json::from_str(&secret_json(other, "other", Some(&enc))).unwrap();
        assert_eq!(open_secret(&v, SID, detail).unwrap_err().code(), "vault.secret_mismatch");
        assert_eq!(totp_code(&payload, 0).unwrap_err().code(), "vault.not_login");
        let login: SecretPayload = LoginPayload::new("p".into()).into();
        assert_eq!(totp_code(&login, 0).unwrap_err().code(), "vault.no_totp");
        let mut with_totp = LoginPayload::new("p".into());
        with_totp.totp = Some(TotpConfig::new("JBSWY3DPEHPK3PXP").unwrap());
        let with_totp: SecretPayload = with_totp.into();
        assert_eq!(totp_code(&with_totp, 0).unwrap().code, "282760");
        assert_eq!(totp_code(&with_totp, u64::MAX).unwrap_err().code(), "totp.invalid_time");
    }
}
