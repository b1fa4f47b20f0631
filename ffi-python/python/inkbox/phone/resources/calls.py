"""``inkbox.calls``: calls of a phone number."""

from __future__ import annotations

from typing import Optional, Union, List
from uuid import UUID

from inkbox._resource import Resource, compact
from inkbox.phone.types import PhoneCall, PhoneCallWithRateLimit

__all__ = ["CallsResource"]


class CallsResource(Resource):
    """Calls: list, get, place."""

    def list(
        self,
        phone_number_id: Union[UUID, str],
        *,
        limit: int = 50,
        offset: int = 0,
        is_blocked: Optional[bool] = None,
    ) -> List[PhoneCall]:
        """One page of the number's calls, newest first."""
        return self._r.call_list(
            "phone.calls.list",
            {
                "path": {"phone_number_id": str(phone_number_id)},
                "query": compact(limit=limit, offset=offset, is_blocked=is_blocked),
            },
            PhoneCall,
        )

    def get(self, phone_number_id: Union[UUID, str], call_id: Union[UUID, str]) -> PhoneCall:
        """One call."""
        return self._r.call(
            "phone.calls.get", {"path": {"phone_number_id": str(phone_number_id), "call_id": str(call_id)}}, PhoneCall
        )

    def place(
        self, *, from_number: str, to_number: str, client_websocket_url: Optional[str] = None
    ) -> PhoneCallWithRateLimit:
        """Places an outbound call; the result carries the rate-limit state."""
        return self._r.call(
            "phone.calls.place",
            {
                "body": compact(
                    from_number=from_number, to_number=to_number, client_websocket_url=client_websocket_url
                )
            },
            PhoneCallWithRateLimit,
        )
