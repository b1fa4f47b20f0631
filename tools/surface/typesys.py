"""The description's type language, shared by every backend.

A type is written as text in ``surface/*.toml``:

``string`` ``int`` ``float`` ``bool`` ``uuid`` ``datetime`` ``date`` ``bytes`` ``binary``
    scalars (``uuid``: an id, ``bytes``: text given as str or UTF-8 bytes, ``binary``: raw bytes);
``json``
    any JSON value;
``Name``
    an enum, model or alias of the description;
``[T]``  a list; ``{T}`` an object with string keys and ``T`` values;
``"text"``  one literal string (webhook payload shapes);
``A|B``  either; a trailing ``?`` makes the whole type nullable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

#: A parameter without a default, and one whose default is "not given".
NO_DEFAULT = object()
UNSET = object()

SCALARS = frozenset({"string", "int", "float", "bool", "uuid", "datetime", "date", "bytes", "binary", "json"})


@dataclass(frozen=True)
class Type:
    kind: str  # "scalar", "ref", "list", "map", "union", "literal"
    name: str = ""
    items: tuple["Type", ...] = ()
    nullable: bool = False

    def refs(self) -> set[str]:
        if self.kind == "ref":
            return {self.name}
        out: set[str] = set()
        for t in self.items:
            out |= t.refs()
        return out

    def scalars(self) -> set[str]:
        if self.kind == "scalar":
            return {self.name}
        out: set[str] = set()
        for t in self.items:
            out |= t.scalars()
        return out


class TypeSyntaxError(ValueError):
    pass


def parse(text: str) -> Type:
    p = _Parser(text.replace(" ", ""))
    t = p.union()
    if p.i != len(p.s):
        raise TypeSyntaxError(f"unexpected {p.s[p.i:]!r} in type {text!r}")
    return t


class _Parser:
    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def literal(self) -> Type:
        end = self.s.find('"', self.i + 1)
        if end < 0:
            raise TypeSyntaxError(f"unterminated literal in {self.s!r}")
        value = self.s[self.i + 1:end]
        self.i = end + 1
        return Type("literal", value)

    def peek(self) -> Optional[str]:
        return self.s[self.i] if self.i < len(self.s) else None

    def union(self) -> Type:
        parts = [self.atom()]
        while self.peek() == "|":
            self.i += 1
            parts.append(self.atom())
        nullable = False
        if self.peek() == "?":
            self.i += 1
            nullable = True
        if len(parts) == 1:
            t = parts[0]
            return Type(t.kind, t.name, t.items, nullable or t.nullable)
        return Type("union", "", tuple(parts), nullable)

    def atom(self) -> Type:
        c = self.peek()
        if c == "[":
            self.i += 1
            inner = self.union()
            self.expect("]")
            return Type("list", "", (inner,))
        if c == "{":
            self.i += 1
            inner = self.union()
            self.expect("}")
            return Type("map", "", (inner,))
        if c == '"':
            return self.literal()
        start = self.i
        while self.peek() is not None and (self.s[self.i].isalnum() or self.s[self.i] == "_"):
            self.i += 1
        name = self.s[start:self.i]
        if not name:
            raise TypeSyntaxError(f"a type expected at {self.s[start:]!r}")
        return Type("scalar" if name in SCALARS else "ref", name)

    def expect(self, c: str) -> None:
        if self.peek() != c:
            raise TypeSyntaxError(f"{c!r} expected in {self.s!r}")
        self.i += 1
