"""``inkbox.transcripts``: transcript segments of calls."""

from __future__ import annotations

from typing import Union, List
from uuid import UUID

from inkbox._resource import Resource
from inkbox.phone.types import PhoneTranscript

__all__ = ["TranscriptsResource"]


class TranscriptsResource(Resource):
    """Transcripts of calls."""

    def list(self, phone_number_id: Union[UUID, str], call_id: Union[UUID, str]) -> List[PhoneTranscript]:
        """The call's transcript segments, in order."""
        return self._r.call_list(
            "phone.transcripts.list",
            {"path": {"phone_number_id": str(phone_number_id), "call_id": str(call_id)}},
            PhoneTranscript,
        )
