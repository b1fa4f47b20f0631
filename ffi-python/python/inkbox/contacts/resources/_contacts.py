"""Hand-written methods of the generated ``inkbox.contacts.resources.contacts`` (the description,
``surface/*.toml``, names these mixins)."""

from __future__ import annotations

from datetime import date
from typing import Any, List, Literal, Optional, Union
from uuid import UUID
from inkbox._resource import UNSET, Resource, compact, given
from inkbox.contacts.types import (
    Contact,
    ContactAccess,
    ContactAddress,
    ContactCustomField,
    ContactDate,
    ContactEmail,
    ContactImportResult,
    ContactPhone,
    ContactWebsite,
)


_Id = Union[UUID, str]

def _birthday(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class ContactAccessCustom(Resource):
    """The hand-written part of ``ContactAccessResource``."""

    def grant(self, contact_id: _Id, *, identity_id: Optional[_Id] = None, wildcard: bool = False) -> ContactAccess:
        """Grants an identity access, or with ``wildcard=True`` resets the
        contact to the wildcard grant (admin only; 409
        ``RedundantContactAccessGrantError`` when the grant adds nothing)."""
        if wildcard and identity_id is not None:
            raise ValueError("Pass either identity_id or wildcard=True, not both.")
        body = {"identity_id": None if wildcard or identity_id is None else str(identity_id)}
        return self._r.call(
            "contacts.access.grant", {"path": {"contact_id": str(contact_id)}, "body": body}, ContactAccess
        )


class ContactsCustom(Resource):
    """The hand-written part of ``ContactsResource``."""

    def create(
        self,
        *,
        preferred_name: Optional[str] = None,
        name_prefix: Optional[str] = None,
        given_name: Optional[str] = None,
        middle_name: Optional[str] = None,
        family_name: Optional[str] = None,
        name_suffix: Optional[str] = None,
        company_name: Optional[str] = None,
        job_title: Optional[str] = None,
        birthday: Union[date, str, None] = None,
        notes: Optional[str] = None,
        emails: Optional[List[ContactEmail]] = None,
        phones: Optional[List[ContactPhone]] = None,
        websites: Optional[List[ContactWebsite]] = None,
        dates: Optional[List[ContactDate]] = None,
        addresses: Optional[List[ContactAddress]] = None,
        custom_fields: Optional[List[ContactCustomField]] = None,
        access_identity_ids: Union[List[_Id], None, Literal["wildcard"]] = "wildcard",
    ) -> Contact:
        """Creates a contact. ``access_identity_ids``: ``"wildcard"``
        (default) or ``None`` = every active identity sees it, ``[]`` = no
        grants, a list = one grant per identity (≤ 500)."""
        body = compact(
            preferred_name=preferred_name,
            name_prefix=name_prefix,
            given_name=given_name,
            middle_name=middle_name,
            family_name=family_name,
            name_suffix=name_suffix,
            company_name=company_name,
            job_title=job_title,
            birthday=_birthday(birthday),
            notes=notes,
            emails=emails,
            phones=phones,
            websites=websites,
            dates=dates,
            addresses=addresses,
            custom_fields=custom_fields,
        )
        if access_identity_ids is None:
            body["access_identity_ids"] = None
        elif access_identity_ids != "wildcard":
            body["access_identity_ids"] = [str(i) for i in access_identity_ids]
        return self._r.call("contacts.create", {"body": body}, Contact)
