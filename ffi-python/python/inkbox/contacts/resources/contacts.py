"""``inkbox.contacts``: the organization's contacts, their access grants
(``contacts.access``) and vCard import/export (``contacts.vcards``)."""

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

__all__ = ["ContactAccessResource", "ContactsResource", "VCardsResource"]

_Id = Union[UUID, str]


class ContactAccessResource(Resource):
    """Per-contact access grants."""

    def list(self, contact_id: _Id) -> List[ContactAccess]:
        """The contact's grants (404 when the caller cannot see it)."""
        return self._r.call_list("contacts.access.list", {"path": {"contact_id": str(contact_id)}}, ContactAccess)

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

    def revoke(self, contact_id: _Id, identity_id: _Id) -> None:
        """Revokes an identity's grant (an agent key only its own)."""
        path = {"contact_id": str(contact_id), "identity_id": str(identity_id)}
        return self._r.void("contacts.access.revoke", {"path": path})


class VCardsResource(Resource):
    """vCard import and export."""

    def import_vcards(self, content: Union[str, bytes], *, content_type: str = "text/vcard") -> ContactImportResult:
        """Imports vCards (≤ 5 MiB, ≤ 1000 cards; ``text/vcard`` or
        ``text/x-vcard``); one result per card."""
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        body = {"content": text, "content_type": content_type}
        return self._r.call("contacts.vcards.import", {"body": body}, ContactImportResult)

    def export_vcard(self, contact_id: _Id) -> str:
        """The contact as vCard 4.0 text."""
        result: str = self._r.raw("contacts.vcards.export", {"path": {"contact_id": str(contact_id)}})
        return result


def _birthday(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class ContactsResource(Resource):
    """The organization's contacts, with per-identity access control."""

    def __init__(self, runner: Any) -> None:
        super().__init__(runner)
        self._access = ContactAccessResource(runner)
        self._vcards = VCardsResource(runner)

    @property
    def access(self) -> ContactAccessResource:
        """Per-contact access grants."""
        return self._access

    @property
    def vcards(self) -> VCardsResource:
        """vCard import / export."""
        return self._vcards

    def list(
        self,
        *,
        q: Optional[str] = None,
        order: Union[Literal["name", "recent"], str, None] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[Contact]:
        """Contacts, optionally filtered by a substring ``q`` (≤ 100
        characters) of the names, company, job title and notes."""
        query = compact(q=q, order=order, limit=limit, offset=offset)
        return self._r.call_list("contacts.list", {"query": query}, Contact)

    def lookup(
        self,
        *,
        email: Optional[str] = None,
        email_contains: Optional[str] = None,
        email_domain: Optional[str] = None,
        phone: Optional[str] = None,
        phone_contains: Optional[str] = None,
    ) -> List[Contact]:
        """Contacts by exactly one field (``ValueError`` otherwise)."""
        query = compact(
            email=email,
            email_contains=email_contains,
            email_domain=email_domain,
            phone=phone,
            phone_contains=phone_contains,
        )
        return self._r.call_list("contacts.lookup", {"query": query}, Contact)

    def get(self, contact_id: _Id) -> Contact:
        """One contact."""
        return self._r.call("contacts.get", {"path": {"contact_id": str(contact_id)}}, Contact)

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

    def update(
        self,
        contact_id: _Id,
        *,
        preferred_name: Any = UNSET,
        name_prefix: Any = UNSET,
        given_name: Any = UNSET,
        middle_name: Any = UNSET,
        family_name: Any = UNSET,
        name_suffix: Any = UNSET,
        company_name: Any = UNSET,
        job_title: Any = UNSET,
        birthday: Any = UNSET,
        notes: Any = UNSET,
        emails: Any = UNSET,
        phones: Any = UNSET,
        websites: Any = UNSET,
        dates: Any = UNSET,
        addresses: Any = UNSET,
        custom_fields: Any = UNSET,
    ) -> Contact:
        """JSON merge patch: omitted fields stay, ``None`` clears."""
        body = given(
            preferred_name=preferred_name,
            name_prefix=name_prefix,
            given_name=given_name,
            middle_name=middle_name,
            family_name=family_name,
            name_suffix=name_suffix,
            company_name=company_name,
            job_title=job_title,
            birthday=birthday if birthday is UNSET else _birthday(birthday),
            notes=notes,
            emails=emails,
            phones=phones,
            websites=websites,
            dates=dates,
            addresses=addresses,
            custom_fields=custom_fields,
        )
        return self._r.call("contacts.update", {"path": {"contact_id": str(contact_id)}, "body": body}, Contact)

    def delete(self, contact_id: _Id) -> None:
        """Deletes a contact."""
        return self._r.void("contacts.delete", {"path": {"contact_id": str(contact_id)}})
