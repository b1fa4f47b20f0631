"""Phone: numbers, calls, transcripts, texts, SMS opt-ins."""

from inkbox.phone.resources import (
    CallsResource,
    PhoneNumbersResource,
    SmsOptInsResource,
    TextsResource,
    TranscriptsResource,
)
from inkbox.phone.types import *  # noqa: F403
from inkbox.phone.types import __all__ as _types_all

__all__ = [
    "CallsResource",
    "PhoneNumbersResource",
    "SmsOptInsResource",
    "TextsResource",
    "TranscriptsResource",
    *_types_all,
]
