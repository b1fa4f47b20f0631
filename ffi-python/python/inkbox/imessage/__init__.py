"""iMessage through the shared router."""

from inkbox.imessage.resources import IMessageContactRulesResource, IMessagesResource
from inkbox.imessage.types import *  # noqa: F403
from inkbox.imessage.types import __all__ as _types_all

__all__ = ["IMessageContactRulesResource", "IMessagesResource", *_types_all]
