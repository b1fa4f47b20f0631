//! [`PagerFlow`]: any paged operation of the dynamic table as a flow of the
//! step protocol.

use alloc::sync::Arc;
use core::fmt;
use core::mem;

use serde_json::Value;

use super::args::sent_query_of;
use super::{SentQuery, build, lookup, next_args, parse, summary_of};
use crate::api::catalog::Operation;
use crate::api::codes;
use crate::api::error::ApiError;
use crate::api::paginate::{Page, PageSummary};
use crate::api::request::{Request, Response};
use crate::api::vault_flows::{Flow, Step};

enum State {
    /// The next request, built.
    Send(Request),
    /// The request is out; its response is expected.
    Awaiting,
    /// A page was fed; the next `next` hands it over.
    Page(Page),
    /// A page was fed with the caller's summary; the next `next` hands it
    /// over (without its body) and decides what follows.
    Summarized(Page, PageSummary),
    /// The page was handed over; the next page is decided from the caller's
    /// summary or, at the next `next`, from the body.
    Handed { status: u16, body: Arc<[u8]> },
    /// The last page was handed over.
    Done,
    /// Over, or failed.
    Finished,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Send(_) => "send",
            State::Awaiting => "awaiting",
            State::Page(_) | State::Summarized(..) => "page",
            State::Handed { .. } => "handed",
            State::Done => "done",
            State::Finished => "finished",
        }
    }
}

/// Every page of one list, as a [`Flow`]: built from an operation name and
/// its JSON arguments (see [the module docs](super) for their shape), it
/// sends each page's request ([`Step::Send`]), hands each page over
/// ([`Step::Page`]: parse it, then call `next` again) and ends with the
/// number of pages ([`Step::Done`]).
///
/// The next page follows the operation's
/// [`Paging`](crate::api::catalog::Paging), by the rules of
/// [`next_page_args`](super::next_page_args): a cursor list follows
/// `next_cursor` while `has_more` (and stops on a missing or repeated
/// cursor), an offset list advances `offset` until a page shorter than the
/// `limit` sent (without a `limit`: until an empty page). A `limit`-only or
/// unpaged operation is one page.
///
/// The flow reads what it needs of each page (item count, `has_more`,
/// `next_cursor`) from the body with a light pass that skips the items; a
/// caller that parsed the page itself may give that summary instead with
/// [`Flow::summarize_page`] before calling `next`, and the body is not read
/// again.
///
/// A response that is not a 2xx fails the flow with the operation's typed
/// error ([`ApiError::from_response`]); a page body without the page's shape
/// fails it with [`ApiError::Decode`]. The protocol errors are those of the
/// vault flows (`flow.out_of_order`, `flow.finished`).
pub struct PagerFlow {
    op: &'static Operation,
    /// The arguments of the outstanding (or last) request.
    args: Value,
    /// What that request sent of `limit`, `offset` and `cursor`.
    sent: SentQuery,
    pages: u32,
    state: State,
}

impl fmt::Debug for PagerFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PagerFlow")
            .field("operation", &self.op.name)
            .field("paging", &self.op.paging)
            .field("pages", &self.pages)
            .field("state", &self.state.name())
            .finish_non_exhaustive()
    }
}

/// The request of `op` for `args`, and what it sends of the paging
/// parameters.
fn build_page(op: &'static Operation, args: &Value) -> Result<(Request, SentQuery), ApiError> {
    let req = build(op.name, args)?;
    let sent = sent_query_of(&req, args);
    Ok((req, sent))
}

/// The summary of a page body: the light pass over the wire shape, or, for
/// a list whose parser reshapes the page (AgentPost's `{"inboxes": [...]}`),
/// the typed parse's value.
fn read_summary(op: &'static Operation, status: u16, body: &[u8]) -> Result<PageSummary, ApiError> {
    PageSummary::from_body(op.paging, body).or_else(|_| {
        let page = parse(op.name, &Response::new(status, &[], body))?;
        Ok(summary_of(op, &page)?.unwrap_or_default())
    })
}

fn out_of_order(message: &'static str) -> ApiError {
    ApiError::Flow { code: codes::FLOW_OUT_OF_ORDER, message: message.into() }
}

fn finished() -> ApiError {
    ApiError::Flow { code: codes::FLOW_FINISHED, message: "the flow has already finished or failed".into() }
}

impl PagerFlow {
    /// The pages of operation `op` called with `args` (`null` = `{}`); the
    /// first request is built here, so unknown operations and bad arguments
    /// fail at once.
    pub fn new(op: &str, args: Value) -> Result<Self, ApiError> {
        let op = lookup(op)?;
        let (req, sent) = build_page(op, &args)?;
        Ok(PagerFlow { op, args, sent, pages: 0, state: State::Send(req) })
    }

    /// The operation being paged.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// Pages handed over so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Decides what follows the handed-over page from its summary: the next
    /// request, or the end.
    fn advance(&mut self, summary: &PageSummary) -> Result<(), ApiError> {
        self.state = State::Finished;
        match next_args(self.op, &self.args, &self.sent, summary)? {
            None => self.state = State::Done,
            Some(args) => {
                let (req, sent) = build_page(self.op, &args)?;
                self.args = args;
                self.sent = sent;
                self.state = State::Send(req);
            }
        }
        Ok(())
    }
}

impl Flow for PagerFlow {
    type Output = u32;

    fn next(&mut self) -> Result<Step<u32>, ApiError> {
        if let State::Handed { status, body } = &self.state {
            // No summary from the caller: read it from the body.
            let summary = match read_summary(self.op, *status, body) {
                Ok(summary) => summary,
                Err(err) => {
                    self.state = State::Finished;
                    return Err(err);
                }
            };
            self.advance(&summary)?;
        }
        match mem::replace(&mut self.state, State::Finished) {
            State::Send(req) => {
                self.state = State::Awaiting;
                Ok(Step::Send(req))
            }
            State::Page(page) => {
                self.pages = self.pages.saturating_add(1);
                self.state = State::Handed { status: page.status, body: Arc::clone(&page.body) };
                Ok(Step::Page(page))
            }
            State::Summarized(page, summary) => {
                self.pages = self.pages.saturating_add(1);
                self.advance(&summary)?;
                Ok(Step::Page(page))
            }
            State::Done => Ok(Step::Done(self.pages)),
            State::Awaiting => {
                self.state = State::Awaiting;
                Err(out_of_order("a response is expected: call feed first"))
            }
            State::Handed { .. } | State::Finished => Err(finished()),
        }
    }

    fn feed(&mut self, resp: &Response<'_>) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Awaiting if !resp.is_success() => Err(ApiError::from_response(self.op, resp)),
            State::Awaiting => {
                self.state = State::Page(Page {
                    operation: self.op,
                    status: resp.status,
                    headers: resp.headers.to_vec(),
                    body: Arc::from(resp.body),
                });
                Ok(())
            }
            State::Finished => Err(finished()),
            other => {
                self.state = other;
                Err(out_of_order("no request is outstanding: call next first"))
            }
        }
    }

    fn feed_summarized(&mut self, resp: &Response<'_>, summary: PageSummary) -> Result<(), ApiError> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Awaiting if resp.is_success() => {
                let page = Page {
                    operation: self.op,
                    status: resp.status,
                    headers: resp.headers.to_vec(),
                    body: Arc::from(&[][..]),
                };
                self.state = State::Summarized(page, summary);
                Ok(())
            }
            other => {
                self.state = other;
                self.feed(resp)
            }
        }
    }

    fn summarize_page(&mut self, summary: PageSummary) -> Result<(), ApiError> {
        match &self.state {
            State::Handed { .. } => self.advance(&summary),
            State::Finished => Err(finished()),
            _ => Err(out_of_order("no page is waiting for its summary")),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use serde_json::json;

    use super::*;
    use crate::ErrorCode as _;
    use crate::api::vault_flows::{AnyFlow, FlowOutput, GetSecretFlow, UnlockedVault, drive, drive_pages};
    use crate::vault::OrgKey;

    const UUID: &str = "5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10";
    const JSON: &[(String, String)] = &[];

    #[test]
    fn a_summarized_feed_keeps_no_body_and_pages_on() {
        let mut f = flow("mail.messages.list", json!({"path": {"email": "a@b.co"}, "query": {"limit": 2}}));
        let first = send(&mut f);
        assert!(!first.path_and_query.contains("cursor="));
        let body = br#"{"items":[{},{}],"next_cursor":"c1","has_more":true}"#;
        f.feed_summarized(&Response::new(200, JSON, body), PageSummary::cursor(2, true, Some("c1".into()))).unwrap();
        match f.next().unwrap() {
            Step::Page(page) => assert!(page.body.is_empty() && page.status == 200),
            other => panic!("expected a page, got {other:?}"),
        }
        assert!(send(&mut f).path_and_query.contains("cursor=c1"));
        // A failed page is the typed error, summary or not.
        let e =
            f.feed_summarized(&Response::new(404, JSON, br#"{"detail":"Mailbox not found"}"#), PageSummary::default());
        assert_eq!(e.unwrap_err().code(), "api.not_found");
        // The last page: the flow ends after handing it over.
        let mut g = flow("mail.messages.list", json!({"path": {"email": "a@b.co"}}));
        send(&mut g);
        g.feed_summarized(&Response::new(200, JSON, b"{}"), PageSummary::cursor(0, false, None)).unwrap();
        assert!(matches!(g.next().unwrap(), Step::Page(_)));
        assert!(matches!(g.next().unwrap(), Step::Done(FlowOutput::Pages(1))));
        // Flows without pages ignore the summary: it is their feed.
        let v = UnlockedVault::new(OrgKey::from_bytes([7; 32]), "org_1".into());
        let mut secret: AnyFlow = GetSecretFlow::new(&v, UUID).unwrap().into();
        let _ = secret.next().unwrap();
        let e = secret
            .feed_summarized(&Response::new(404, JSON, br#"{"detail":"Secret not found"}"#), PageSummary::default());
        assert_eq!(e.unwrap_err().code(), "api.not_found");
    }

    fn flow(op: &str, args: Value) -> AnyFlow {
        PagerFlow::new(op, args).unwrap().into()
    }

    fn send(flow: &mut AnyFlow) -> Request {
        match flow.next().unwrap() {
            Step::Send(req) => req,
            other => panic!("expected Send, got {other:?}"),
        }
    }

    fn page(flow: &mut AnyFlow) -> Page {
        match flow.next().unwrap() {
            Step::Page(page) => page,
            other => panic!("expected Page, got {other:?}"),
        }
    }

    fn done(flow: &mut AnyFlow) -> u32 {
        match flow.next().unwrap() {
            Step::Done(FlowOutput::Pages(n)) => n,
            other => panic!("expected Done(Pages), got {other:?}"),
        }
    }

    fn feed(flow: &mut AnyFlow, status: u16, body: &str) {
        flow.feed(&Response::new(status, JSON, body.as_bytes())).unwrap();
    }

    fn cursor_page(items: usize, next: Option<&str>, more: bool) -> String {
        let items: Vec<String> = (0..items).map(|i| format!(r#"{{"id":"m{i}","nested":[1,{{"x":"]"}}]}}"#)).collect();
        json!({"items": [], "next_cursor": next, "has_more": more}).to_string().replacen(
            r#""items":[]"#,
            &format!(r#""items":[{}]"#, items.join(",")),
            1,
        )
    }

    #[test]
    fn cursor_pages_through_any_flow() {
        let mut f = flow("mail.messages.list", json!({"path": {"email": "a@x.com"}, "query": {"limit": 2}}));
        let first = send(&mut f);
        assert_eq!(first.path_and_query, "/api/v1/mail/mailboxes/a@x.com/messages?limit=2");
        let body = cursor_page(2, Some("c1"), true);
        feed(&mut f, 200, &body);
        let p = page(&mut f);
        assert_eq!((p.operation.name, p.status, &*p.body), ("mail.messages.list", 200, body.as_bytes()));
        assert_eq!(p.response().body, body.as_bytes());
        // Core reads the summary from the body: the next request follows c1.
        assert!(send(&mut f).path_and_query.ends_with("?limit=2&cursor=c1"));
        feed(&mut f, 200, &cursor_page(2, Some("c2"), true));
        page(&mut f);
        // The caller's summary is used instead of the body's.
        f.summarize_page(PageSummary::cursor(2, true, Some("c9".into()))).unwrap();
        assert!(send(&mut f).path_and_query.ends_with("?limit=2&cursor=c9"));
        feed(&mut f, 200, &cursor_page(1, None, false));
        assert_eq!(page(&mut f).body.len(), cursor_page(1, None, false).len());
        assert_eq!(done(&mut f), 3);
        assert_eq!(f.next().unwrap_err().code(), "flow.finished");
        assert!(format!("{f:?}").contains("mail.messages.list"), "{f:?}");
    }

    #[test]
    fn a_repeated_cursor_ends_the_list() {
        let mut f = flow("mail.messages.list", json!({"path": {"email": "a@x.com"}, "query": {"cursor": "c1"}}));
        assert!(send(&mut f).path_and_query.ends_with("cursor=c1"));
        feed(&mut f, 200, &cursor_page(3, Some("c1"), true));
        page(&mut f);
        assert_eq!(done(&mut f), 1);
        // has_more without a cursor ends it too.
        let mut f = flow("mail.messages.list", json!({"path": {"email": "a@x.com"}}));
        send(&mut f);
        feed(&mut f, 200, &cursor_page(3, None, true));
        page(&mut f);
        assert_eq!(done(&mut f), 1);
    }

    #[test]
    fn offset_pages_advance_until_a_short_page() {
        let mut f = flow("texts.list", json!({"path": {"phone_number_id": UUID}, "query": {"limit": 2}}));
        assert!(send(&mut f).path_and_query.ends_with("?limit=2&offset=0"), "{f:?}");
        feed(&mut f, 200, r#"[{"a":1},{"b":[2]}]"#);
        page(&mut f);
        assert!(send(&mut f).path_and_query.ends_with("?limit=2&offset=2"));
        feed(&mut f, 200, "[1,2]");
        page(&mut f);
        f.summarize_page(PageSummary::offset(2)).unwrap();
        assert!(send(&mut f).path_and_query.ends_with("?limit=2&offset=4"));
        feed(&mut f, 200, "[1]");
        page(&mut f);
        assert_eq!(done(&mut f), 3);
        // No limit sent: only an empty page ends the list.
        let mut f = flow("sms_opt_ins.list", Value::Null);
        send(&mut f);
        feed(&mut f, 200, "[1,2,3]");
        page(&mut f);
        assert!(send(&mut f).path_and_query.contains("offset=3"));
        feed(&mut f, 200, "[]");
        page(&mut f);
        assert_eq!(done(&mut f), 2);
    }

    #[test]
    fn limit_only_and_unpaged_operations_are_one_page() {
        let mut f = flow("mail.mailboxes.search", json!({"path": {"email": "a@x.com"}, "query": {"q": "x"}}));
        send(&mut f);
        feed(&mut f, 200, &cursor_page(1, Some("c"), true));
        page(&mut f);
        assert_eq!(done(&mut f), 1);
        let mut f = flow("identities.list", json!({}));
        send(&mut f);
        feed(&mut f, 200, "[]");
        page(&mut f);
        // A summary is accepted and changes nothing.
        f.summarize_page(PageSummary::offset(50)).unwrap();
        assert_eq!(done(&mut f), 1);
    }

    #[test]
    fn a_reshaped_page_is_summarized_by_its_parser() {
        // AgentPost's inbox list is `{"inboxes": [...]}` on the wire.
        let mut f = flow("agentpost.inboxes.list", Value::Null);
        send(&mut f);
        feed(&mut f, 200, r#"{"inboxes":[],"next_cursor":"n"}"#);
        page(&mut f);
        assert!(send(&mut f).path_and_query.ends_with("cursor=n"));
    }

    #[test]
    fn an_error_page_fails_with_the_typed_error() {
        let mut f = flow("mail.messages.list", json!({"path": {"email": "a@x.com"}}));
        send(&mut f);
        let e = f.feed(&Response::new(404, JSON, br#"{"detail":"Mailbox not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        assert_eq!(e.status(), Some(404));
        assert_eq!(f.next().unwrap_err().code(), "flow.finished");
        // A 2xx that is not a page fails at the next step with a decode error.
        let mut f = flow("texts.list", json!({"path": {"phone_number_id": UUID}}));
        send(&mut f);
        feed(&mut f, 200, r#"{"not":"a list"}"#);
        page(&mut f);
        let e = f.next().unwrap_err();
        assert!(matches!(e, ApiError::Decode { operation: "texts.list", status: 200, .. }), "{e:?}");
        assert_eq!(f.next().unwrap_err().code(), "flow.finished");
    }

    #[test]
    fn protocol_misuse_is_reported_and_harmless() {
        let ok = Response::new(200, JSON, b"[]");
        let mut f = flow("texts.list", json!({"path": {"phone_number_id": UUID}}));
        assert_eq!(f.feed(&ok).unwrap_err().code(), "flow.out_of_order");
        assert_eq!(f.summarize_page(PageSummary::offset(0)).unwrap_err().code(), "flow.out_of_order");
        send(&mut f);
        assert_eq!(f.next().unwrap_err().code(), "flow.out_of_order");
        assert_eq!(f.summarize_page(PageSummary::offset(0)).unwrap_err().code(), "flow.out_of_order");
        f.feed(&ok).unwrap();
        assert_eq!(f.feed(&ok).unwrap_err().code(), "flow.out_of_order");
        page(&mut f);
        assert_eq!(f.feed(&ok).unwrap_err().code(), "flow.out_of_order");
        assert_eq!(done(&mut f), 1);
        assert_eq!(f.next().unwrap_err().code(), "flow.finished");
        assert_eq!(f.feed(&ok).unwrap_err().code(), "flow.finished");
        assert_eq!(f.summarize_page(PageSummary::offset(0)).unwrap_err().code(), "flow.finished");
        assert!(!f.next_is_heavy());
        // Bad construction fails at once; vault flows take no summary.
        assert_eq!(PagerFlow::new("nope.list", Value::Null).unwrap_err().code(), "api.validation");
        assert_eq!(PagerFlow::new("texts.list", json!({})).unwrap_err().code(), "api.validation");
        let v = UnlockedVault::new(OrgKey::from_bytes([7; 32]), "org".into());
        let mut g: AnyFlow = GetSecretFlow::new(&v, UUID).unwrap().into();
        assert_eq!(g.summarize_page(PageSummary::default()).unwrap_err().code(), "flow.out_of_order");
    }

    #[test]
    fn drivers_hand_pages_over_or_refuse_them() {
        let mut bodies = ["[1,2]", "[3]"].into_iter();
        let mut send = |req: &Request| {
            assert!(req.path_and_query.contains("limit=2"));
            Ok((200, Vec::new(), bodies.next().unwrap().as_bytes().to_vec()))
        };
        let mut f =
            PagerFlow::new("texts.list", json!({"path": {"phone_number_id": UUID}, "query": {"limit": 2}})).unwrap();
        let mut seen = Vec::new();
        let pages = drive_pages(&mut f, &mut send, |p| {
            seen.push(p.body.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!((pages, seen), (2, alloc::vec![b"[1,2]".to_vec(), b"[3]".to_vec()]));
        let mut f = PagerFlow::new("identities.list", Value::Null).unwrap();
        let e = drive(&mut f, |_| Ok((200, Vec::new(), b"[]".to_vec()))).unwrap_err();
        assert_eq!(e.code(), "flow.out_of_order");
    }
}
