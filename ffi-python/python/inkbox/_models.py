"""Base class of the response and option models.

A model holds the wire object it was built from in ``_d`` (a ``dict`` with the
wire's field names) and exposes every annotated field as a descriptor that
converts on access: ISO-8601 strings become ``datetime`` (or ``date``), ids
become ``uuid.UUID`` (where the official SDK types them so), wire
strings become the annotated ``StrEnum`` member (values this SDK does not
know stay plain strings), nested objects become their model class, lists are
converted item by item. The native module creates instances without calling
``__init__`` (``cls.__new__(cls)`` then ``obj._d = {...}``); users build
option objects with keyword arguments (``IdentityTunnelCreateOptions(
tls_mode="passthrough")``). ``_to_wire()`` / ``to_dict()`` return the wire
dict.
"""

from __future__ import annotations

import enum
import inspect
import sys
import typing
from datetime import date, datetime
from typing import Any, Callable, ClassVar, Optional, TypeVar, Union
from uuid import UUID

from inkbox import _native
from inkbox._enums import StrEnum

__all__ = ["CursorPage", "Model", "coerce", "register_enum", "registry", "to_wire"]

M = TypeVar("M", bound="Model")

_REGISTRY: dict[str, type[Any]] = {}


def registry() -> dict[str, type[Any]]:
    """Rust type name → Python class (models and enums), for the native parser."""
    return dict(_REGISTRY)


def register_enum(rust_name: str, cls: type[StrEnum]) -> None:
    """Registers a ``StrEnum`` under its Rust type name."""
    _REGISTRY[rust_name] = cls


def _parse_datetime(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if sys.version_info < (3, 11):  # pragma: no cover - 3.9/3.10 only
        # fromisoformat before 3.11 takes at most 6 fraction digits.
        head, sep, rest = text.partition(".")
        if sep:
            digits = ""
            i = 0
            while i < len(rest) and rest[i].isdigit():
                digits += rest[i]
                i += 1
            text = head + "." + (digits + "000000")[:6] + rest[i:]
    return datetime.fromisoformat(text)


def _convert(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return _convert(value, args[0])
        return value
    if origin is list:
        (arg,) = typing.get_args(hint) or (Any,)
        if isinstance(value, (list, tuple)):
            return [_convert(v, arg) for v in value]
        return value
    if not isinstance(hint, type):
        return value
    if issubclass(hint, Model):
        return coerce(value, hint)
    if issubclass(hint, enum.Enum):
        if isinstance(value, hint):
            return value
        try:
            return hint(value)
        except ValueError:
            return value
    if hint is datetime:
        if isinstance(value, str):
            try:
                return _parse_datetime(value)
            except ValueError:
                return value
        return value
    if hint is date:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return value
        return value
    if hint is UUID:
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                return value
        return value
    return value


def coerce(value: Any, cls: type[M]) -> M:
    """``value`` as an instance of ``cls``: a ``cls`` instance is returned as
    is, a ``dict`` or another model is wrapped (its wire dict is shared)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Model):
        return cls._from(value._d)
    if isinstance(value, dict):
        return cls._from(value)
    raise TypeError(f"cannot read a {type(value).__name__} as {cls.__name__}")


def to_wire(value: Any) -> Any:
    """A value in its JSON form: models through ``_to_wire()``, enums by value,
    datetimes as ISO strings, UUIDs as strings, containers recursively."""
    if value is None or isinstance(value, (str, bool, int, float)):
        if isinstance(value, enum.Enum):
            return value.value
        return value
    wire = getattr(value, "_to_wire", None)
    if callable(wire):
        return wire()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode()
    # UUID and other scalar-like values.
    return str(value)


def _enum_converter(cls: type[enum.Enum]) -> Callable[[Any], Any]:
    members: dict[Any, Any] = getattr(cls, "_value2member_map_", {})

    def conv(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return _convert(value, cls)

    return conv


def _datetime(value: Any) -> Any:
    if type(value) is str:
        try:
            return _fromisoformat(value)
        except ValueError:
            pass
    return _convert(value, datetime)


_fromisoformat = datetime.fromisoformat


def _converter(hint: Any) -> Optional[Callable[[Any], Any]]:
    """What ``_convert(value, hint)`` does to a non-``None`` value, as one
    function specialised for ``hint``; ``None`` when it returns the value."""
    origin = typing.get_origin(hint)
    if origin is Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(args[0]) if len(args) == 1 else None
    if origin is list:
        (arg,) = typing.get_args(hint) or (Any,)
        item = _converter(arg)
        if item is None:
            # A copy, as for converted items: the wire list stays the model's.
            return lambda value: list(value) if isinstance(value, (list, tuple)) else value

        def conv_list(value: Any) -> Any:
            if isinstance(value, (list, tuple)):
                return [None if v is None else item(v) for v in value]
            return value

        return conv_list
    if not isinstance(hint, type):
        return None
    if issubclass(hint, Model):
        model = hint
        return lambda value: coerce(value, model)
    if issubclass(hint, enum.Enum):
        return _enum_converter(hint)
    if hint is datetime:
        return _datetime
    if hint is date:
        return lambda value: _convert(value, date)
    if hint is UUID:
        return lambda value: _convert(value, UUID)
    return None


def _field_parts(hint: Any) -> dict[str, Any]:
    """How the ``Field`` of a field annotated ``hint`` reads: the keyword
    arguments that make it return what ``_converter(hint)`` applied to the
    wire value returns (enum members looked up directly, datetimes parsed
    with ``datetime.fromisoformat`` first)."""
    inner = hint
    if typing.get_origin(inner) is Union:
        args = [a for a in typing.get_args(inner) if a is not type(None)]
        inner = args[0] if len(args) == 1 else None
    if inner is datetime:
        return {"parse": _fromisoformat, "convert": lambda value: _convert(value, datetime)}
    if isinstance(inner, type) and issubclass(inner, enum.Enum) and not issubclass(inner, Model):
        cls = inner
        return {
            "members": dict(getattr(cls, "_value2member_map_", {})),
            "convert": lambda value: _convert(value, cls),
        }
    if inner is UUID:
        return {"uuid": True, "convert": lambda value: _convert(value, UUID)}
    conv = _converter(hint) if hint is not None else None
    return {} if conv is None else {"convert": conv}


def _field(owner: type[Model], name: str) -> property:
    """The property of field ``name`` of ``owner``. Its first read resolves
    the annotation and replaces the property with a native ``Field``
    specialised for it: plain fields read ``_d`` directly, enums look the
    wire value up, datetimes parse it, the others convert with one function."""

    def set_(self: Model, value: Any) -> None:
        self._d[name] = value

    def first_get(self: Model) -> Any:
        field = _native.Field(name, **_field_parts(owner._hint(name)))
        if owner.__dict__.get(name) is prop:
            setattr(owner, name, field)
        return field.__get__(self, owner)

    prop = property(first_get, set_, doc=f"The ``{name}`` field.")
    return prop


class Model:
    """A wire object with typed, lazily converted fields."""

    __slots__ = ("_d",)
    _d: dict[str, Any]
    _fields: ClassVar[tuple[str, ...]] = ()
    _hints: ClassVar[Optional[dict[str, Any]]] = None
    #: Fields whose values ``repr`` never shows (keys, codes, tokens).
    _redacted: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, rust: Optional[str] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [n for n in inspect.get_annotations(cls) if not n.startswith("_")] if hasattr(
            inspect, "get_annotations"
        ) else [n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("_")]
        cls._fields = tuple(dict.fromkeys([*cls._fields, *own]))
        cls._hints = None
        for name in own:
            if name not in cls.__dict__:
                setattr(cls, name, _field(cls, name))
        _REGISTRY[cls.__name__] = cls
        if rust is not None:  # the Rust type name, when the official name differs
            _REGISTRY[rust] = cls

    @classmethod
    def _hint(cls, name: str) -> Any:
        hints = cls.__dict__.get("_hints")
        if hints is None:
            try:
                hints = typing.get_type_hints(cls)
            except Exception:  # noqa: BLE001 - an unresolvable hint: no conversion
                hints = {}
            cls._hints = hints
        return hints.get(name)

    @classmethod
    def _from(cls: type[M], data: dict[str, Any]) -> M:
        obj = cls.__new__(cls)
        obj._d = data
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = type(self)._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes at most {len(fields)} positional arguments")
        data: dict[str, Any] = {}
        for name, value in zip(fields, args):
            data[name] = value
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {name!r}")
            if name in data:
                raise TypeError(f"{type(self).__name__}() got multiple values for argument {name!r}")
            data[name] = value
        self._d = data

    def _to_wire(self) -> dict[str, Any]:
        return {k: to_wire(v) for k, v in self._d.items()}

    def to_dict(self) -> dict[str, Any]:
        """The wire dict (field names as on the wire, JSON values)."""
        return self._to_wire()

    def __repr__(self) -> str:
        parts = []
        for name in type(self)._fields:
            if name in self._d:
                if name in type(self)._redacted:
                    parts.append(f"{name}=<redacted>")
                else:
                    parts.append(f"{name}={getattr(self, name)!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return type(self) is type(other) and self._to_wire() == other._to_wire()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return self._d

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._d = state


class CursorPage(Model):
    """One page of a cursor-paged list."""

    items: list[Any]
    next_cursor: Optional[str]
    has_more: bool
