//! What each operation takes and returns, as the public surface describes
//! it: one [`Signature`] per operation of `surface/*.toml`, generated into
//! `signatures.rs` by `tools/surface/gen.py` (static data, no allocation).
//!
//! A parameter is `args[place][name]` of [`build`](super::build): its
//! [`Place`] is the key of the argument object, its name the wire name. Its
//! [`Type`] is the description's type, in the description's type language
//! (see `surface/README.md`; aliases resolved, models and enums carried
//! with their fields and values), and its [`Presence`] says whether a caller
//! must give it. Operations a binding reaches through several methods
//! (identity-scoped ones, delegating ones) have one signature: the
//! parameters of the method that names the operation, which the others
//! are checked against when the description is generated.

use core::fmt;

use super::signatures::SIGNATURES;

/// One operation as the public surface describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The operation's catalog name (`texts.list`).
    pub op: &'static str,
    /// Its wire parameters, in the described method's order.
    pub params: &'static [Param],
    /// The described method's `returns` (`[TextMessage]`, `iter Message`,
    /// `none`, `raw`, `Model?`).
    pub returns: &'static str,
    /// The Rust type core's parser of the operation returns, as
    /// [`result_type`](super::result_type) names it, with core's model names
    /// (`Vec<TextMessage>`, `CursorPage<Message>`, `()`, `String`); a
    /// borrowing parser's `…Ref` model counts as its owned model.
    pub result: &'static str,
}

impl Signature {
    /// The parameter `name` sent in `place`.
    pub fn param(&self, place: Place, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.place == place && p.name == name)
    }
}

/// One wire parameter: `args[place][name]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The wire name (a path template's `{param}`, a query parameter or a
    /// body field).
    pub name: &'static str,
    /// Where it goes.
    pub place: Place,
    /// Its type.
    pub ty: Type,
    /// Whether a caller must give it, and what is sent when it does not.
    pub presence: Presence,
}

/// The key of [`build`](super::build)'s argument object a parameter goes under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// `path`: a `{param}` of the path template (always a string on the wire).
    Path,
    /// `query`: a query parameter.
    Query,
    /// `body`: a field of the JSON body.
    Body,
}

impl Place {
    /// The key: `path`, `query` or `body`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Body => "body",
        }
    }
}

/// Whether a parameter must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The caller gives it.
    Required,
    /// Not sent unless given.
    Optional,
    /// Sent with this value (JSON text: `50`, `false`, `"local"`) unless given.
    Default(&'static str),
}

/// A type of the description's type language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `bool`.
    Bool,
    /// `uuid`: an id, a string on the wire.
    Uuid,
    /// `datetime`: ISO-8601, a string on the wire.
    DateTime,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `bytes`: text (bindings also take UTF-8 bytes), a string on the wire.
    Bytes,
    /// `binary`: raw bytes.
    Binary,
    /// `json`: any JSON value.
    Json,
    /// `"text"`: this one string.
    Literal(&'static str),
    /// An enum of the description: one of its wire strings.
    Enum(&'static EnumType),
    /// A model of the description: an object of its fields.
    Model(&'static ModelType),
    /// `[T]`.
    List(&'static Type),
    /// `{T}`: an object of `T` values.
    Map(&'static Type),
    /// `A|B`: either.
    Union(&'static [Type]),
    /// `T?`: `T` or `null`.
    Nullable(&'static Type),
}

/// An enum of the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumType {
    /// Its described name.
    pub name: &'static str,
    /// Core's name of it.
    pub rust: &'static str,
    /// Its wire strings.
    pub values: &'static [&'static str],
}

/// A model of the description (a described object shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelType {
    /// Its described name.
    pub name: &'static str,
    /// Core's name of it.
    pub rust: &'static str,
    /// Its fields, the base model's first.
    pub fields: &'static [Field],
}

/// A field of a [`ModelType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The wire name.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
}

/// Writes the type in the description's type language (`[uuid]`,
/// `string|[string]?`, `RuleAction`).
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Uuid => f.write_str("uuid"),
            Type::DateTime => f.write_str("datetime"),
            Type::Date => f.write_str("date"),
            Type::Bytes => f.write_str("bytes"),
            Type::Binary => f.write_str("binary"),
            Type::Json => f.write_str("json"),
            Type::Literal(s) => write!(f, "\"{s}\""),
            Type::Enum(e) => f.write_str(e.name),
            Type::Model(m) => f.write_str(m.name),
            Type::List(t) => write!(f, "[{t}]"),
            Type::Map(t) => write!(f, "{{{t}}}"),
            Type::Union(items) => {
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str("|")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
            Type::Nullable(t) => write!(f, "{t}?"),
        }
    }
}

/// The signature of operation `op`, or `None` when the public surface does
/// not describe it (the vault, signup and AgentPost operations, and those
/// only hand-written methods call).
pub fn signature(op: &str) -> Option<&'static Signature> {
    SIGNATURES.binary_search_by(|s| s.op.cmp(op)).ok().and_then(|i| SIGNATURES.get(i))
}

/// Every signature, sorted by operation name.
pub fn signatures() -> &'static [Signature] {
    SIGNATURES
}
