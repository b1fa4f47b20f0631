"""``inkbox.sms_opt_ins``: per-recipient SMS consent."""

from __future__ import annotations

from typing import Optional, Union, List

from inkbox._resource import Resource, compact
from inkbox.phone.types import SmsOptIn, SmsOptInStatus

__all__ = ["SmsOptInsResource"]


class SmsOptInsResource(Resource):
    """SMS opt-in registry: list, get, opt in, opt out."""

    def list(
        self,
        *,
        status: Union[SmsOptInStatus, str, None] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[SmsOptIn]:
        """The consent rows, newest-updated first."""
        return self._r.call_list(
            "sms_opt_ins.list", {"query": compact(status=status, limit=limit, offset=offset)}, SmsOptIn
        )

    def get(self, receiver_number: str) -> SmsOptIn:
        """The row of one recipient."""
        return self._r.call("sms_opt_ins.get", {"path": {"receiver_number": receiver_number}}, SmsOptIn)

    def opt_in(self, receiver_number: str) -> SmsOptIn:
        """Records consent (admin keys, customer-managed campaign only)."""
        return self._r.call("sms_opt_ins.opt_in", {"path": {"receiver_number": receiver_number}}, SmsOptIn)

    def opt_out(self, receiver_number: str) -> SmsOptIn:
        """Records an opt-out (admin keys, customer-managed campaign only)."""
        return self._r.call("sms_opt_ins.opt_out", {"path": {"receiver_number": receiver_number}}, SmsOptIn)
