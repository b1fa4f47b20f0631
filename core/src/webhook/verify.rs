//! Verification: one-shot, incremental and `embedded-io`.

use core::fmt;

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use super::headers::{self, HeaderPair, Signatures};
use super::{DEFAULT_TOLERANCE_SECS, MAX_SECRETS, SECRET_PREFIX, StreamError, WebhookError};

type HmacSha256 = Hmac<Sha256>;

/// How strictly a delivery is checked. [`VerifyOptions::strict`] (also the
/// `Default`) is what receivers should use; [`VerifyOptions::compat`]
/// reproduces the decisions of the official SDK 0.4.9 for bindings that must
/// offer them.
///
/// Fields can be changed one by one on a value from either constructor:
///
/// ```
/// use inkbox_core::webhook::VerifyOptions;
///
/// let mut options = VerifyOptions::strict().with_tolerance(60);
/// options.multiple_signatures = false;
/// assert_eq!(options.tolerance_secs, Some(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Freshness window: `X-Inkbox-Timestamp` must be within this many seconds
    /// of `now`, in either direction (both edges included). `None` switches
    /// the check off. When set, the timestamp header is required and must be
    /// decimal Unix seconds even if `require_ids` is false.
    pub tolerance_secs: Option<u64>,
    /// Require non-empty `X-Inkbox-Request-ID` and `X-Inkbox-Timestamp`
    /// headers, with the timestamp in decimal Unix seconds. When false, an
    /// absent header counts as `""` and the timestamp is bound into the MAC
    /// verbatim without being parsed (official behaviour).
    pub require_ids: bool,
    /// Accept several space-separated `sha256=` entries in the signature
    /// header (any match passes). When false, the header must hold exactly one.
    pub multiple_signatures: bool,
}

impl VerifyOptions {
    /// The default: ids required, timestamp within
    /// [`DEFAULT_TOLERANCE_SECS`] (300 s) of `now`, several signature entries
    /// accepted.
    #[must_use]
    pub const fn strict() -> Self {
        Self { tolerance_secs: Some(DEFAULT_TOLERANCE_SECS), require_ids: true, multiple_signatures: true }
    }

    /// The official SDK 0.4.9 decisions: no freshness check, absent ids count
    /// as `""`, timestamp not parsed, exactly one signature entry.
    ///
    /// Still refused, unlike the official SDK: empty secrets
    /// ([`WebhookError::EmptySecret`]), repeated, oversized or non-ASCII Inkbox
    /// headers ([`WebhookError::InvalidHeader`]).
    #[must_use]
    pub const fn compat() -> Self {
        Self { tolerance_secs: None, require_ids: false, multiple_signatures: false }
    }

    /// Sets the freshness window to `secs` seconds each way.
    #[must_use]
    pub const fn with_tolerance(mut self, secs: u64) -> Self {
        self.tolerance_secs = Some(secs);
        self
    }

    /// Switches the freshness check off (for replaying stored deliveries and
    /// for known-answer tests; never for live traffic).
    #[must_use]
    pub const fn without_freshness(mut self) -> Self {
        self.tolerance_secs = None;
        self
    }
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self::strict()
    }
}

/// What a successful verification vouches for, borrowed from the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Verified<'h> {
    /// The `X-Inkbox-Request-ID` value (use it to drop redeliveries). Only
    /// empty in compat mode.
    pub request_id: &'h str,
    /// The `X-Inkbox-Timestamp` value, verbatim.
    pub timestamp: &'h str,
    /// The timestamp as Unix seconds. Always `Some` in strict mode; in compat
    /// mode `None` when the header is not plain decimal.
    pub timestamp_secs: Option<u64>,
}

/// The HMAC key of a secret: its bytes after one leading `whsec_`.
fn key_of(secret: &[u8]) -> Result<&[u8], WebhookError> {
    let key = secret.strip_prefix(SECRET_PREFIX.as_bytes()).unwrap_or(secret);
    if key.is_empty() { Err(WebhookError::EmptySecret) } else { Ok(key) }
}

/// Refuses an empty secret list and any secret with an empty key.
fn check_secrets<S: AsRef<[u8]>>(secrets: &[S]) -> Result<(), WebhookError> {
    if secrets.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    secrets.iter().try_for_each(|s| key_of(s.as_ref()).map(|_| ()))
}

/// An HMAC keyed with `key` that has already absorbed `{request_id}.{timestamp}.`.
///
/// `None` cannot happen (HMAC takes keys of any length); callers treat it as a
/// secret that matches nothing, so the failure mode is closed.
pub(super) fn keyed_mac(key: &[u8], request_id: &[u8], timestamp: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(request_id);
    mac.update(b".");
    mac.update(timestamp);
    mac.update(b".");
    Some(mac)
}

fn ascii_str(bytes: &[u8]) -> Result<&str, WebhookError> {
    core::str::from_utf8(bytes).map_err(|_| WebhookError::InvalidHeader)
}

/// Header checks shared by every entry point: what the MAC step needs, the
/// signature entries decoded into `signatures` (which must be
/// [`Signatures::EMPTY`]; written in place, it is not moved around).
fn check_headers<'h, H>(
    headers: H,
    now_unix: u64,
    options: &VerifyOptions,
    signatures: &mut Signatures,
) -> Result<Verified<'h>, WebhookError>
where
    H: IntoIterator,
    H::Item: HeaderPair<'h>,
{
    let found = headers::collect(headers)?;

    let signature = found.signature.filter(|v| !v.is_empty()).ok_or(WebhookError::MissingSignature)?;
    headers::parse_signatures(signature, options.multiple_signatures, signatures)?;

    let request_id = match found.request_id.filter(|v| !v.is_empty()) {
        Some(v) => v,
        None if options.require_ids => return Err(WebhookError::MissingRequestId),
        None => b"",
    };

    let parse_needed = options.require_ids || options.tolerance_secs.is_some();
    let timestamp = match found.timestamp.filter(|v| !v.is_empty()) {
        Some(v) => v,
        None if parse_needed => return Err(WebhookError::MissingTimestamp),
        None => b"",
    };
    let timestamp_secs = headers::parse_unix_seconds(timestamp);
    if parse_needed && timestamp_secs.is_none() {
        return Err(WebhookError::MalformedTimestamp);
    }
    if let (Some(tolerance), Some(ts)) = (options.tolerance_secs, timestamp_secs)
        && now_unix.abs_diff(ts) > tolerance
    {
        return Err(WebhookError::TimestampOutOfTolerance);
    }

    Ok(Verified { request_id: ascii_str(request_id)?, timestamp: ascii_str(timestamp)?, timestamp_secs })
}

/// Verifies a webhook delivery whose whole body is in memory.
///
/// - `headers`: every header of the request (see [`HeaderPair`] for what
///   can be passed); the three `X-Inkbox-*` ones are found case-insensitively;
/// - `body`: the raw body bytes exactly as received (never re-serialised);
/// - `secrets`: one or more signing secrets, with or without `whsec_`; the
///   delivery passes if it is signed by any of them (key rotation);
/// - `now_unix`: the receiver's current time in Unix seconds (core reads no
///   clock);
/// - `options`: [`VerifyOptions::strict()`] unless you need the official
///   SDK's leniency.
///
/// Header checks come first (cheap, no secret involved), then one HMAC per
/// secret; every computed MAC is compared with every signature entry in
/// constant time.
///
/// # Errors
/// The first failed check, as a [`WebhookError`]. Configuration errors
/// ([`WebhookError::EmptySecret`]) are reported before anything about the
/// request.
///
/// # Example
/// ```
/// use inkbox_core::webhook::{self, VerifyOptions, WebhookError};
///
/// let secret = "whsec_O21oFjdhy94iHwv";
/// let body = br#"{"event_type":"message.received","timestamp":"2026-04-10T18:13:42.201Z","data":{}}"#;
/// let now = 1_771_521_013;
///
/// // What the Inkbox server sends (here produced with the signing helper).
/// let signed = webhook::sign(secret, "a83420da-b184-445d-b88e-ce7279442848", now, body)?;
/// let headers = [
///     ("Content-Type", "application/json"),
///     ("x-inkbox-signature", signed.signature()),
///     ("x-inkbox-request-id", signed.request_id()),
///     ("x-inkbox-timestamp", signed.timestamp()),
/// ];
///
/// let verified = webhook::verify(&headers, body, &[secret], now + 20, &VerifyOptions::strict())?;
/// assert_eq!(verified.request_id, "a83420da-b184-445d-b88e-ce7279442848");
///
/// // Ten minutes later the same delivery is stale.
/// assert_eq!(
///     webhook::verify(&headers, body, &[secret], now + 600, &VerifyOptions::strict()),
///     Err(WebhookError::TimestampOutOfTolerance),
/// );
/// # Ok::<(), WebhookError>(())
/// ```
pub fn verify<'h, H, S>(
    headers: H,
    body: &[u8],
    secrets: &[S],
    now_unix: u64,
    options: &VerifyOptions,
) -> Result<Verified<'h>, WebhookError>
where
    H: IntoIterator,
    H::Item: HeaderPair<'h>,
    S: AsRef<[u8]>,
{
    check_secrets(secrets)?;
    let mut signatures = Signatures::EMPTY;
    let verified = check_headers(headers, now_unix, options, &mut signatures)?;
    let mut matched = subtle::Choice::from(0);
    for key in secrets.iter().filter_map(|s| key_of(s.as_ref()).ok()) {
        if let Some(mut mac) = keyed_mac(key, verified.request_id.as_bytes(), verified.timestamp.as_bytes()) {
            mac.update(body);
            matched |= signatures.contains_ct(&mac.finalize().into_bytes());
        }
    }
    if bool::from(matched) { Ok(verified) } else { Err(WebhookError::SignatureMismatch) }
}

/// Incremental verification for bodies that arrive in pieces, with no heap:
/// room for up to `N` secrets (default [`MAX_SECRETS`] = 4, about 250 bytes of
/// HMAC state each) is reserved inline.
///
/// [`new`](Self::new) runs every header check, so a stale or unsigned request
/// is refused before its body is read. Feed the raw body with
/// [`update`](Self::update) (or [`update_from_reader`](Self::update_from_reader)),
/// then call [`finish`](Self::finish).
///
/// Name the capacity where the verifier is created (`let v: Verifier<'_> =
/// Verifier::new(..)` for the default, or `Verifier::<'_, 2>::new(..)`): a
/// const-generic default does not take part in type inference.
///
/// ```
/// use inkbox_core::webhook::{self, Verifier, VerifyOptions};
///
/// let body = b"{\"id\":\"4f0c\"}";
/// let signed = webhook::sign("whsec_new", "req-1", 1_700_000_000, body)?;
/// let headers = signed.headers();
///
/// // Old and new secret during a rotation; the body arrives in two chunks.
/// let mut verifier: Verifier<'_, 2> = Verifier::new(
///     &headers,
///     &["whsec_old", "whsec_new"],
///     1_700_000_010,
///     &VerifyOptions::strict(),
/// )?;
/// verifier.update(b"{\"id\":");
/// verifier.update(b"\"4f0c\"}");
/// assert_eq!(verifier.finish()?.timestamp_secs, Some(1_700_000_000));
/// # Ok::<(), webhook::WebhookError>(())
/// ```
pub struct Verifier<'h, const N: usize = MAX_SECRETS> {
    macs: [Option<HmacSha256>; N],
    verified: Verified<'h>,
    signatures: Signatures,
}

impl<'h, const N: usize> Verifier<'h, N> {
    /// Checks the headers and keys one HMAC per secret.
    ///
    /// Arguments are those of [`verify`], minus the body.
    ///
    /// # Errors
    /// [`WebhookError::TooManySecrets`] if `secrets.len() > N`; otherwise as
    /// [`verify`], except [`WebhookError::SignatureMismatch`] which only
    /// [`finish`](Self::finish) reports.
    pub fn new<H, S>(headers: H, secrets: &[S], now_unix: u64, options: &VerifyOptions) -> Result<Self, WebhookError>
    where
        H: IntoIterator,
        H::Item: HeaderPair<'h>,
        S: AsRef<[u8]>,
    {
        check_secrets(secrets)?;
        if secrets.len() > N {
            return Err(WebhookError::TooManySecrets);
        }
        let mut signatures = Signatures::EMPTY;
        let verified = check_headers(headers, now_unix, options, &mut signatures)?;
        let Verified { request_id, timestamp, .. } = verified;
        let mut keys = secrets.iter().filter_map(|s| key_of(s.as_ref()).ok());
        let macs = core::array::from_fn(|_| {
            keys.next().and_then(|key| keyed_mac(key, request_id.as_bytes(), timestamp.as_bytes()))
        });
        Ok(Self { macs, verified, signatures })
    }

    /// Feeds the next piece of the raw body.
    pub fn update(&mut self, chunk: &[u8]) {
        for mac in self.macs.iter_mut().flatten() {
            mac.update(chunk);
        }
    }

    /// Reads the rest of the body from `reader` until end of stream, through
    /// `buf` (any size; 256–1024 bytes is plenty; an empty `buf` falls back to
    /// a 64-byte one on the stack). Reads that fail with
    /// [`ErrorKind::Interrupted`](embedded_io::ErrorKind::Interrupted) are
    /// retried. Returns the number of bytes read.
    ///
    /// # Errors
    /// The reader's first other error; what was read before it stays fed.
    pub fn update_from_reader<R: embedded_io::Read>(&mut self, mut reader: R, buf: &mut [u8]) -> Result<u64, R::Error> {
        use embedded_io::Error as _;

        let mut fallback = [0u8; 64];
        let buf = if buf.is_empty() { &mut fallback[..] } else { buf };
        let mut total = 0u64;
        loop {
            match reader.read(buf) {
                Ok(0) => return Ok(total),
                Ok(n) => {
                    // A reader reporting more than `buf.len()` breaks the
                    // `Read` contract; only bytes that exist are hashed.
                    let chunk = buf.get(..n).unwrap_or(buf);
                    self.update(chunk);
                    total = total.saturating_add(chunk.len() as u64);
                }
                Err(e) if e.kind() == embedded_io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Completes the MACs and compares each with every signature entry, in
    /// constant time.
    ///
    /// # Errors
    /// [`WebhookError::SignatureMismatch`] if nothing matches.
    pub fn finish(self) -> Result<Verified<'h>, WebhookError> {
        let signatures = &self.signatures;
        let matched = self
            .macs
            .into_iter()
            .flatten()
            .fold(subtle::Choice::from(0), |acc, mac| acc | signatures.contains_ct(&mac.finalize().into_bytes()));
        if bool::from(matched) { Ok(self.verified) } else { Err(WebhookError::SignatureMismatch) }
    }
}

impl<const N: usize> fmt::Debug for Verifier<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print HMAC state: it is derived from the secrets.
        f.debug_struct("Verifier")
            .field("secrets", &self.macs.iter().flatten().count())
            .field("signatures", &self.signatures.as_slice().len())
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

/// Verifies a delivery whose body is read from an [`embedded_io::Read`] in
/// chunks through `buf`: [`Verifier::new`] (with the default capacity of
/// [`MAX_SECRETS`] secrets), [`Verifier::update_from_reader`] and
/// [`Verifier::finish`] in one call. Headers are checked before any read.
///
/// ```
/// use inkbox_core::webhook::{self, VerifyOptions};
///
/// let body: &[u8] = b"{\"event_type\":\"text.received\"}";
/// let signed = webhook::sign("whsec_k", "req-9", 1_700_000_000, body)?;
/// let headers = signed.headers();
/// let mut buf = [0u8; 16];
/// // `&[u8]` implements `embedded_io::Read`; so would a socket or UART.
/// let verified = webhook::verify_reader(
///     body,
///     &mut buf,
///     &headers,
///     &["whsec_k"],
///     1_700_000_000,
///     &VerifyOptions::strict(),
/// )?;
/// assert_eq!(verified.request_id, "req-9");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`StreamError::Read`] with the reader's error, or
/// [`StreamError::Webhook`] with why the delivery was rejected.
pub fn verify_reader<'h, R, H, S>(
    reader: R,
    buf: &mut [u8],
    headers: H,
    secrets: &[S],
    now_unix: u64,
    options: &VerifyOptions,
) -> Result<Verified<'h>, StreamError<R::Error>>
where
    R: embedded_io::Read,
    H: IntoIterator,
    H::Item: HeaderPair<'h>,
    S: AsRef<[u8]>,
{
    let mut verifier = Verifier::<'h, MAX_SECRETS>::new(headers, secrets, now_unix, options)?;
    verifier.update_from_reader(reader, buf).map_err(StreamError::Read)?;
    Ok(verifier.finish()?)
}
