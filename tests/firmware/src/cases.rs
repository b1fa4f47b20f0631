//! Known answers generated from the shared vectors by build.rs.

/// One webhook delivery from webhook.json.
#[allow(dead_code)]
pub struct WebhookCase {
    pub name: &'static str,
    pub secret: &'static str,
    pub signature: &'static str,
    pub request_id: &'static str,
    pub timestamp: &'static str,
    pub body: &'static [u8],
    pub expected: bool,
}

/// One RFC 6238 Appendix B case from totp.json.
pub struct TotpCase {
    pub name: &'static str,
    pub secret: &'static str,
    pub algorithm: &'static str,
    pub time: u64,
    pub code: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/cases.rs"));
