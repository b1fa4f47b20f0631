"""Shared pieces of the resource classes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from inkbox._models import to_wire

from inkbox._runtime import Runner, SyncRunner

__all__ = ["UNSET", "Resource", "args", "compact", "given", "opt"]


class _Unset:
    """Marks an argument that was not given (``None`` means JSON null)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final[Any] = _Unset()


def compact(**values: Any) -> dict[str, Any]:
    """The arguments that were given: drops ``None`` and ``UNSET``."""
    return {k: v for k, v in values.items() if v is not None and v is not UNSET}


def given(**values: Any) -> dict[str, Any]:
    """The arguments that were given: drops only ``UNSET`` (``None`` = null)."""
    return {k: v for k, v in values.items() if v is not UNSET}


def opt(value: Any) -> Any:
    """An optional argument: ``None`` means not given."""
    return UNSET if value is None else value


def args(**sections: dict[str, Any]) -> dict[str, Any]:
    """The ``{"path": ..., "query": ..., "body": ...}`` arguments of an
    operation (the generated resources build them): given values only, in
    their JSON form (UUIDs as strings, enums by value, models and mappings
    as dicts)."""
    return {
        name: {k: to_wire(dict(v) if isinstance(v, Mapping) and not isinstance(v, dict) else v)
               for k, v in values.items() if v is not UNSET}
        for name, values in sections.items()
    }


class Resource:
    """A group of operations. Methods are written once: with the blocking
    client they return values, with ``AsyncInkbox`` awaitables (the typing
    describes the blocking form)."""

    _r: SyncRunner

    def __init__(self, runner: Runner) -> None:
        self._r = runner  # type: ignore[assignment]
