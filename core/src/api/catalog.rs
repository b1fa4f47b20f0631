//! Every operation of the Inkbox API as data.
//!
//! The builders take their method and path template from here, the local
//! emulator routes with it, and the docs list it. `cargo run -q -p
//! inkbox-core --example operations` prints it as JSON lines.

use super::request::Method;

/// How an operation authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// `X-API-Key: <key>` (every Inkbox call but public signup).
    ApiKey,
    /// No credentials (public agent signup).
    None,
    /// `Authorization: Bearer <key>` (AgentPost).
    Bearer,
}

impl Auth {
    /// A short name: `api_key`, `none` or `bearer`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Auth::ApiKey => "api_key",
            Auth::None => "none",
            Auth::Bearer => "bearer",
        }
    }
}

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Paging {
    /// Not paged.
    None,
    /// `limit` + `cursor` → `{items, next_cursor, has_more}`.
    Cursor,
    /// `limit` + `offset` → bare array.
    Offset,
    /// `limit` only, one page: a bare array (transcript and text search), or
    /// one cursor-shaped page object that is never followed (mailbox search).
    Limit,
}

impl Paging {
    /// A short name: `none`, `cursor`, `offset` or `limit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Paging::None => "none",
            Paging::Cursor => "cursor",
            Paging::Offset => "offset",
            Paging::Limit => "limit",
        }
    }
}

/// One API operation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// Stable dotted name, e.g. `mail.messages.send`.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{param}` placeholders, from the origin
    /// (a placeholder ending in `_encoded` is fully percent-encoded).
    pub path: &'static str,
    /// Authentication.
    pub auth: Auth,
    /// Paging style of a list operation.
    pub paging: Paging,
}

impl Operation {
    /// An API-key authenticated, unpaged operation.
    pub const fn new(name: &'static str, method: Method, path: &'static str) -> Self {
        Operation { name, method, path, auth: Auth::ApiKey, paging: Paging::None }
    }

    /// The same operation with another auth.
    pub const fn auth(self, auth: Auth) -> Self {
        Operation { auth, ..self }
    }

    /// The same operation with a paging style.
    pub const fn paging(self, paging: Paging) -> Self {
        Operation { paging, ..self }
    }

    /// Matches a concrete request path (no query) against this template.
    /// Segments are compared after the caller percent-decodes them; a trailing
    /// slash is ignored. Returns the parameter values in order.
    #[cfg(feature = "alloc")]
    pub fn match_path<'p>(&self, path: &'p str) -> Option<alloc::vec::Vec<&'p str>> {
        let mut params = alloc::vec::Vec::new();
        let mut t = self.path.trim_end_matches('/').split('/');
        let mut p = path.trim_end_matches('/').split('/');
        loop {
            match (t.next(), p.next()) {
                (None, None) => return Some(params),
                (Some(ts), Some(ps)) => {
                    if let Some(suffix) = ts.strip_prefix('{').and_then(|t| t.split_once('}')).map(|(_, s)| s) {
                        // `{param}` or `{param}<literal suffix>` (`{contact_id}.vcf`).
                        let value = ps.strip_suffix(suffix)?;
                        if value.is_empty() {
                            return None;
                        }
                        params.push(value);
                    } else if ts != ps {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
}

/// Every Inkbox operation, family by family.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    FAMILIES.iter().flat_map(|f| f.iter().copied())
}

/// Looks an operation up by name.
pub fn by_name(name: &str) -> Option<&'static Operation> {
    all().find(|op| op.name == name)
}

/// The AgentPost inbox operations (a peer product; other origin and auth).
pub fn agentpost() -> impl Iterator<Item = &'static Operation> {
    super::agentpost::OPERATIONS.iter().copied()
}

const FAMILIES: &[&[&Operation]] = &[
    super::identities::OPERATIONS,
    super::signup::OPERATIONS,
    super::mail::OPERATIONS,
    super::phone::OPERATIONS,
    super::texts::OPERATIONS,
    super::imessage::OPERATIONS,
    super::tunnels::OPERATIONS,
    super::vault::OPERATIONS,
    super::webhook_subscriptions::OPERATIONS,
    super::whoami::OPERATIONS,
    super::keys::OPERATIONS,
    super::contacts::OPERATIONS,
    super::notes::OPERATIONS,
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_unique_and_dotted() {
        let mut names: alloc::vec::Vec<&str> = all().map(|o| o.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate operation name");
        for op in all() {
            assert!(op.name.contains('.'), "{}", op.name);
            assert!(op.path.starts_with("/api"), "{}", op.name);
        }
    }

    #[test]
    fn match_path_extracts_params() {
        const OP: Operation = Operation::new("t.get", Method::Get, "/api/v1/x/{a}/y/{b}");
        assert_eq!(OP.match_path("/api/v1/x/1/y/2").unwrap(), ["1", "2"]);
        assert_eq!(OP.match_path("/api/v1/x/1/y/2/").unwrap(), ["1", "2"]);
        assert!(OP.match_path("/api/v1/x/1/y").is_none());
        assert!(OP.match_path("/api/v1/x//y/2").is_none());
        const SLASH: Operation = Operation::new("t.list", Method::Get, "/api/v1/identities/");
        assert!(SLASH.match_path("/api/v1/identities").is_some());
        const SUFFIX: Operation = Operation::new("t.export", Method::Get, "/api/v1/c/{id}.vcf");
        assert_eq!(SUFFIX.match_path("/api/v1/c/42.vcf").unwrap(), ["42"]);
        assert!(SUFFIX.match_path("/api/v1/c/42").is_none());
        assert!(SUFFIX.match_path("/api/v1/c/.vcf").is_none());
    }
}
