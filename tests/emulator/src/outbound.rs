//! Requests the emulator itself makes: webhook deliveries and incoming-call
//! webhooks (plain HTTP, loopback in tests), signed by core's signing function.

use std::time::Duration;

use inkbox_core::webhook;

/// What a receiver answered.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// The three `X-Inkbox-*` headers for `body`, signed with `secret` (a
/// leading `whsec_` is removed by core), or `None` when the secret is empty.
pub(crate) fn signature_headers(
    secret: &str,
    request_id: &str,
    unix_secs: u64,
    body: &[u8],
) -> Option<Vec<(String, String)>> {
    let signed = webhook::sign(secret, request_id, unix_secs, body).ok()?;
    Some(signed.headers().iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect())
}

/// POSTs `body` as JSON to `url` with `headers`; redirects are not followed.
/// Blocking: call it without holding the state lock.
pub(crate) fn post_json(
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<Answer, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url).header("Content-Type", "application/json").header("User-Agent", "inkbox-emulator");
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let mut resp = req.send(body).map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().with_config().limit(1024 * 1024).read_to_vec().map_err(|e| e.to_string())?;
    Ok(Answer { status, body })
}
