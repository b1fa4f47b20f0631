//! Passthrough tunnels terminate TLS in the agent: it holds a P-256 key,
//! sends a PKCS#10 CSR (CN and SAN = the tunnel's `public_host`) to
//! `POST /tunnels/{id}/sign-csr` and serves the returned certificate
//! (spec/tunnels.md "sign-csr").
//!
//! [`TunnelKey`] generates the key from an RNG argument, stores it as PKCS#8
//! PEM and builds the CSR (DER or PEM, ECDSA with SHA-256). [`CertInfo`] reads
//! the two things a client needs from a stored certificate: when it expires
//! and which public key it certifies; [`needs_sign`] says whether to (re)sign
//! (`awaiting_cert`, no or unreadable certificate, under
//! [`RENEWAL_WINDOW_SECONDS`] of validity left, or a certificate for another
//! key).
//!
//! The secret key is zeroized on drop and never appears in `Debug` output or
//! errors.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::der::pem::{self, LineEnding};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use p256::{PublicKey, SecretKey};
use rand_core::TryRng;
use zeroize::{Zeroize, Zeroizing};

use super::time::days_from_civil;

/// Re-sign when the stored certificate has less than this left (14 days).
pub const RENEWAL_WINDOW_SECONDS: i64 = 14 * 86_400;
/// PEM label of the key file.
pub const KEY_PEM_LABEL: &str = "PRIVATE KEY";
/// PEM label of a CSR.
pub const CSR_PEM_LABEL: &str = "CERTIFICATE REQUEST";
/// PEM label of a certificate.
pub const CERT_PEM_LABEL: &str = "CERTIFICATE";

// DER-encoded OIDs (contents only).
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03]; // 2.5.4.3
const OID_EXTENSION_REQUEST: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0E]; // 1.2.840.113549.1.9.14
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11]; // 2.5.29.17
const OID_ECDSA_WITH_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]; // 1.2.840.10045.4.3.2

/// Why a key, CSR or certificate could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertError {
    /// The RNG failed.
    Rng,
    /// The stored key is not an unencrypted PKCS#8 PEM P-256 key.
    InvalidKey,
    /// The common name is empty, too long or not printable ASCII.
    InvalidCommonName,
    /// The certificate PEM/DER could not be read.
    InvalidCertificate,
}

impl CertError {
    /// A stable machine-readable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Rng => "tunnel_cert_rng",
            Self::InvalidKey => "tunnel_cert_invalid_key",
            Self::InvalidCommonName => "tunnel_cert_invalid_common_name",
            Self::InvalidCertificate => "tunnel_cert_invalid_certificate",
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rng => "the random number generator failed",
            Self::InvalidKey => "the tunnel key is not an unencrypted PKCS#8 P-256 private key in PEM",
            Self::InvalidCommonName => "the CSR common name must be 1-64 printable ASCII characters (a hostname)",
            Self::InvalidCertificate => "the tunnel certificate is not a readable X.509 certificate in PEM",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CertError {}

/// A passthrough tunnel's P-256 private key.
pub struct TunnelKey(SecretKey);

impl fmt::Debug for TunnelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TunnelKey(<redacted>)")
    }
}

impl TunnelKey {
    /// A fresh key: 32 bytes from `rng`, redrawn until they are a valid scalar.
    ///
    /// # Errors
    /// [`CertError::Rng`] when the RNG fails.
    pub fn generate<R: TryRng + ?Sized>(rng: &mut R) -> Result<Self, CertError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        loop {
            rng.try_fill_bytes(bytes.as_mut()).map_err(|_| CertError::Rng)?;
            if let Ok(key) = SecretKey::from_slice(bytes.as_ref()) {
                return Ok(Self(key));
            }
        }
    }

    /// Reads an unencrypted PKCS#8 PEM key (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// # Errors
    /// [`CertError::InvalidKey`].
    pub fn from_pem(pem_text: &str) -> Result<Self, CertError> {
        SecretKey::from_pkcs8_pem(pem_text.trim()).map(Self).map_err(|_| CertError::InvalidKey)
    }

    /// The key as unencrypted PKCS#8 PEM (zeroized when dropped).
    ///
    /// # Errors
    /// [`CertError::InvalidKey`] if encoding fails (it does not for a valid key).
    pub fn to_pem(&self) -> Result<Zeroizing<String>, CertError> {
        self.0.to_pkcs8_pem(LineEnding::LF).map_err(|_| CertError::InvalidKey)
    }

    /// The public key as DER `SubjectPublicKeyInfo`.
    #[must_use]
    pub fn public_key_der(&self) -> Vec<u8> {
        spki_der(&self.0.public_key())
    }

    /// The DER PKCS#10 CSR: subject CN = `common_name`, a subjectAltName
    /// extension request with it as the one DNS name, signed with
    /// ECDSA-SHA256.
    ///
    /// # Errors
    /// [`CertError::InvalidCommonName`].
    pub fn csr_der(&self, common_name: &str) -> Result<Vec<u8>, CertError> {
        if common_name.is_empty() || common_name.len() > 64 || !common_name.bytes().all(|b| (0x21..0x7F).contains(&b)) {
            return Err(CertError::InvalidCommonName);
        }
        let cn = common_name.as_bytes();
        // Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
        let name = tlv(0x30, &tlv(0x31, &tlv(0x30, &[tlv(0x06, OID_COMMON_NAME), tlv(0x0C, cn)].concat())));
        // extensionRequest { subjectAltName { dNSName } }
        let san = tlv(0x30, &tlv(0x82, cn));
        let extension = tlv(0x30, &[tlv(0x06, OID_SUBJECT_ALT_NAME), tlv(0x04, &san)].concat());
        let ext_request = tlv(0x30, &[tlv(0x06, OID_EXTENSION_REQUEST), tlv(0x31, &tlv(0x30, &extension))].concat());
        let attributes = tlv(0xA0, &ext_request);
        let info = tlv(0x30, &[tlv(0x02, &[0]), name, self.public_key_der(), attributes].concat());
        let signature: DerSignature = SigningKey::from(&self.0).sign(&info);
        let mut bitstring = Vec::with_capacity(signature.as_bytes().len() + 1);
        bitstring.push(0);
        bitstring.extend_from_slice(signature.as_bytes());
        let algorithm = tlv(0x30, &tlv(0x06, OID_ECDSA_WITH_SHA256));
        Ok(tlv(0x30, &[info, algorithm, tlv(0x03, &bitstring)].concat()))
    }

    /// [`TunnelKey::csr_der`] as PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
    ///
    /// # Errors
    /// [`CertError::InvalidCommonName`].
    pub fn csr_pem(&self, common_name: &str) -> Result<String, CertError> {
        let der = self.csr_der(common_name)?;
        pem::encode_string(CSR_PEM_LABEL, LineEnding::LF, &der).map_err(|_| CertError::InvalidCommonName)
    }
}

fn spki_der(public: &PublicKey) -> Vec<u8> {
    public.to_public_key_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default()
}

/// What a client needs from a stored certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// `notAfter` as Unix seconds.
    pub not_after_unix: i64,
    /// The certified `SubjectPublicKeyInfo`, DER.
    pub spki_der: Vec<u8>,
}

impl CertInfo {
    /// Reads the first certificate of a PEM chain.
    ///
    /// # Errors
    /// [`CertError::InvalidCertificate`].
    pub fn from_pem(chain_pem: &str) -> Result<Self, CertError> {
        let start = chain_pem.find("-----BEGIN CERTIFICATE-----").ok_or(CertError::InvalidCertificate)?;
        let rest = chain_pem.get(start..).ok_or(CertError::InvalidCertificate)?;
        let end_marker = "-----END CERTIFICATE-----";
        let end = rest.find(end_marker).ok_or(CertError::InvalidCertificate)? + end_marker.len();
        let block = rest.get(..end).ok_or(CertError::InvalidCertificate)?;
        let (label, der) = pem::decode_vec(block.as_bytes()).map_err(|_| CertError::InvalidCertificate)?;
        if label != CERT_PEM_LABEL {
            return Err(CertError::InvalidCertificate);
        }
        Self::from_der(&der)
    }

    /// Reads a DER certificate.
    ///
    /// # Errors
    /// [`CertError::InvalidCertificate`].
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let bad = CertError::InvalidCertificate;
        let (cert, _) = read_tlv(der, 0x30).ok_or(bad)?;
        let (tbs, _) = read_tlv(cert, 0x30).ok_or(bad)?;
        let mut rest = tbs;
        if rest.first() == Some(&0xA0) {
            rest = read_tlv(rest, 0xA0).ok_or(bad)?.1;
        }
        let (_, rest) = read_tlv(rest, 0x02).ok_or(bad)?; // serialNumber
        let (_, rest) = read_tlv(rest, 0x30).ok_or(bad)?; // signature
        let (_, rest) = read_tlv(rest, 0x30).ok_or(bad)?; // issuer
        let (validity, rest) = read_tlv(rest, 0x30).ok_or(bad)?;
        let (_, rest) = read_tlv(rest, 0x30).ok_or(bad)?; // subject
        let spki_len = rest.len() - read_tlv(rest, 0x30).ok_or(bad)?.1.len();
        let spki_der = rest.get(..spki_len).ok_or(bad)?.to_vec();
        let after = validity_time(validity, 1).ok_or(bad)?;
        Ok(Self { not_after_unix: after, spki_der })
    }
}

/// Why [`needs_sign`] asks for a new certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignReason {
    /// The tunnel is `awaiting_cert`.
    AwaitingCert,
    /// No certificate is stored.
    Missing,
    /// The stored certificate cannot be read.
    Unreadable,
    /// Less than [`RENEWAL_WINDOW_SECONDS`] of validity left (or expired).
    ExpiresSoon,
    /// The stored certificate is for another key.
    KeyMismatch,
}

impl SignReason {
    /// `awaiting_cert`, `missing`, `unreadable`, `expires_soon`, `key_mismatch`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingCert => "awaiting_cert",
            Self::Missing => "missing",
            Self::Unreadable => "unreadable",
            Self::ExpiresSoon => "expires_soon",
            Self::KeyMismatch => "key_mismatch",
        }
    }
}

/// Whether to run sign-csr before serving, and why; `None` = the stored
/// certificate is good.
#[must_use]
pub fn needs_sign(awaiting_cert: bool, cert_pem: Option<&str>, key: &TunnelKey, now_unix: i64) -> Option<SignReason> {
    if awaiting_cert {
        return Some(SignReason::AwaitingCert);
    }
    let Some(pem_text) = cert_pem else {
        return Some(SignReason::Missing);
    };
    let Ok(info) = CertInfo::from_pem(pem_text) else {
        return Some(SignReason::Unreadable);
    };
    if info.not_after_unix.saturating_sub(now_unix) < RENEWAL_WINDOW_SECONDS {
        return Some(SignReason::ExpiresSoon);
    }
    if info.spki_der != key.public_key_der() {
        return Some(SignReason::KeyMismatch);
    }
    None
}

// ------------------------------------------------------------------ DER

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let used = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
    out.extend_from_slice(content);
    out
}

/// One TLV with `tag` at the start of `buf`: `(content, rest)`.
fn read_tlv(buf: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = buf.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let (len_bytes, after) = rest.split_at_checked(n)?;
        rest = after;
        len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    rest.split_at_checked(len)
}

/// The `index`-th time (0 notBefore, 1 notAfter) of a Validity, Unix seconds.
fn validity_time(validity: &[u8], index: usize) -> Option<i64> {
    let mut rest = validity;
    let mut found = None;
    for _ in 0..=index {
        let tag = *rest.first()?;
        let (content, after) = read_tlv(rest, tag)?;
        found = Some((tag, content));
        rest = after;
    }
    let (tag, content) = found?;
    let text = core::str::from_utf8(content).ok()?;
    let (year, digits) = match tag {
        // UTCTime YYMMDDHHMMSSZ: 50-99 → 19xx.
        0x17 => {
            let yy: i64 = text.get(0..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        // GeneralizedTime YYYYMMDDHHMMSSZ.
        0x18 => (text.get(0..4)?.parse().ok()?, text.get(4..)?),
        _ => return None,
    };
    if digits.len() != 11 || !digits.ends_with('Z') {
        return None;
    }
    let field = |r: core::ops::Range<usize>| -> Option<u32> { digits.get(r)?.parse().ok() };
    let (month, day, hour, minute, second) = (field(0..2)?, field(2..4)?, field(4..6)?, field(6..8)?, field(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

/// Wipes a byte buffer that held key material (for bindings).
pub fn wipe(buf: &mut [u8]) {
    buf.zeroize();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use alloc::format;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    use p256::pkcs8::DecodePublicKey;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn key() -> TunnelKey {
        TunnelKey::generate(&mut ChaCha20Rng::seed_from_u64(7)).unwrap()
    }

    #[test]
    fn csr_signature_verifies_and_names_the_host() {
        let key = key();
        let der = key.csr_der("my-app.localhost").unwrap();
        let (csr, rest) = read_tlv(&der, 0x30).unwrap();
        assert!(rest.is_empty());
        // The signed bytes are the whole CertificationRequestInfo TLV.
        let (info_content, after_info) = read_tlv(csr, 0x30).unwrap();
        let info_tlv = &csr[..csr.len() - after_info.len()];
        let (alg, after_alg) = read_tlv(after_info, 0x30).unwrap();
        assert_eq!(read_tlv(alg, 0x06).unwrap().0, OID_ECDSA_WITH_SHA256);
        let (bits, end) = read_tlv(after_alg, 0x03).unwrap();
        assert!(end.is_empty());
        assert_eq!(bits[0], 0);
        // version 0, subject CN, SPKI, attributes.
        let (version, r) = read_tlv(info_content, 0x02).unwrap();
        assert_eq!(version, [0]);
        let (name, r) = read_tlv(r, 0x30).unwrap();
        let (set, _) = read_tlv(name, 0x31).unwrap();
        let (atv, _) = read_tlv(set, 0x30).unwrap();
        let (oid, r2) = read_tlv(atv, 0x06).unwrap();
        assert_eq!(oid, OID_COMMON_NAME);
        assert_eq!(read_tlv(r2, 0x0C).unwrap().0, b"my-app.localhost");
        let spki_len = r.len() - read_tlv(r, 0x30).unwrap().1.len();
        let spki = &r[..spki_len];
        assert_eq!(spki, key.public_key_der().as_slice());
        let attrs = &r[spki_len..];
        assert_eq!(attrs[0], 0xA0);
        assert!(attrs.windows(b"my-app.localhost".len()).any(|w| w == b"my-app.localhost"));
        // The signature verifies with the CSR's own public key.
        let vk = VerifyingKey::from_public_key_der(spki).unwrap();
        let sig = Signature::from_der(&bits[1..]).unwrap();
        vk.verify(info_tlv, &sig).unwrap();
        let mut tampered = info_tlv.to_vec();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(vk.verify(&tampered, &sig).is_err());
    }

    #[test]
    fn pem_round_trips() {
        let key = key();
        let pem_text = key.to_pem().unwrap();
        assert!(pem_text.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = TunnelKey::from_pem(&pem_text).unwrap();
        assert_eq!(again.public_key_der(), key.public_key_der());
        let csr = key.csr_pem("a.localhost").unwrap();
        let (label, der) = pem::decode_vec(csr.as_bytes()).unwrap();
        assert_eq!(label, CSR_PEM_LABEL);
        assert_eq!(der, key.csr_der("a.localhost").unwrap());
        assert_eq!(TunnelKey::from_pem("nope").unwrap_err(), CertError::InvalidKey);
        assert_eq!(format!("{key:?}"), "TunnelKey(<redacted>)");
        assert_eq!(key.csr_der("").unwrap_err(), CertError::InvalidCommonName);
        assert_eq!(key.csr_der("a b").unwrap_err(), CertError::InvalidCommonName);
    }

    #[test]
    fn different_seeds_different_keys() {
        let a = TunnelKey::generate(&mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        let b = TunnelKey::generate(&mut ChaCha20Rng::seed_from_u64(2)).unwrap();
        assert_ne!(a.public_key_der(), b.public_key_der());
        assert_eq!(a.public_key_der().len(), 91);
    }

    fn fake_cert(spki: &[u8], not_after: &str, generalized: bool) -> String {
        let time_tag = if generalized { 0x18 } else { 0x17 };
        let validity = tlv(0x30, &[tlv(0x17, b"260101000000Z"), tlv(time_tag, not_after.as_bytes())].concat());
        let tbs = tlv(
            0x30,
            &[
                tlv(0xA0, &tlv(0x02, &[2])),
                tlv(0x02, &[1, 2, 3]),
                tlv(0x30, &tlv(0x06, OID_ECDSA_WITH_SHA256)),
                tlv(0x30, &[]),
                validity,
                tlv(0x30, &[]),
                spki.to_vec(),
            ]
            .concat(),
        );
        let cert = tlv(0x30, &[tbs, tlv(0x30, &tlv(0x06, OID_ECDSA_WITH_SHA256)), tlv(0x03, &[0, 1, 2])].concat());
        pem::encode_string(CERT_PEM_LABEL, LineEnding::LF, &cert).unwrap()
    }

    #[test]
    fn cert_info_and_renewal() {
        let key = key();
        let spki = key.public_key_der();
        let pem_text = fake_cert(&spki, "270101000000Z", false);
        let info = CertInfo::from_pem(&pem_text).unwrap();
        assert_eq!(info.not_after_unix, 1_798_761_600);
        assert_eq!(info.spki_der, spki);
        let chain = format!("{pem_text}{}", fake_cert(&[0x30, 0], "20500101000000Z", true));
        assert_eq!(CertInfo::from_pem(&chain).unwrap().spki_der, spki);
        let g = fake_cert(&spki, "20500101000000Z", true);
        assert_eq!(CertInfo::from_pem(&g).unwrap().not_after_unix, 2_524_608_000);

        let now = 1_798_761_600 - 30 * 86_400;
        assert_eq!(needs_sign(false, Some(&pem_text), &key, now), None);
        assert_eq!(needs_sign(true, Some(&pem_text), &key, now), Some(SignReason::AwaitingCert));
        assert_eq!(needs_sign(false, None, &key, now), Some(SignReason::Missing));
        assert_eq!(needs_sign(false, Some("junk"), &key, now), Some(SignReason::Unreadable));
        assert_eq!(
            needs_sign(false, Some(&pem_text), &key, 1_798_761_600 - 13 * 86_400),
            Some(SignReason::ExpiresSoon)
        );
        let other = TunnelKey::generate(&mut ChaCha20Rng::seed_from_u64(99)).unwrap();
        assert_eq!(needs_sign(false, Some(&pem_text), &other, now), Some(SignReason::KeyMismatch));
    }
}
