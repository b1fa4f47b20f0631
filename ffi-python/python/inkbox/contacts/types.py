"""Models of inkbox.contacts.types: the organization's contacts book (see
inkbox-core ``api::contacts``). Fields are the wire's; the card items also
answer to the official 0.4.9 attribute names (``ContactPhone.value``,
``ContactWebsite.value``, ``ContactDate.value``, ``ContactAddress.postal_code``)
and take them as constructor arguments."""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional
from uuid import UUID

from inkbox._models import Model

__all__ = [
    "Contact",
    "ContactAccess",
    "ContactAddress",
    "ContactCustomField",
    "ContactDate",
    "ContactEmail",
    "ContactImportResult",
    "ContactImportResultItem",
    "ContactPhone",
    "ContactWebsite",
]


class ContactEmail(Model):
    """An email address on a card."""

    label: Optional[str]
    value: str
    is_primary: bool

    def __init__(self, label: Optional[str] = None, value: str = "", is_primary: bool = False) -> None:
        self._d = {"label": label, "value": value, "is_primary": is_primary}

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactPhone(Model):
    """A phone number on a card (E.164); ``value`` is ``value_e164``."""

    label: Optional[str]
    value_e164: str
    is_primary: bool

    def __init__(
        self,
        label: Optional[str] = None,
        value: Optional[str] = None,
        is_primary: bool = False,
        *,
        value_e164: Optional[str] = None,
    ) -> None:
        self._d = {"label": label, "value_e164": value_e164 if value_e164 is not None else value, "is_primary": is_primary}

    @property
    def value(self) -> str:
        """The number (official name of ``value_e164``)."""
        return str(self._d.get("value_e164"))

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactWebsite(Model):
    """A website on a card; ``value`` is ``url``."""

    label: Optional[str]
    url: str

    def __init__(self, label: Optional[str] = None, value: Optional[str] = None, *, url: Optional[str] = None) -> None:
        self._d = {"label": label, "url": url if url is not None else value}

    @property
    def value(self) -> str:
        """The URL (official name of ``url``)."""
        return str(self._d.get("url"))

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactDate(Model):
    """A labelled date on a card; ``value`` is ``date``."""

    label: Optional[str]
    date: _dt.date

    def __init__(
        self, label: Optional[str] = None, value: Optional[_dt.date] = None, *, date: Optional[_dt.date] = None
    ) -> None:
        self._d = {"label": label, "date": date if date is not None else value}

    @property
    def value(self) -> _dt.date:
        """The date (official name of ``date``)."""
        return self.date

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactAddress(Model):
    """A postal address on a card; ``postal_code`` is ``postal``."""

    label: Optional[str]
    street: Optional[str]
    city: Optional[str]
    region: Optional[str]
    postal: Optional[str]
    country: Optional[str]

    def __init__(
        self,
        label: Optional[str] = None,
        street: Optional[str] = None,
        city: Optional[str] = None,
        region: Optional[str] = None,
        postal_code: Optional[str] = None,
        country: Optional[str] = None,
        *,
        postal: Optional[str] = None,
    ) -> None:
        values = {
            "label": label,
            "street": street,
            "city": city,
            "region": region,
            "postal": postal if postal is not None else postal_code,
            "country": country,
        }
        self._d = {k: v for k, v in values.items() if v is not None}

    @property
    def postal_code(self) -> Optional[str]:
        """The postal code (official name of ``postal``)."""
        return self.postal

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactCustomField(Model):
    """A free label/value pair on a card."""

    label: str
    value: str

    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactAccess(Model):
    """One access grant on a contact; ``identity_id=None`` is the wildcard
    (every active identity sees the contact)."""

    id: str
    contact_id: str
    identity_id: Optional[str]
    created_at: _dt.datetime


class Contact(Model):
    """A contact of the organization."""

    id: str
    organization_id: Optional[str]
    preferred_name: Optional[str]
    name_prefix: Optional[str]
    given_name: Optional[str]
    middle_name: Optional[str]
    family_name: Optional[str]
    name_suffix: Optional[str]
    company_name: Optional[str]
    job_title: Optional[str]
    birthday: Optional[_dt.date]
    notes: Optional[str]
    emails: List[ContactEmail]
    phones: List[ContactPhone]
    websites: List[ContactWebsite]
    dates: List[ContactDate]
    addresses: List[ContactAddress]
    custom_fields: List[ContactCustomField]
    access: List[ContactAccess]
    status: Optional[str]
    created_at: _dt.datetime
    updated_at: _dt.datetime


class ContactImportResultItem(Model):
    """One card's outcome in a vCard import: ``status`` ``created`` (with
    ``contact``) or ``error`` (with ``error``)."""

    index: int
    status: str
    contact: Optional[Contact]
    error: Optional[str]


class ContactImportResult(Model):
    """The result of a vCard import."""

    created_count: int
    error_count: int
    results: List[ContactImportResultItem]

    @property
    def created_ids(self) -> List[UUID]:
        """Ids of the stored contacts, in upload order."""
        return [UUID(str(item.contact.id)) for item in self.results if item.contact is not None]

    @property
    def errors(self) -> List[ContactImportResultItem]:
        """The refused cards."""
        return [item for item in self.results if item.status == "error"]
