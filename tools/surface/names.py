"""Names per language, derived from the description's snake_case names.

Python uses the described names as they are. Node, Kotlin and Swift use
camelCase for methods and parameters and PascalCase for types, with the
product's words spelled as the official SDKs spell them (``imessage`` →
``IMessage``). A method whose official name is not the derived one says so
in the description (``names = {node = "import"}``); one the official
TypeScript SDK does not have is marked ``node_official = false``."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("python", "node", "kotlin", "swift")

# Words whose camelCase spelling is not the plain capitalisation.
WORDS = {"imessage": "IMessage", "imessages": "IMessages"}


def _cap(word: str) -> str:
    return WORDS.get(word, word[:1].upper() + word[1:])


def camel(snake: str) -> str:
    """``send_imessage_typing`` → ``sendIMessageTyping``; a leading word
    keeps its case (``imessages`` → ``imessages``)."""
    first, *rest = snake.split("_")
    return first + "".join(_cap(w) for w in rest if w)


def pascal(snake: str) -> str:
    """``phone_numbers`` → ``PhoneNumbers``."""
    return "".join(_cap(w) for w in snake.split("_") if w)


def method_name(method: Any, language: str) -> str:
    """The name of a described method (resource, identity-scoped or class
    method) in ``language``: its override, else the derived name."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    override = getattr(method, "names", {}).get(language)
    if override:
        return str(override)
    return method.name if language == "python" else camel(method.name)


def param_name(param: Any, language: str) -> str:
    """A parameter's name in ``language`` (Node: the option-bag field)."""
    return param.name if language == "python" else camel(param.name)
