"""Agent handle and tunnel name rules (core's, through the native module):
3 to 63 characters of ``a-z``, ``0-9`` and ``-``, starting and ending with a
letter or digit, no ``--``; one leading ``@`` is dropped and the rest is
lowercased first. Handles and tunnel names share one namespace."""

from __future__ import annotations

from typing import Any

from inkbox import _native
from inkbox.exceptions import TunnelNameInvalid

__all__ = ["normalize_agent_handle", "validate_agent_handle", "validate_tunnel_name"]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TunnelNameInvalid("agent_handle / tunnel_name must be a string")
    return value


def normalize_agent_handle(value: str) -> str:
    """``value`` without one leading ``@``, lowercased (not checked)."""
    return _native.normalize_agent_handle(_text(value))


def validate_tunnel_name(name: str) -> str:
    """The normalized name; :class:`TunnelNameInvalid` when it breaks the
    rules."""
    return _native.tunnel_normalize_name(_text(name))


#: Handles and tunnel names follow one rule.
validate_agent_handle = validate_tunnel_name
