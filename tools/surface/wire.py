"""The wire signature of every described operation, shared by the backends
that describe operations rather than one language's methods (today: core's
``signatures.rs``; next: Node and uniffi).

An operation is reached by its resource method (``op = ...``) and by the
methods that call it: a resource method's ``delegate`` and the
identity-scoped methods of ``identity.toml`` (``call = "<client
attribute>.<method>"``), which bind or fix some of its arguments. Each of
those maps its arguments onto the target method's parameters the way a
Python call does (positional ones in order, keyword ones by name); every
mapped parameter must be described as the target describes it (same type,
same default when both have one), and every bound, fixed or keyword name
must be a parameter of the target. An operation's wire parameters are the
union of its resource methods' located parameters (``@path``, ``@query``,
``@body``), keyed by place and wire name; one described twice with another
type or default is a :class:`gen.DescriptionError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typesys

PLACES = ("path", "query", "body")


@dataclass
class WireParam:
    """One parameter as core's ``build`` takes it: ``args[place][wire]``."""

    wire: str
    place: str  # "path", "query" or "body"
    type: typesys.Type
    default: Any  # typesys.NO_DEFAULT (required), typesys.UNSET or None (not sent), or a TOML value (sent)
    methods: list[str]  # "<Resource>.<method>", the methods that send it


@dataclass
class OpSignature:
    op: str
    params: list[WireParam]  # in the first method's order, then the others'
    returns: str  # the description's ``returns`` of the operation's method
    methods: list[str]  # every method that reaches the operation (resource, delegate, identity-scoped)


def _error(message: str) -> Exception:
    import gen

    return gen.DescriptionError(message)


def _default_text(default: Any) -> str:
    if default is typesys.NO_DEFAULT:
        return "no default"
    if default is typesys.UNSET:
        return "UNSET"
    return repr(default)


def _same_default(a: Any, b: Any) -> bool:
    if a is typesys.NO_DEFAULT or b is typesys.NO_DEFAULT:
        return True
    return a is b or (a is not typesys.UNSET and b is not typesys.UNSET and type(a) is type(b) and a == b)


def _map_call(where: str, target: Any, target_name: str, positional: list[Any], keywords: dict[str, Any]) -> None:
    """Checks one call of ``target`` (a resource method): ``positional`` and
    ``keywords`` hold a ``gen.Param`` of the caller, or ``None`` for a bound or
    fixed value."""
    params = target.params
    slots = [p for p in params if not p.keyword]
    if len(positional) > len(slots):
        raise _error(f"{where}: passes {len(positional)} positional arguments to {target_name}, which takes {len(slots)}")
    mapped: list[tuple[Any, Any]] = list(zip(positional, slots))
    taken = {p.name for p in slots[: len(positional)]}
    for name, source in keywords.items():
        t = next((p for p in params if p.name == name), None)
        if t is None:
            raise _error(f"{where}: {target_name} has no parameter {name!r}")
        if name in taken:
            raise _error(f"{where}: passes {name!r} to {target_name} twice")
        taken.add(name)
        mapped.append((source, t))
    for source, t in mapped:
        if source is None:
            continue
        if source.type != t.type:
            raise _error(
                f"{where}: parameter {source.name!r} is described as {type_text(source.type)}, "
                f"{target_name} describes {t.name!r} as {type_text(t.type)}"
            )
        if not _same_default(source.default, t.default):
            raise _error(
                f"{where}: parameter {source.name!r} defaults to {_default_text(source.default)}, "
                f"{target_name} defaults {t.name!r} to {_default_text(t.default)}"
            )


def type_text(t: typesys.Type) -> str:
    """``t`` written in the description's type language."""
    if t.kind == "scalar" or t.kind == "ref":
        base = t.name
    elif t.kind == "literal":
        base = f'"{t.name}"'
    elif t.kind == "list":
        base = f"[{type_text(t.items[0])}]"
    elif t.kind == "map":
        base = f"{{{type_text(t.items[0])}}}"
    else:
        base = "|".join(type_text(i) for i in t.items)
    return base + ("?" if t.nullable else "")


def operations(domains: dict[str, Any]) -> dict[str, OpSignature]:
    """The signature of every operation a resource method names, by name."""
    resources = {r.name: r for d in domains.values() for r in d.resources}
    client = {c.attr: c.cls for d in domains.values() for c in d.client}

    def resolve(r: Any, m: Any, seen: tuple[str, ...] = ()) -> Any:
        """The method that names the operation ``m`` of ``r`` ends in."""
        if not m.delegate:
            return m
        if m.name in seen:
            raise _error(f"{r.name}.{m.name}: delegates in a cycle")
        t = next((x for x in r.methods if x.name == m.delegate), None)
        if t is None:
            raise _error(f"{r.name}.{m.name}: delegates to unknown method {m.delegate!r}")
        _map_call(f"{r.name}.{m.name}", t, f"{r.name}.{t.name}",
                  [p for p in m.params if not p.keyword],
                  {**{p.name: p for p in m.params if p.keyword}, **{k: None for k in m.fixed}})
        return resolve(r, t, (*seen, m.name))

    sigs: dict[str, OpSignature] = {}
    direct: dict[str, list[tuple[str, Any]]] = {}
    for r in resources.values():
        for m in r.methods:
            if m.op and not m.delegate:
                direct.setdefault(m.op, []).append((f"{r.name}.{m.name}", m))
    for op in sorted(direct):
        methods = direct[op]
        params: dict[tuple[str, str], WireParam] = {}
        for who, m in methods:
            for p in m.params:
                if not p.location:
                    continue
                key = (p.location, p.wire)
                w = params.get(key)
                if w is None:
                    params[key] = WireParam(p.wire, p.location, p.type, p.default, [who])
                    continue
                if w.type != p.type:
                    raise _error(
                        f"{op}: {p.location} parameter {p.wire!r} is described as {type_text(w.type)} "
                        f"by {w.methods[0]} and as {type_text(p.type)} by {who}"
                    )
                if not (w.default is p.default or (type(w.default) is type(p.default) and w.default == p.default)):
                    raise _error(
                        f"{op}: {p.location} parameter {p.wire!r} defaults to {_default_text(w.default)} "
                        f"in {w.methods[0]} and to {_default_text(p.default)} in {who}"
                    )
                w.methods.append(who)
        # A parameter some method does not send is not required.
        for w in params.values():
            if len(w.methods) < len(methods) and w.default is typesys.NO_DEFAULT:
                w.default = typesys.UNSET
        returns = {m.returns for _, m in methods}
        if len(returns) > 1:
            raise _error(f"{op}: its methods return {sorted(returns)}")
        sigs[op] = OpSignature(op, list(params.values()), methods[0][1].returns, [who for who, _ in methods])

    for r in resources.values():
        for m in r.methods:
            if m.delegate:
                t = resolve(r, m)
                if t.op in sigs:
                    sigs[t.op].methods.append(f"{r.name}.{m.name}")
    for d in domains.values():
        for m in d.scoped:
            attr, _, name = m.call.partition(".")
            cls = client.get(attr)
            if cls is None:
                raise _error(f"{d.name}: identity.{m.name} calls {m.call!r}: no client resource {attr!r}")
            r = resources.get(cls)
            t = None if r is None else next((x for x in r.methods if x.name == name), None)
            if r is None or t is None:
                continue  # a hand-written method (python_mixin): its operation is not described
            where = f"identity.{m.name}"
            _map_call(where, t, f"{r.name}.{t.name}",
                      [None for _ in m.bind] + [p for p in m.params if not p.keyword],
                      {**{p.name: p for p in m.params if p.keyword}, **{k: None for k in m.bind_kw},
                       **{k: None for k in m.fixed}})
            target = resolve(r, t)
            if target.op in sigs:
                sigs[target.op].methods.append(f"AgentIdentity.{m.name}")
    return sigs
