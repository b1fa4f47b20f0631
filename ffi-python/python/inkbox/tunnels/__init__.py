"""Tunnels (the REST surface; the data-plane listener is not part of this package)."""

from inkbox.tunnels.resources.tunnels import TunnelsResource
from inkbox.tunnels.types import *  # noqa: F403
from inkbox.tunnels.types import __all__ as _types_all

__all__ = ["TunnelsResource", *_types_all]
