"""``inkbox.phone_numbers``: the organization's phone numbers."""

from __future__ import annotations

from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox._resource import UNSET, Resource, compact, given
from inkbox.phone.types import PhoneNumber, PhoneTranscript, TranscriptParty

__all__ = ["PhoneNumbersResource"]


def _id(phone_number_id: Union[UUID, str]) -> dict[str, Any]:
    return {"phone_number_id": str(phone_number_id)}


class PhoneNumbersResource(Resource):
    """Phone numbers: list, get, provision, update, release, search."""

    def list(self) -> List[PhoneNumber]:
        """Every number of the organization."""
        return self._r.call_list("phone.numbers.list", None, PhoneNumber)

    def get(self, phone_number_id: Union[UUID, str]) -> PhoneNumber:
        """One number."""
        return self._r.call("phone.numbers.get", {"path": _id(phone_number_id)}, PhoneNumber)

    def update(
        self,
        phone_number_id: Union[UUID, str],
        *,
        incoming_call_action: Any = UNSET,
        client_websocket_url: Any = UNSET,
        incoming_call_webhook_url: Any = UNSET,
        filter_mode: Any = UNSET,
    ) -> PhoneNumber:
        """Updates incoming-call handling or the filter mode; ``None`` clears
        a URL, an omitted argument is left unchanged."""
        body = given(
            incoming_call_action=incoming_call_action,
            client_websocket_url=client_websocket_url,
            incoming_call_webhook_url=incoming_call_webhook_url,
            filter_mode=filter_mode,
        )
        return self._r.call("phone.numbers.update", {"path": _id(phone_number_id), "body": body}, PhoneNumber)

    def provision(self, *, agent_handle: str, type: str = "local", state: Optional[str] = None) -> PhoneNumber:
        """Provisions a number bound to the identity ``agent_handle``."""
        body = compact(agent_handle=agent_handle, type=type, state=state)
        return self._r.call("phone.numbers.create", {"body": body}, PhoneNumber)

    def release(self, phone_number_id: Union[UUID, str]) -> None:
        """Releases the number."""
        return self._r.void("phone.numbers.release", {"path": _id(phone_number_id)})

    def search_transcripts(
        self,
        phone_number_id: Union[UUID, str],
        *,
        q: str,
        party: Union[TranscriptParty, str, None] = None,
        limit: int = 50,
    ) -> List[PhoneTranscript]:
        """Full-text search of the number's transcripts."""
        return self._r.call_list(
            "phone.transcripts.search",
            {"path": _id(phone_number_id), "query": compact(q=q, party=party, limit=limit)},
            PhoneTranscript,
        )
