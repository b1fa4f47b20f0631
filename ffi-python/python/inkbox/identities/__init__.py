"""Agent identities."""

from inkbox.identities.types import *  # noqa: F403
from inkbox.identities.types import __all__ as __all__  # noqa: PLC0414
