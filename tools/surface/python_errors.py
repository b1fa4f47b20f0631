"""The Python backend's error family: ``inkbox/exceptions.py`` from the
``[[error]]`` entries of the description (``surface/errors.toml``)."""

from __future__ import annotations

from typing import Any

import typesys
from python_backend import docstring, field_type, header

_ROOT_INIT = '''
    #: The code used when none is given.
    default_code: Optional[str] = None

    code: Optional[str]
    status_code: Optional[int]
    detail: Detail
    retry_after: Optional[float]

    def __init__(
        self,
        *args: object,
        code: Optional[str] = None,
        status_code: Optional[int] = None,
        detail: Detail = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(*args)
        self.code = code if code is not None else self.default_code
        self.status_code = status_code
        self.detail = detail
        self.retry_after = retry_after
'''

_HTTP_INIT = '''    status_code: int

    def __init__(
        self,
        status_code: int,
        detail: Detail,
        *,
        code: Optional[str] = None,
        retry_after: Optional[float] = None,
        agent_support: Optional[str] = None,
    ) -> None:
        super().__init__(
            f"HTTP {status_code}: {detail}",
            code=code,
            status_code=status_code,
            detail=detail,
            retry_after=retry_after,
        )
        self.status_code = status_code
        #: What the service tells an agent to do (the body's ``agent_support``).
        self.agent_support: Optional[str] = agent_support or None
        #: ``retry_after`` as whole seconds (the newer official name).
        self.retry_after_seconds: Optional[int] = (
            int(retry_after) if retry_after is not None and retry_after >= 0 else None
        )
'''

_DECODE_INIT = '''
    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: Optional[str] = None,
        body: bytes = b"",
    ) -> None:
        {root}.__init__(self, message, code=code, status_code=status_code)
        self.status_code = status_code
        self.body = body
'''


def _default(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


_DETAIL_INT = '''

def _detail_int(value: Any) -> Optional[int]:
    """A whole number of a structured detail (an int, an integral float or
    a decimal string), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _detail_int_or(value: Any, default: int) -> int:
    n = _detail_int(value)
    return default if n is None else n
'''


def _detail_read(f: Any) -> tuple[str, list[str]]:
    """``(annotation, lines)`` that set ``self.<name>`` from ``detail``."""
    t: typesys.Type = f.type
    if t.kind != "scalar" or t.name not in ("string", "uuid", "int"):
        raise ValueError(f"detail field {f.name}: only string, uuid and int detail fields are supported")
    key = _default(f.key)
    if t.name == "int":
        # A server's number, read leniently: anything that is not a whole
        # number is the default (None when nullable), never an exception.
        if t.nullable:
            return field_type(t), [f"self.{f.name}: {field_type(t)} = _detail_int(detail.get({key}))"]
        if not isinstance(f.default, int):
            raise ValueError(f"detail field {f.name}: a non-null int detail field needs an int default")
        return field_type(t), [
            f"self.{f.name}: {field_type(t)} = _detail_int_or(detail.get({key}), {f.default})"
        ]
    conv = "UUID(str({}))" if t.name == "uuid" else "str({})"
    if t.nullable:
        raw = f"raw_{f.name}"
        return field_type(t), [
            f"{raw} = detail.get({key})",
            f"self.{f.name}: {field_type(t)} = {conv.format(raw)} if {raw} else None",
        ]
    if f.default is typesys.NO_DEFAULT:
        value = conv.format(f"detail[{key}]")
    else:
        value = conv.format(f"detail.get({key}, {_default(f.default)})")
    return field_type(t), [f"self.{f.name}: {field_type(t)} = {value}"]


def render_errors(d: Any, domains: dict[str, Any], kind_of: Any) -> str:
    errors = d.errors
    root = next(e.name for e in errors if e.kind == "root")
    out = [header(f"surface/{d.name}.toml")]
    out.append(docstring(d.doc))
    out.append("\nfrom __future__ import annotations\n\n")
    out.append("from typing import Any, Literal, Optional, Union\n")
    out.append("from uuid import UUID\n\n")
    out.append("#: What ``.detail`` holds: the body's ``detail`` (a string or structured).\n")
    out.append("Detail = Union[str, dict[str, Any], list[Any], None]\n")
    if any(f.type.kind == "scalar" and f.type.name == "int" for e in errors for f in e.detail_fields):
        out.append(_DETAIL_INT)
    for lit in d.literals:
        values = ", ".join(f'"{v}"' for v in lit.values)
        typ = f"Literal[{values}]"
        out.append(f"{lit.python_name or lit.name} = {'Optional[' + typ + ']' if lit.optional else typ}\n")
    out.append("\n__all__ = [\n")
    for n in sorted([lit.python_name or lit.name for lit in d.literals] + [e.name for e in errors]):
        out.append(f'    "{n}",\n')
    out.append("]\n")
    for e in errors:
        kind = kind_of(e)
        bases = [e.base or "Exception", *e.python_bases]
        out.append(f"\n\nclass {e.name}({', '.join(bases)}):\n")
        out.append(docstring(e.doc, "    "))
        if kind == "root":
            out.append(_ROOT_INIT)
            continue
        if e.code:
            out.append(f'\n    default_code = "{e.code}"\n')
        if e.kind == "http":
            out.append(_HTTP_INIT)
        elif e.kind == "decode":
            out.append(_DECODE_INIT.format(root=root))
        elif kind == "http" and (e.params or e.detail_fields):
            detail_type = "dict[str, Any]" if e.detail_fields else "Detail"
            args = [f"{p.name}: {field_type(p.type)}" for p in e.params]
            out.append("\n    def __init__(\n        self,\n        status_code: int,\n")
            out.append(f"        detail: {detail_type},\n")
            for a in args:
                out.append(f"        {a},\n")
            out.append("        **kwargs: Any,\n    ) -> None:\n")
            out.append("        super().__init__(status_code, detail, **kwargs)\n")
            for p in e.params:
                out.append(f"        self.{p.name} = {p.name}\n")
            for f in e.detail_fields:
                for line in _detail_read(f)[1]:
                    out.append(f"        {line}\n")
        elif kind == "message" and e.params:
            args = []
            for p in e.params:
                if p.default is typesys.NO_DEFAULT:
                    raise ValueError(f"error {e.name}: message-error parameter {p.name} needs a default")
                args.append(f"{p.name}: {field_type(p.type)} = {_default(p.default)}")
            out.append(f"\n    def __init__(self, *args: object, {', '.join(args)}, **kwargs: Any) -> None:\n")
            out.append("        super().__init__(*args, **kwargs)\n")
            for p in e.params:
                out.append(f"        self.{p.name} = {p.name}\n")
    return "".join(out)
