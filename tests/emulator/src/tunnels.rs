//! Tunnels REST beyond list/get: update (metadata only) and sign-csr
//! (passthrough tunnels), plus a control route that sets a tunnel's status
//! and connection fields.
//!
//! sign-csr checks the CSR's structure (PEM armor, base64, the PKCS#10 DER
//! layout, CN = `public_host`) but not its signature, and issues an
//! **emulated** certificate: well-formed X.509 DER (subject CN and SAN =
//! `public_host`, the CSR's public key, 90 days from the emulated clock),
//! "signed" by a fixed emulator test CA with a random, meaningless signature.
//! No TLS stack will trust it.

use inkbox_core::api::request::Method;
use inkbox_core::api::time::Timestamp;
use inkbox_core::api::tunnels::{MAX_METADATA_BYTES, SignCsrRequest, SignedCert, TlsMode, Tunnel, TunnelStatus};
use inkbox_core::vault::base64::encode_to_string;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::app::{App, Ctx, Reply, unprocessable};
use crate::handlers::{R, tunnel_visible};
use crate::mail::base64_decode;
use crate::state::State;
use crate::util::{fill_random, hex};

/// Validity of an issued certificate.
const CERT_DAYS: i64 = 90;

/// One issued certificate (diagnostics: `GET /_emulator/tunnels/certs`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IssuedCert {
    pub(crate) tunnel_id: String,
    pub(crate) serial_hex: String,
    pub(crate) fingerprint_sha256: String,
    pub(crate) issued_at: Timestamp,
    pub(crate) expires_at: Timestamp,
}

/// This module's part of the persisted [`State`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TunnelsState {
    /// Every certificate issued by sign-csr.
    #[serde(default)]
    pub(crate) issued: crate::table::Table<IssuedCert>,
}

/// Handles catalog operation `name` if it belongs to this module.
pub(crate) fn dispatch(name: &str, s: &mut State, ctx: &Ctx) -> Option<R> {
    Some(match name {
        "tunnels.update" => update(s, ctx),
        "tunnels.sign_csr" => sign_csr(s, ctx),
        _ => return None,
    })
}

/// The visible live tunnel named by the path's first parameter.
fn tunnel_mut<'s>(s: &'s mut State, ctx: &Ctx) -> Result<&'s mut Tunnel, Reply> {
    let id = ctx.param(0).to_ascii_lowercase();
    s.tunnels
        .iter_mut()
        .find(|t| t.id == id && tunnel_visible(t, &ctx.caller))
        .ok_or_else(|| Reply::not_found("Tunnel"))
}

// ------------------------------------------------------------------ update

/// `PATCH`: only `metadata` changes (absent = unchanged; `null` and `{}`
/// reset it to `{}`; an object replaces it whole). `tunnel_name` / `tls_mode`
/// may be echoed unchanged; a different value is refused.
fn update(s: &mut State, ctx: &Ctx) -> R {
    let v = ctx.json()?;
    let Value::Object(body) = v else { return Err(unprocessable("body must be a JSON object")) };
    let metadata: Option<Map<String, Value>> = match body.get("metadata") {
        None => None,
        Some(Value::Null) => Some(Map::new()),
        Some(Value::Object(m)) => {
            let size = serde_json::to_vec(m).map(|b| b.len()).unwrap_or(usize::MAX);
            if size > MAX_METADATA_BYTES {
                return Err(unprocessable(&format!(
                    "metadata: must be at most {MAX_METADATA_BYTES} bytes when serialized as JSON (got {size})"
                )));
            }
            Some(m.clone())
        }
        Some(_) => return Err(unprocessable("metadata: must be a JSON object or null")),
    };
    let now = ctx.clock.timestamp();
    let t = tunnel_mut(s, ctx)?;
    for (field, current) in [("tunnel_name", t.tunnel_name.clone()), ("tls_mode", t.tls_mode.as_str().to_owned())] {
        match body.get(field) {
            None => {}
            Some(Value::String(v)) if *v == current => {}
            Some(_) => {
                return Err(unprocessable(&format!(
                    "{field} is immutable (fixed by the owning identity); only metadata can be updated"
                )));
            }
        }
    }
    if let Some(m) = metadata {
        t.metadata = m;
        t.updated_at = now;
    }
    Ok(Reply::model(200, &*t))
}

// ---------------------------------------------------------------- sign-csr

fn sign_csr(s: &mut State, ctx: &Ctx) -> R {
    let req: SignCsrRequest = ctx.parse()?;
    let now = ctx.clock.timestamp();
    let t = tunnel_mut(s, ctx)?;
    if t.tls_mode != TlsMode::Passthrough {
        return Err(Reply::detail(
            409,
            &format!(
                "Tunnel '{}' uses tls_mode '{}': CSR signing is only available for passthrough tunnels",
                t.tunnel_name, t.tls_mode
            ),
        ));
    }
    if !matches!(t.status, TunnelStatus::AwaitingCert | TunnelStatus::Active) {
        return Err(Reply::detail(
            409,
            &format!(
                "Tunnel '{}' is in status '{}'; a certificate can only be signed while it is awaiting_cert or active",
                t.tunnel_name, t.status
            ),
        ));
    }
    let csr = parse_csr(&req.csr_pem).map_err(|e| unprocessable(&format!("csr_pem: {e}")))?;
    if !csr.common_name.eq_ignore_ascii_case(&t.public_host) {
        return Err(unprocessable(&format!(
            "csr_pem: the CSR's common name '{}' must equal the tunnel hostname '{}'",
            csr.common_name, t.public_host
        )));
    }
    let expires = Timestamp::from_unix(now.unix_seconds().saturating_add(CERT_DAYS * 86_400), 0);
    let not_before = Timestamp::from_unix(now.unix_seconds(), 0);
    let serial = random_positive(16);
    let leaf = leaf_cert(&t.public_host, &csr.spki, &serial, not_before, expires);
    let fingerprint = hex(&Sha256::digest(&leaf));
    let signed = SignedCert {
        cert_pem: pem("CERTIFICATE", &leaf),
        chain_pem: pem("CERTIFICATE", &ca_cert()),
        cert_fingerprint_sha256: fingerprint.clone(),
        cert_expires_at: expires,
    };
    t.cert_pem = Some(signed.cert_pem.clone());
    t.cert_fingerprint_sha256 = Some(fingerprint.clone());
    t.cert_expires_at = Some(expires);
    t.status = TunnelStatus::Active;
    t.updated_at = now;
    let tunnel_id = t.id.clone();
    s.tunnel_ext.issued.push(IssuedCert {
        tunnel_id,
        serial_hex: hex(&serial),
        fingerprint_sha256: fingerprint,
        issued_at: now,
        expires_at: expires,
    });
    Ok(Reply::model(200, &signed))
}

// ----------------------------------------------------------------- control

/// `POST /_emulator/tunnels/{id}` `{"status"?, "currently_connected"?,
/// "last_connected_ip_addr"?}` and `GET /_emulator/tunnels/certs`.
pub(crate) fn control(app: &App, method: Method, path: &str, ctx: &Ctx) -> Option<Reply> {
    let rest = path.strip_prefix("/_emulator/tunnels")?;
    let segs: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let reply = match (method, segs.as_slice()) {
        (Method::Get, ["certs"]) => app.read(|s, _| Ok(Reply::json(200, json!({ "issued": s.tunnel_ext.issued })))),
        (Method::Get, ["config"]) => crate::dataplane::config_route(&Value::Null, false).map(|v| Reply::json(200, v)),
        (Method::Post, ["config"]) => {
            ctx.json().and_then(|b| crate::dataplane::config_route(&b, true)).map(|v| Reply::json(200, v))
        }
        (Method::Post, [id]) => set_tunnel(app, id, ctx),
        (_, ["certs" | "config"] | [_]) => Ok(Reply::detail(405, "Method Not Allowed")),
        _ => Ok(Reply::detail(404, "Not Found")),
    };
    Some(reply.unwrap_or_else(|e| e))
}

fn set_tunnel(app: &App, id: &str, ctx: &Ctx) -> Result<Reply, Reply> {
    let v = ctx.json()?;
    let status = match v.get("status") {
        None => None,
        Some(Value::String(st)) if !st.is_empty() => Some(TunnelStatus::from_wire(st)),
        Some(_) => return Err(unprocessable("status must be a non-empty string")),
    };
    let connected = match v.get("currently_connected") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(unprocessable("currently_connected must be a boolean")),
    };
    let ip = match v.get("last_connected_ip_addr") {
        None => None,
        Some(Value::String(ip)) => Some(ip.clone()),
        Some(_) => return Err(unprocessable("last_connected_ip_addr must be a string")),
    };
    let id = id.to_ascii_lowercase();
    app.mutate(|s, clock| {
        let now = clock.timestamp();
        let t = s.tunnels.iter_mut().find(|t| t.id == id).ok_or_else(|| Reply::not_found("Tunnel"))?;
        if let Some(st) = status {
            t.status = st;
        }
        match connected {
            Some(true) => {
                t.currently_connected = true;
                t.last_connected_at = Some(now);
                t.last_connected_ip_addr = Some(ip.clone().unwrap_or_else(|| "127.0.0.1".into()));
            }
            Some(false) => {
                t.currently_connected = false;
                t.last_disconnected_at = Some(now);
            }
            None => {
                if let Some(ip) = &ip {
                    t.last_connected_ip_addr = Some(ip.clone());
                }
            }
        }
        t.updated_at = now;
        Ok(Reply::model(200, &*t))
    })
}

// --------------------------------------------------------------- CSR / DER

/// What sign-csr needs from a CSR.
#[derive(Debug, PartialEq, Eq)]
struct Csr {
    common_name: String,
    /// The complete SubjectPublicKeyInfo TLV.
    spki: Vec<u8>,
}

/// One DER element: tag, content, and the whole encoding.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// Reads the element at the start of `b`; returns it and the rest.
fn read_tlv(b: &[u8]) -> Result<(Tlv<'_>, &[u8]), String> {
    let bad = || "malformed DER".to_owned();
    let tag = *b.first().ok_or_else(bad)?;
    let first = *b.get(1).ok_or_else(bad)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Err(bad());
        }
        let bytes = b.get(2..2 + n).ok_or_else(bad)?;
        let len = bytes.iter().fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
        if len < 0x80 || bytes.first() == Some(&0) {
            return Err("non-canonical DER length".to_owned());
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len).ok_or_else(bad)?;
    let raw = b.get(..end).ok_or_else(|| "truncated DER".to_owned())?;
    let content = raw.get(header..).ok_or_else(bad)?;
    let rest = b.get(end..).ok_or_else(bad)?;
    Ok((Tlv { tag, content, raw }, rest))
}

/// Reads an element that must carry `tag`.
fn expect<'a>(b: &'a [u8], tag: u8, what: &str) -> Result<(Tlv<'a>, &'a [u8]), String> {
    let (t, rest) = read_tlv(b).map_err(|e| format!("{e} in {what}"))?;
    if t.tag != tag {
        return Err(format!("expected {what}"));
    }
    Ok((t, rest))
}

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// Extracts the body of a PEM block labelled `CERTIFICATE REQUEST` (or the
/// legacy `NEW CERTIFICATE REQUEST`).
fn pem_body(pem: &str) -> Result<Vec<u8>, String> {
    for label in ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"] {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let Some((_, after)) = pem.split_once(&begin) else { continue };
        let Some((body, _)) = after.split_once(&end) else {
            return Err(format!("missing '{end}'"));
        };
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if b64.is_empty() {
            return Err("empty PEM body".to_owned());
        }
        return base64_decode(&b64).ok_or_else(|| "the PEM body is not valid base64".to_owned());
    }
    Err("not a PEM certificate request (expected '-----BEGIN CERTIFICATE REQUEST-----')".to_owned())
}

/// Parses a PKCS#10 request far enough to issue: structure, version 0, the
/// subject's CN and the public key. The signature is not verified.
fn parse_csr(pem: &str) -> Result<Csr, String> {
    let der = pem_body(pem)?;
    let (outer, rest) = expect(&der, 0x30, "CertificationRequest SEQUENCE")?;
    if !rest.is_empty() {
        return Err("trailing data after the CertificationRequest".to_owned());
    }
    let (info, after_info) = expect(outer.content, 0x30, "CertificationRequestInfo SEQUENCE")?;
    let (_alg, after_alg) = expect(after_info, 0x30, "signatureAlgorithm")?;
    let (_sig, tail) = expect(after_alg, 0x03, "signature BIT STRING")?;
    if !tail.is_empty() {
        return Err("unexpected data after the signature".to_owned());
    }
    let (version, r) = expect(info.content, 0x02, "version INTEGER")?;
    if version.content != [0] {
        return Err("unsupported CSR version (expected v1 = 0)".to_owned());
    }
    let (subject, r) = expect(r, 0x30, "subject Name")?;
    let (spki, r) = expect(r, 0x30, "subjectPublicKeyInfo")?;
    let (spki_alg, spki_rest) = expect(spki.content, 0x30, "public key algorithm")?;
    let _ = spki_alg;
    let (_key, spki_tail) = expect(spki_rest, 0x03, "public key BIT STRING")?;
    if !spki_tail.is_empty() {
        return Err("malformed subjectPublicKeyInfo".to_owned());
    }
    if !r.is_empty() {
        let (attrs, r) = read_tlv(r)?;
        if attrs.tag != 0xa0 || !r.is_empty() {
            return Err("malformed attributes".to_owned());
        }
    }
    let common_name = common_name(subject.content)?.ok_or_else(|| "the CSR subject has no common name".to_owned())?;
    Ok(Csr { common_name, spki: spki.raw.to_vec() })
}

/// The first CN in a Name's RDN sequence.
fn common_name(mut rdns: &[u8]) -> Result<Option<String>, String> {
    while !rdns.is_empty() {
        let (set, rest) = expect(rdns, 0x31, "RelativeDistinguishedName SET")?;
        rdns = rest;
        let mut atvs = set.content;
        while !atvs.is_empty() {
            let (atv, rest) = expect(atvs, 0x30, "AttributeTypeAndValue")?;
            atvs = rest;
            let (oid, value) = expect(atv.content, 0x06, "attribute OID")?;
            let (val, _) = read_tlv(value)?;
            if oid.content == OID_CN {
                // UTF8String, PrintableString, IA5String, T61String.
                if !matches!(val.tag, 0x0c | 0x13 | 0x16 | 0x14) {
                    return Err("unsupported string type for the common name".to_owned());
                }
                let cn = std::str::from_utf8(val.content).map_err(|_| "the common name is not UTF-8".to_owned())?;
                return Ok(Some(cn.to_owned()));
            }
        }
    }
    Ok(None)
}

// --------------------------------------------------------- DER encoding

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// `n` random bytes forming a positive, minimally encoded INTEGER body.
fn random_positive(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    fill_random(&mut b);
    if let Some(first) = b.first_mut() {
        *first = (*first & 0x7f).max(1);
    }
    b
}

/// ecdsa-with-SHA256.
const ALG_ECDSA_SHA256: &[u8] = &[0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

fn name(cn: &str) -> Vec<u8> {
    let atv = seq(&[&der(0x06, OID_CN), &der(0x0c, cn.as_bytes())]);
    seq(&[&der(0x31, &atv)])
}

/// UTCTime before 2050, GeneralizedTime after (RFC 5280).
fn time(t: Timestamp) -> Vec<u8> {
    let digits: String = t.to_rfc3339().chars().take(19).filter(char::is_ascii_digit).collect();
    let year: i64 = digits.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    if (1950..2050).contains(&year) {
        der(0x17, format!("{}Z", digits.get(2..).unwrap_or_default()).as_bytes())
    } else {
        der(0x18, format!("{digits}Z").as_bytes())
    }
}

fn ecdsa_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let sig = seq(&[&der(0x02, r), &der(0x02, s)]);
    let mut bits = vec![0u8];
    bits.extend(sig);
    der(0x03, &bits)
}

fn certificate(
    serial: &[u8],
    issuer: &str,
    subject: &str,
    validity: (Timestamp, Timestamp),
    spki: &[u8],
    extensions: &[u8],
    signature: &[u8],
) -> Vec<u8> {
    let version = der(0xa0, &der(0x02, &[2]));
    let tbs = seq(&[
        &version,
        &der(0x02, serial),
        ALG_ECDSA_SHA256,
        &name(issuer),
        &seq(&[&time(validity.0), &time(validity.1)]),
        &name(subject),
        spki,
        &der(0xa3, &seq(&[extensions])),
    ]);
    seq(&[&tbs, ALG_ECDSA_SHA256, signature])
}

const CA_NAME: &str = "Inkbox Emulator Test CA (not trusted)";

/// The leaf: CN and SAN = `host`, the CSR's key, a random signature.
fn leaf_cert(host: &str, spki: &[u8], serial: &[u8], not_before: Timestamp, not_after: Timestamp) -> Vec<u8> {
    let san = seq(&[&der(0x06, &[0x55, 0x1d, 0x11]), &der(0x04, &seq(&[&der(0x82, host.as_bytes())]))]);
    let sig = ecdsa_signature(&random_positive(32), &random_positive(32));
    certificate(serial, CA_NAME, host, (not_before, not_after), spki, &san, &sig)
}

/// The fixed emulator CA (public key = the P-256 generator point).
fn ca_cert() -> Vec<u8> {
    const GX: [u8; 32] = [
        0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03,
        0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    ];
    const GY: [u8; 32] = [
        0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce,
        0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
    ];
    let alg = seq(&[
        &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
        &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
    ]);
    let mut point = vec![0x00, 0x04];
    point.extend_from_slice(&GX);
    point.extend_from_slice(&GY);
    let spki = seq(&[&alg, &der(0x03, &point)]);
    // basicConstraints: critical, cA = TRUE.
    let bc = seq(&[&der(0x06, &[0x55, 0x1d, 0x13]), &der(0x01, &[0xff]), &der(0x04, &seq(&[&der(0x01, &[0xff])]))]);
    let validity = (Timestamp::from_unix(1_577_836_800, 0), Timestamp::from_unix(4_102_444_799, 0));
    // A meaningless but well-formed ECDSA-Sig-Value (both halves < 0x80: minimal positive INTEGERs).
    let sig = ecdsa_signature(&GX, &GY);
    certificate(&[0x01], CA_NAME, CA_NAME, validity, &spki, &bc, &sig)
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = encode_to_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn base64_round_trip() {
        for n in 0..70 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64_decode(&encode_to_string(&data)).unwrap(), data, "{n}");
        }
        assert_eq!(encode_to_string(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_to_string(b"fo"), "Zm8=");
    }

    /// A CSR as openssl writes it for CN=my-agent.inkboxwire.com (P-256).
    const OPENSSL_CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIIBEzCBuQIBADAiMSAwHgYDVQQDDBdteS1hZ2VudC5pbmtib3h3aXJlLmNvbTBZ
MBMGByqGSM49AgEGCCqGSM49AwEHA0IABATinPkWlwPhzqHmHSW/FO/+/AuWJaCh
bcrq64Fa/qkgMvgW12xHMXTaplYXwkaq/i9brEIzpwC/B/PeLo7DG+qgNTAzBgkq
hkiG9w0BCQ4xJjAkMCIGA1UdEQQbMBmCF215LWFnZW50Lmlua2JveHdpcmUuY29t
MAoGCCqGSM49BAMCA0kAMEYCIQCJbFgjw77GWHSmI2faUqPE3dofcrO/AAvVrJNi
pcLOGwIhANf0F4xJwvfXDqnv4NR0iWfNPb+cFGh/O1hZdoGIMtSR
-----END CERTIFICATE REQUEST-----
";

    #[test]
    fn parses_a_csr_and_issues_a_well_formed_certificate() {
        let csr = parse_csr(OPENSSL_CSR).unwrap();
        assert_eq!(csr.common_name, "my-agent.inkboxwire.com");
        assert_eq!(csr.spki[0], 0x30);
        assert_eq!(csr.spki.len(), 91);

        let now = Timestamp::from_unix(1_773_014_400, 0);
        let later = Timestamp::from_unix(1_773_014_400 + 90 * 86_400, 0);
        let leaf = leaf_cert("my-agent.inkboxwire.com", &csr.spki, &random_positive(16), now, later);
        let (outer, rest) = read_tlv(&leaf).unwrap();
        assert!(rest.is_empty() && outer.tag == 0x30);
        let (tbs, r) = expect(outer.content, 0x30, "tbs").unwrap();
        let (_, r) = expect(r, 0x30, "alg").unwrap();
        let (_, r) = expect(r, 0x03, "sig").unwrap();
        assert!(r.is_empty());
        assert!(tbs.content.windows(csr.spki.len()).any(|w| w == csr.spki.as_slice()));
        let ca = ca_cert();
        assert_eq!(read_tlv(&ca).unwrap().1.len(), 0);
        let p = pem("CERTIFICATE", &leaf);
        assert!(p.starts_with("-----BEGIN CERTIFICATE-----\n") && p.ends_with("-----END CERTIFICATE-----\n"));
        assert!(p.lines().all(|l| l.len() <= 64));
    }

    #[test]
    fn rejects_malformed_csrs() {
        let cases = [
            ("", "not a PEM"),
            ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a PEM"),
            ("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", "missing"),
            ("-----BEGIN CERTIFICATE REQUEST-----\n%%%%\n-----END CERTIFICATE REQUEST-----", "base64"),
            (
                "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----",
                "CertificationRequestInfo",
            ),
            ("-----BEGIN CERTIFICATE REQUEST-----\nMAM=\n-----END CERTIFICATE REQUEST-----", "truncated"),
            ("-----BEGIN CERTIFICATE REQUEST-----\nBAA=\n-----END CERTIFICATE REQUEST-----", "expected"),
        ];
        for (pem, why) in cases {
            let e = parse_csr(pem).unwrap_err();
            assert!(e.contains(why), "{pem:?}: {e}");
        }
    }

    #[test]
    fn times_switch_to_generalized_after_2049() {
        assert_eq!(time(Timestamp::from_unix(0, 0)), der(0x17, b"700101000000Z"));
        assert_eq!(time(Timestamp::from_unix(2_524_608_000, 0)), der(0x18, b"20500101000000Z"));
    }
}
