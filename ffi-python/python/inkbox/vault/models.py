"""Alias of :mod:`inkbox.vault.types` (the README imports payloads from here)."""

from inkbox.vault.types import *  # noqa: F403
from inkbox.vault.types import __all__ as __all__  # noqa: PLC0414
