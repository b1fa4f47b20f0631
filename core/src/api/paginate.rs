//! Pagination state machines. A binding asks for the next page's
//! parameters, sends the request with its own transport, and feeds the page
//! back; core decides when to stop.
//!
//! [`CursorPager`] and [`OffsetPager`] are the rules; the pager flow
//! ([`PagerFlow`](super::dynamic::PagerFlow)) applies them to any paged
//! operation of the dynamic table through the step protocol of
//! [`Flow`](super::vault_flows::Flow), handing each page over as a [`Page`].

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::catalog::{Operation, Paging};
use super::request::Response;

/// One page of a cursor-paged list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CursorPage<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page (null on the last page).
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Whether another page exists.
    #[serde(default)]
    pub has_more: bool,
}

/// Drives `limit` + `cursor` pagination (`{items, next_cursor, has_more}`).
///
/// Stops when the server says `has_more: false`, returns no `next_cursor`,
/// or returns the same cursor twice (a guard against a server loop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorPager {
    limit: u32,
    cursor: Option<String>,
    done: bool,
    pages: u32,
}

impl CursorPager {
    /// The SDK's default page size.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// A pager with `limit` items per page (clamped to the API's 1–100).
    pub fn new(limit: u32) -> Self {
        CursorPager { limit: limit.clamp(1, 100), cursor: None, done: false, pages: 0 }
    }

    /// A pager whose last request was sent with `cursor` (`None` = the first
    /// page), for callers that keep no pager between pages: the next
    /// [`advance`](Self::advance) then applies the repeated-cursor guard
    /// against it.
    pub fn resume(limit: u32, cursor: Option<String>) -> Self {
        CursorPager { limit: limit.clamp(1, 100), cursor, done: false, pages: 0 }
    }

    /// The parameters of the next page: `(limit, cursor)`, or `None` when done.
    pub fn next_page(&self) -> Option<(u32, Option<&str>)> {
        if self.done { None } else { Some((self.limit, self.cursor.as_deref())) }
    }

    /// Records a received page.
    pub fn advance<T>(&mut self, page: &CursorPage<T>) {
        self.pages = self.pages.saturating_add(1);
        match (&page.next_cursor, page.has_more) {
            (Some(next), true) if Some(next) != self.cursor.as_ref() && !next.is_empty() => {
                self.cursor = Some(next.clone());
            }
            _ => self.done = true,
        }
    }

    /// `true` once the last page was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Pages received so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }
}

/// Drives `limit` + `offset` pagination over bare-array responses. Stops at
/// the first page shorter than `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetPager {
    limit: u32,
    offset: u64,
    done: bool,
}

impl OffsetPager {
    /// The SDK's default page size.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// A pager with `limit` items per page (clamped to the API's 1–200), from `offset`.
    pub fn new(limit: u32, offset: u64) -> Self {
        OffsetPager { limit: limit.clamp(1, 200), offset, done: false }
    }

    /// The parameters of the next page: `(limit, offset)`, or `None` when done.
    pub fn next_page(&self) -> Option<(u32, u64)> {
        if self.done { None } else { Some((self.limit, self.offset)) }
    }

    /// Records how many items the last page held.
    pub fn advance(&mut self, items: usize) {
        let n = u64::try_from(items).unwrap_or(u64::MAX);
        if n < u64::from(self.limit) {
            self.done = true;
        }
        self.offset = self.offset.saturating_add(n);
    }

    /// `true` once the last page was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// A page of a paged list, handed to the caller by a pager flow
/// ([`Step::Page`](super::vault_flows::Step::Page)): the response as
/// received (a 2xx), for the caller to parse with its own parser (e.g.
/// [`dynamic::parse_into`](super::dynamic::parse_into) with
/// [`operation`](Self::operation)'s name).
#[derive(Clone)]
pub struct Page {
    /// The operation the page answers.
    pub operation: &'static Operation,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The response headers.
    pub headers: Vec<(String, String)>,
    /// The body (shared with the flow, which reads its
    /// [`PageSummary`] from it unless the caller gives one).
    pub body: Arc<[u8]>,
}

impl Page {
    /// The page as a [`Response`], for a parser.
    pub fn response(&self) -> Response<'_> {
        Response::new(self.status, &self.headers, &self.body)
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("operation", &self.operation.name)
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// What a pager needs to know of a page to decide the next one: the item
/// count (offset lists) and `has_more` / `next_cursor` (cursor lists).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageSummary {
    /// The number of items on the page.
    pub items: usize,
    /// A cursor page's `has_more`.
    pub has_more: bool,
    /// A cursor page's `next_cursor`.
    pub next_cursor: Option<String>,
}

impl PageSummary {
    /// The summary of a cursor page.
    pub fn cursor(items: usize, has_more: bool, next_cursor: Option<String>) -> Self {
        PageSummary { items, has_more, next_cursor }
    }

    /// The summary of an offset page (a bare array of `items` items).
    pub fn offset(items: usize) -> Self {
        PageSummary { items, has_more: false, next_cursor: None }
    }

    /// The summary of a page of `paging` whose caller counted `items` and
    /// read `has_more` and `next_cursor` (used only by a cursor page; other
    /// pagings but offset need no summary and get the default). What a
    /// binding that parsed the page in its own runtime hands to a pager's
    /// `feed_summarized`.
    #[must_use]
    pub fn for_paging(paging: Paging, items: usize, has_more: bool, next_cursor: Option<String>) -> Self {
        match paging {
            Paging::Cursor => PageSummary::cursor(items, has_more, next_cursor),
            Paging::Offset => PageSummary::offset(items),
            Paging::Limit | Paging::None => PageSummary::default(),
        }
    }

    /// Reads the summary from a page body with one light pass (the items are
    /// skipped, not decoded): `{items, has_more, next_cursor}` for
    /// [`Paging::Cursor`], a bare array for [`Paging::Offset`]; other pagings
    /// need no summary and get the default.
    pub fn from_body(paging: Paging, body: &[u8]) -> Result<Self, serde_json::Error> {
        match paging {
            Paging::Cursor => {
                let page: CursorPage<IgnoredAny> = super::parse::from_body(body)?;
                Ok(PageSummary::cursor(page.items.len(), page.has_more, page.next_cursor))
            }
            Paging::Offset => {
                let items: Vec<IgnoredAny> = super::parse::from_body(body)?;
                Ok(PageSummary::offset(items.len()))
            }
            Paging::None | Paging::Limit => Ok(PageSummary::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloc::vec;

    fn page(n: usize, next: Option<&str>, more: bool) -> CursorPage<u8> {
        CursorPage { items: vec![0; n], next_cursor: next.map(String::from), has_more: more }
    }

    #[test]
    fn cursor_pager_follows_cursors_and_stops() {
        let mut p = CursorPager::new(500);
        assert_eq!(p.next_page(), Some((100, None)));
        p.advance(&page(100, Some("c1"), true));
        assert_eq!(p.next_page(), Some((100, Some("c1"))));
        p.advance(&page(100, Some("c2"), true));
        p.advance(&page(3, None, false));
        assert_eq!(p.next_page(), None);
        assert_eq!(p.pages(), 3);
    }

    #[test]
    fn cursor_pager_guards_against_loops_and_missing_cursors() {
        let mut p = CursorPager::new(10);
        p.advance(&page(10, Some("c1"), true));
        p.advance(&page(10, Some("c1"), true));
        assert!(p.is_done());
        let mut q = CursorPager::new(10);
        q.advance(&page(10, None, true));
        assert!(q.is_done());
    }

    #[test]
    fn offset_pager_stops_on_short_page() {
        let mut p = OffsetPager::new(2, 0);
        assert_eq!(p.next_page(), Some((2, 0)));
        p.advance(2);
        assert_eq!(p.next_page(), Some((2, 2)));
        p.advance(1);
        assert_eq!(p.next_page(), None);
        assert_eq!(OffsetPager::new(0, 5).next_page(), Some((1, 5)));
    }

    #[test]
    fn page_summary_from_body_skips_items() {
        let body = br#"{"items":[{"a":[1,{"b":"x"}]},2,"three"],"next_cursor":"c","has_more":true,"extra":1}"#;
        assert_eq!(
            PageSummary::from_body(Paging::Cursor, body).unwrap(),
            PageSummary::cursor(3, true, Some("c".into()))
        );
        assert_eq!(
            PageSummary::from_body(Paging::Cursor, br#"{"items":[]}"#).unwrap(),
            PageSummary::cursor(0, false, None)
        );
        assert!(PageSummary::from_body(Paging::Cursor, br#"{"has_more":true}"#).is_err());
        assert!(PageSummary::from_body(Paging::Cursor, b"[1]").is_err());
        assert_eq!(PageSummary::from_body(Paging::Offset, br#"[{"x":[]},null]"#).unwrap(), PageSummary::offset(2));
        assert!(PageSummary::from_body(Paging::Offset, b"{}").is_err());
        assert_eq!(PageSummary::from_body(Paging::Limit, b"garbage").unwrap(), PageSummary::default());
    }

    #[test]
    fn a_counted_page_gets_the_summary_its_paging_reads() {
        let cursor: Option<String> = Some("c".into());
        assert_eq!(
            PageSummary::for_paging(Paging::Cursor, 3, true, cursor.clone()),
            PageSummary::cursor(3, true, cursor.clone())
        );
        // Only a cursor page has a cursor; only cursor and offset pages count.
        assert_eq!(PageSummary::for_paging(Paging::Offset, 3, true, cursor.clone()), PageSummary::offset(3));
        assert_eq!(PageSummary::for_paging(Paging::Limit, 3, true, cursor.clone()), PageSummary::default());
        assert_eq!(PageSummary::for_paging(Paging::None, 3, true, cursor), PageSummary::default());
        // The same summary as the body's own.
        let body = br#"{"items":[1,2],"has_more":true,"next_cursor":"n"}"#;
        assert_eq!(
            PageSummary::from_body(Paging::Cursor, body).unwrap(),
            PageSummary::for_paging(Paging::Cursor, 2, true, Some("n".into()))
        );
    }
}
