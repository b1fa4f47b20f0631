"""The surface generator: reads the description in ``surface/*.toml`` and
writes each language's generated files (today: the Python models and
resources of ``ffi-python/python/inkbox``, and core's operation signatures
``core/src/api/dynamic/signatures.rs``).

Usage:
    python3 tools/surface/gen.py           # (re)write every generated file
    python3 tools/surface/gen.py --check   # exit 1 when one is stale
    python3 tools/surface/gen.py --list    # the files it writes

See ``surface/README.md`` for the description's format and how to add an
operation.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import typesys  # noqa: E402

ROOT = HERE.parent.parent
SURFACE = ROOT / "surface"


@dataclass
class Enum:
    name: str
    values: list[str]
    rust: str
    doc: str
    members: dict[str, str]
    register: bool
    domain: str


@dataclass
class Field:
    name: str
    type: typesys.Type


@dataclass
class Model:
    name: str
    fields: list[Field]
    base: str | None
    rust: str | None
    doc: str
    redacted: list[str]
    mixin: str | None
    domain: str


@dataclass
class Alias:
    name: str
    of: typesys.Type
    domain: str


@dataclass
class Literal:
    """A closed set of wire strings, typed as such (no enum class)."""

    name: str
    values: list[str]
    domain: str
    python_name: str | None = None
    optional: bool = False  # the type also admits null


@dataclass
class TypedDictShape:
    """A wire object typed as a ``TypedDict`` (webhook payloads: what
    ``json.loads`` returns, with the wire's field names)."""

    name: str
    doc: str
    fields: list[Field]
    domain: str


@dataclass
class DetailField:
    """An attribute of an error read from its structured ``detail``."""

    name: str
    type: typesys.Type
    default: Any  # NO_DEFAULT (the key is required) or the value when absent
    key: str  # the key in ``detail``


@dataclass
class Error:
    """One class of the error family (``surface/errors.toml``)."""

    name: str
    base: str | None
    kind: str | None  # "root", "message", "http", "decode"; None: as its base (http) or "message"
    code: str | None
    doc: str
    python_bases: list[str]
    params: list[Param]
    detail_fields: list[DetailField]
    domain: str


ERROR_KINDS = frozenset({"root", "message", "http", "decode"})


@dataclass
class Const:
    name: str
    value: str
    domain: str


@dataclass
class Param:
    name: str
    type: typesys.Type
    default: Any  # NO_DEFAULT, UNSET, None or a value
    location: str  # "path", "query", "body", "auth" (the API key), "" (not sent: a fixed or custom argument)
    wire: str
    keyword: bool
    flags: frozenset[str]


@dataclass
class Method:
    name: str
    op: str
    params: list[Param]
    returns: str  # "none", "Model", "[Model]", "iter Model", "raw", "dict Model"
    doc: str
    delegate: str | None = None  # another method of the resource
    fixed: dict[str, Any] = field(default_factory=dict)
    fixed_body: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # per-language overrides (names.py)
    node_official: bool = True  # False: the official TypeScript SDK has no such method


@dataclass
class Resource:
    name: str
    module: str
    doc: str
    module_doc: str
    methods: list[Method]
    children: dict[str, str]
    mixin: str | None
    domain: str


@dataclass
class ScopedMethod:
    """A method of ``AgentIdentity`` that calls ``call`` (``<client
    attribute>.<method>``) with this identity's values bound."""

    name: str
    call: str
    returns: str
    doc: str
    params: list[Param]
    guard: str | None  # "imessage": the identity must be iMessage-enabled
    bind: list[str]  # leading positional arguments: email, phone.id, phone.number, id, handle
    bind_kw: dict[str, str]
    fixed: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)
    node_official: bool = True


@dataclass
class ClientResource:
    """A resource accessor of the client (``Inkbox.<attr>``); a private one
    (``_attr``) is stored but has no accessor."""

    attr: str
    cls: str
    storage: str
    module: str | None  # for classes the description does not generate
    doc: str


BINDABLE = frozenset({"email", "phone.id", "phone.number", "id", "handle"})


@dataclass
class Domain:
    name: str
    doc: str
    reexport: dict[str, list[str]]
    extra: list[str]
    export: list[str]
    python_module: str | None
    enums: list[Enum] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    consts: list[Const] = field(default_factory=list)
    literals: list[Literal] = field(default_factory=list)
    typeddicts: list[TypedDictShape] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    scoped: list[ScopedMethod] = field(default_factory=list)
    client: list[ClientResource] = field(default_factory=list)
    statics: list[Method] = field(default_factory=list)  # the clients' class methods
    order: list[str] = field(default_factory=list)  # type names in file order
    package: dict[str, Any] = field(default_factory=dict)  # the [package] table (client.toml)
    identity: dict[str, Any] = field(default_factory=dict)  # identity.data / properties / guard


NO_DEFAULT = typesys.NO_DEFAULT
UNSET = typesys.UNSET


class DescriptionError(ValueError):
    pass


def parse_param(spec: str, keyword: bool) -> tuple[Param, bool]:
    """``[*]name: type [= default] [@location[=wire]] [flag...]``."""
    text = spec.strip()
    if text.startswith("*"):
        keyword = True
        text = text[1:].strip()
    name, _, rest = text.partition(":")
    name = name.strip()
    rest = rest.strip()
    words = rest.split()
    loc_i = next((i for i, w in enumerate(words) if w.startswith("@")), len(words))
    head = " ".join(words[:loc_i])
    tail = words[loc_i:]
    type_text, eq, default_text = head.partition("=")
    default: Any = NO_DEFAULT
    if eq:
        d = default_text.strip()
        if d == "UNSET":
            default = UNSET
        else:
            try:
                default = tomllib.loads(f"v = {d}")["v"]
            except tomllib.TOMLDecodeError:
                if d == "None":
                    default = None
                else:
                    raise DescriptionError(f"bad default {d!r} in {spec!r}") from None
    t = typesys.parse(type_text.strip())
    if t.nullable and default is NO_DEFAULT and not keyword:
        pass
    location, wire, flags = "", name, frozenset()
    if tail:
        loc = tail[0][1:]
        location, _, w = loc.partition("=")
        wire = w or name
        flags = frozenset(tail[1:])
        if location not in ("path", "query", "body", "auth"):
            raise DescriptionError(f"bad location {tail[0]!r} in {spec!r}")
    return Param(name, t, default, location, wire, keyword, flags), keyword


KEYS = {
    "": {"module", "enum", "model", "alias", "const", "literal", "typeddict", "error", "resource", "identity", "client",
         "package"},
    "literal": {"name", "values", "python_name", "optional"},
    "error": {"name", "base", "kind", "code", "doc", "python_bases", "params", "detail_fields"},
    "package": {"doc", "python_exports", "python_hidden"},
    "typeddict": {"name", "doc", "fields"},
    "module": {"doc", "reexport", "python_extra", "export", "python_module"},
    "enum": {"name", "rust", "doc", "values", "members", "register"},
    "model": {"name", "base", "rust", "doc", "redacted", "python_mixin", "fields"},
    "alias": {"name", "of"},
    "const": {"name", "value"},
    "resource": {"name", "module", "doc", "module_doc", "children", "python_mixin", "method"},
    "method": {"name", "op", "returns", "doc", "params", "delegate", "fixed", "names", "node_official"},
    "identity": {"doc", "method", "data", "properties", "guard"},
    "identity.guard": {"value", "error"},
    "identity.method": {"name", "call", "guard", "returns", "doc", "params", "bind", "bind_kw", "fixed", "names",
                        "node_official"},
    "client": {"doc", "resource", "static"},
    "client.static": {"name", "op", "returns", "doc", "params"},
    "client.resource": {"attr", "class", "storage", "module", "doc"},
}


def parse_detail_field(spec: str, where: str) -> DetailField:
    """``name: type [= default] [@key]`` (the key defaults to the name)."""
    text, key = spec.strip(), ""
    head, sep, last = text.rpartition(" @")
    if sep and last and " " not in last:
        text, key = head, last
    p, _ = parse_param(text, True)
    if p.location:
        raise DescriptionError(f"{where}: detail field {spec!r} has a location")
    return DetailField(p.name, p.type, p.default, key or p.name)


def _check_keys(where: str, kind: str, table: dict[str, Any]) -> None:
    unknown = set(table) - KEYS[kind]
    if unknown:
        raise DescriptionError(f"{where}: unknown key(s) {sorted(unknown)} in a {kind or 'file'} entry")


def load(surface: Path = SURFACE) -> dict[str, Domain]:
    """Every ``*.toml`` of ``surface``, checked: names unique, every type
    and base a field or alias names defined (or re-exported) somewhere."""
    domains: dict[str, Domain] = {}
    for path in sorted(surface.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        name = path.stem
        _check_keys(name, "", data)
        _check_keys(name, "module", data.get("module", {}))
        for kind in ("enum", "model", "alias", "const", "literal", "typeddict", "error"):
            for entry in data.get(kind, []):
                _check_keys(f"{name}: {entry.get('name')}", kind, entry)
        for r in data.get("resource", []):
            _check_keys(f"{name}: {r.get('name')}", "resource", r)
            for m in r.get("method", []):
                _check_keys(f"{name}: {r.get('name')}.{m.get('name')}", "method", m)
        _check_keys(name, "identity", data.get("identity", {}))
        for g, table in data.get("identity", {}).get("guard", {}).items():
            _check_keys(f"{name}: identity.guard.{g}", "identity.guard", table)
        for m in data.get("identity", {}).get("method", []):
            _check_keys(f"{name}: identity.{m.get('name')}", "identity.method", m)
        _check_keys(name, "client", data.get("client", {}))
        for c in data.get("client", {}).get("resource", []):
            _check_keys(f"{name}: client.{c.get('attr')}", "client.resource", c)
        for c in data.get("client", {}).get("static", []):
            _check_keys(f"{name}: client.{c.get('name')}", "client.static", c)
        _check_keys(name, "package", data.get("package", {}))
        mod = data.get("module", {})
        d = Domain(name, mod.get("doc", ""), mod.get("reexport", {}), mod.get("python_extra", []), mod.get("export", []),
                   mod.get("python_module"))
        for e in data.get("enum", []):
            d.enums.append(
                Enum(e["name"], e["values"], e.get("rust", e["name"]), e.get("doc", ""), e.get("members", {}),
                     e.get("register", True), name)
            )
            d.order.append(e["name"])
        for m in data.get("model", []):
            fields = []
            for f in m["fields"]:
                fname, _, ftype = f.partition(":")
                fields.append(Field(fname.strip(), typesys.parse(ftype.strip())))
            d.models.append(
                Model(m["name"], fields, m.get("base"), m.get("rust"), m.get("doc", ""), m.get("redacted", []),
                      m.get("python_mixin"), name)
            )
            d.order.append(m["name"])
        for a in data.get("alias", []):
            d.aliases.append(Alias(a["name"], typesys.parse(a["of"]), name))
            d.order.append(a["name"])
        for lit in data.get("literal", []):
            d.literals.append(Literal(lit["name"], lit["values"], name, lit.get("python_name"), lit.get("optional", False)))
            d.order.append(lit["name"])
        for e in data.get("error", []):
            params = []
            kw = True
            for spec in e.get("params", []):
                p, _ = parse_param(spec, kw)
                params.append(p)
            kind = e.get("kind")
            if kind is not None and kind not in ERROR_KINDS:
                raise DescriptionError(f"{name}: error {e['name']} has unknown kind {kind!r}")
            d.errors.append(
                Error(e["name"], e.get("base"), kind, e.get("code"), e.get("doc", ""), e.get("python_bases", []),
                      params, [parse_detail_field(f, name) for f in e.get("detail_fields", [])], name)
            )
            d.order.append(e["name"])
        for td in data.get("typeddict", []):
            fields = []
            for f in td["fields"]:
                fname, _, ftype = f.partition(":")
                fields.append(Field(fname.strip(), typesys.parse(ftype.strip())))
            d.typeddicts.append(TypedDictShape(td["name"], td.get("doc", ""), fields, name))
            d.order.append(td["name"])
        for c in data.get("const", []):
            d.consts.append(Const(c["name"], c["value"], name))
            d.order.append(c["name"])
        for r in data.get("resource", []):
            methods = []
            for m in r.get("method", []):
                params = []
                kw = False
                for spec in m.get("params", []):
                    p, kw = parse_param(spec, kw)
                    params.append(p)
                methods.append(
                    Method(m["name"], m.get("op", ""), params, m.get("returns", "none"), m.get("doc", ""),
                           m.get("delegate"), m.get("fixed", {}), m.get("fixed_body", {}), m.get("names", {}),
                           m.get("node_official", True))
                )
            d.resources.append(
                Resource(r["name"], r["module"], r.get("doc", ""), r.get("module_doc", ""), methods,
                         r.get("children", {}), r.get("python_mixin"), name)
            )
        for m in data.get("identity", {}).get("method", []):
            params = []
            kw = False
            for spec in m.get("params", []):
                p, kw = parse_param(spec, kw)
                params.append(p)
            for b in [*m.get("bind", []), *m.get("bind_kw", {}).values()]:
                if b not in BINDABLE:
                    raise DescriptionError(f"{name}: {m['name']} binds unknown value {b!r}")
            d.scoped.append(
                ScopedMethod(m["name"], m["call"], m.get("returns", "none"), m.get("doc", ""), params,
                             m.get("guard"), m.get("bind", []), m.get("bind_kw", {}), m.get("fixed", {}),
                             m.get("names", {}), m.get("node_official", True))
            )
        for c in data.get("client", {}).get("resource", []):
            storage = c.get("storage", c["attr"] if c["attr"].startswith("_") else "_" + c["attr"])
            d.client.append(ClientResource(c["attr"], c["class"], storage, c.get("module"), c.get("doc", "")))
        for c in data.get("client", {}).get("static", []):
            params = []
            kw = False
            for spec in c.get("params", []):
                p, kw = parse_param(spec, kw)
                if not p.location:
                    raise DescriptionError(f"{name}: client.{c['name']}: parameter {p.name} is not sent")
                params.append(p)
            d.statics.append(Method(c["name"], c["op"], params, c.get("returns", "none"), c.get("doc", "")))
        d.package = data.get("package", {})
        d.identity = {k: v for k, v in data.get("identity", {}).items() if k in ("data", "properties", "guard")}
        domains[name] = d
    _validate(domains)
    return domains


def _validate(domains: dict[str, Domain]) -> None:
    seen: dict[str, str] = {}
    for d in domains.values():
        for n in d.order:
            if n in seen:
                raise DescriptionError(f"{n} is defined in {seen[n]} and {d.name}")
            seen[n] = d.name
        for names in d.reexport.values():
            for n in names:
                seen.setdefault(n, d.name)
    for d in domains.values():
        for m in d.models:
            for f in m.fields:
                for r in f.type.refs():
                    if r not in seen:
                        raise DescriptionError(f"{d.name}: {m.name}.{f.name} names unknown type {r}")
            if m.base and m.base not in seen:
                raise DescriptionError(f"{d.name}: {m.name} extends unknown {m.base}")
        for td in d.typeddicts:
            for f in td.fields:
                for r in f.type.refs():
                    if r not in seen:
                        raise DescriptionError(f"{d.name}: {td.name}.{f.name} names unknown type {r}")
        for n in d.export:
            if n not in seen:
                raise DescriptionError(f"{d.name} exports unknown {n}")
        for a in d.aliases:
            for r in a.of.refs():
                if r not in seen:
                    raise DescriptionError(f"{d.name}: alias {a.name} names unknown type {r}")
    errors = {e.name: e for d in domains.values() for e in d.errors}
    roots = [e.name for e in errors.values() if e.kind == "root"]
    if errors and len(roots) != 1:
        raise DescriptionError(f"the error family needs exactly one root, not {roots}")
    for e in errors.values():
        if (e.kind == "root") != (e.base is None):
            raise DescriptionError(f"{e.domain}: error {e.name}: only the root has no base")
        if e.base is not None and e.base not in errors:
            raise DescriptionError(f"{e.domain}: error {e.name} extends unknown {e.base}")
        for p in e.params:
            for r in p.type.refs():
                if r not in seen:
                    raise DescriptionError(f"{e.domain}: error {e.name}.{p.name} names unknown type {r}")
        if e.detail_fields and _error_kind(errors, e) != "http":
            raise DescriptionError(f"{e.domain}: error {e.name} reads detail fields but is not an HTTP error")


def _error_kind(errors: dict[str, Error], e: Error) -> str:
    """How ``e`` is built: its own kind, or ``http`` under an HTTP error,
    else ``message``."""
    if e.kind is not None:
        return e.kind
    return "http" if e.base is not None and _error_kind(errors, errors[e.base]) == "http" else "message"


def error_kind(domains: dict[str, Domain], e: Error) -> str:
    """:func:`_error_kind` over every domain's errors."""
    return _error_kind({x.name: x for d in domains.values() for x in d.errors}, e)


def main(argv: list[str]) -> int:
    import node_backend
    import python_backend
    import rust_backend
    import uniffi_backend

    domains = load()
    outputs = python_backend.render(domains, ROOT)
    outputs.update(rust_backend.render(domains, ROOT))
    outputs.update(node_backend.render(domains, ROOT))
    outputs.update(uniffi_backend.render(domains, ROOT))
    if "--list" in argv:
        for p in sorted(outputs):
            print(p.relative_to(ROOT))
        return 0
    stale = [p for p, text in sorted(outputs.items()) if not p.exists() or p.read_text() != text]
    if "--check" in argv:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run python3 tools/surface/gen.py)")
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(outputs[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
