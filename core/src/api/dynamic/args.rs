//! The JSON arguments of one call, checked against the operation.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::api::catalog::Operation;
use crate::api::error::ApiError;

use super::strict::*;
use super::*;

/// The `{param}` names of a path template, in order.
pub(super) fn template_params(template: &'static str) -> impl Iterator<Item = &'static str> {
    // A segment may end in a literal after its placeholder (`{contact_id}.vcf`).
    template.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.split_once('}')).map(|(name, _)| name))
}

/// `null` and `{}` carry nothing.
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// The arguments of one [`build`] call, checked against the operation.
pub(super) struct Args<'a> {
    pub(super) path: Vec<(&'static str, &'a str)>,
    pub(super) query: Option<&'a Value>,
    pub(super) body: Option<&'a Value>,
    pub(super) api_key: Option<&'a Value>,
    pub(super) query_used: Cell<bool>,
    pub(super) body_used: Cell<bool>,
    pub(super) api_key_used: Cell<bool>,
}

impl<'a> Args<'a> {
    pub(super) fn new(op: &'static Operation, args: &'a Value) -> Result<Self, ApiError> {
        let obj = match args {
            Value::Object(m) => Some(m),
            Value::Null => None,
            _ => return Err(ApiError::validation("args", "must be a JSON object")),
        };
        let get = |key: &str| obj.and_then(|m| m.get(key)).filter(|v| !v.is_null());
        for key in obj.into_iter().flat_map(Map::keys) {
            if !matches!(key.as_str(), "path" | "query" | "body" | "api_key") {
                return Err(ApiError::validation_owned(
                    key.clone(),
                    "unknown argument (expected path, query, body or api_key)",
                ));
            }
        }
        let path_obj = match get("path") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return Err(ApiError::validation("path", "must be a JSON object")),
        };
        for key in path_obj.into_iter().flat_map(Map::keys) {
            if !template_params(op.path).any(|p| p == key) {
                return Err(ApiError::validation_owned(format!("path.{key}"), "unknown path parameter"));
            }
        }
        let mut path = Vec::new();
        for name in template_params(op.path) {
            match path_obj.and_then(|m| m.get(name)) {
                Some(Value::String(s)) => path.push((name, s.as_str())),
                Some(_) => return Err(ApiError::validation_owned(format!("path.{name}"), "must be a string")),
                None => return Err(ApiError::validation_owned(format!("path.{name}"), "missing path parameter")),
            }
        }
        let query = get("query");
        if query.is_some_and(|q| !q.is_object()) {
            return Err(ApiError::validation("query", "must be a JSON object"));
        }
        Ok(Args {
            path,
            query,
            body: get("body"),
            api_key: get("api_key"),
            query_used: Cell::new(false),
            body_used: Cell::new(false),
            api_key_used: Cell::new(false),
        })
    }

    pub(super) fn path(&self, name: &'static str) -> Result<&'a str, ApiError> {
        self.path
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| ApiError::validation_owned(format!("path.{name}"), "missing path parameter"))
    }

    pub(super) fn query<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.query_used.set(true);
        section("query", self.query)
    }

    pub(super) fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.body_used.set(true);
        section("body", self.body)
    }

    pub(super) fn api_key(&self) -> Result<&'a str, ApiError> {
        self.api_key_used.set(true);
        match self.api_key {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(ApiError::validation("api_key", "must be a string")),
            None => Err(ApiError::validation("api_key", "is required for this operation")),
        }
    }

    /// Refuses arguments the operation never read.
    pub(super) fn check_all_used(&self) -> Result<(), ApiError> {
        if self.query.is_some_and(|q| !is_empty(q)) && !self.query_used.get() {
            return Err(ApiError::validation("query", "this operation takes no query parameters"));
        }
        if self.body.is_some_and(|b| !is_empty(b)) && !self.body_used.get() {
            return Err(ApiError::validation("body", "this operation takes no body"));
        }
        if self.api_key.is_some() && !self.api_key_used.get() {
            return Err(ApiError::validation(
                "api_key",
                "this operation takes no api_key (only signup.verify, signup.resend_verification and signup.status do)",
            ));
        }
        Ok(())
    }
}

/// Deserializes `query` or `body` (absent = `{}`) strictly: unknown fields
/// anywhere in a typed struct are refused, and every error names the
/// dotted location it happened at.
pub(super) fn section<T: DeserializeOwned>(name: &'static str, value: Option<&Value>) -> Result<T, ApiError> {
    let empty = Value::Object(Map::new());
    let at = Cell::new(None);
    let strict = Strict { value: value.unwrap_or(&empty), path: String::from(name), at: &at };
    T::deserialize(strict).map_err(|e| {
        let field = at.take().unwrap_or_else(|| String::from(name));
        ApiError::validation_owned(field, e.to_string())
    })
}

/// What the request built from `args` actually sent as `limit`, `offset` and `cursor`.
#[derive(Default)]
pub(super) struct SentQuery {
    pub(super) limit: Option<u64>,
    pub(super) offset: Option<u64>,
    pub(super) cursor: Option<String>,
}

pub(super) fn sent_query(op: &'static Operation, args: &Value) -> Result<SentQuery, ApiError> {
    Ok(sent_query_of(&build(op.name, args)?, args))
}

/// What `req`, built from `args`, sends of `limit`, `offset` and `cursor`.
pub(super) fn sent_query_of(req: &Request, args: &Value) -> SentQuery {
    let mut sent = SentQuery::default();
    let query = req.path_and_query.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "limit" => sent.limit = v.parse().ok(),
            "offset" => sent.offset = v.parse().ok(),
            _ => {}
        }
    }
    // The cursor is taken from the arguments, not the (percent-encoded) query.
    sent.cursor = args.get("query").and_then(|q| q.get("cursor")).and_then(Value::as_str).map(ToOwned::to_owned);
    sent
}

/// `args` with `query.<key>` set to `value`.
pub(super) fn with_query(args: &Value, key: &str, value: Value) -> Result<Value, ApiError> {
    let mut next = match args {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(ApiError::validation("args", "must be a JSON object")),
    };
    let query = next.entry("query").or_insert_with(|| Value::Object(Map::new()));
    if query.is_null() {
        *query = Value::Object(Map::new());
    }
    match query {
        Value::Object(q) => {
            q.insert(key.to_owned(), value);
        }
        _ => return Err(ApiError::validation("query", "must be a JSON object")),
    }
    Ok(Value::Object(next))
}
