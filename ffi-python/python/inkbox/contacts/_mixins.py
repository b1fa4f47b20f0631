"""Hand-written behaviour of the generated models of ``inkbox.contacts.types``
(the description, ``surface/contacts.toml``, names each mixin): the card
items take and answer to the official 0.4.9 attribute names
(``ContactPhone.value``, ``ContactWebsite.value``, ``ContactDate.value``,
``ContactAddress.postal_code``) and have its ``to_wire()``."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, List, Optional
from uuid import UUID

if TYPE_CHECKING:
    from inkbox._models import Model as _Base
    from inkbox.contacts.types import ContactImportResultItem
else:
    _Base = object

__all__ = [
    "ContactAddressMixin",
    "ContactCustomFieldMixin",
    "ContactDateMixin",
    "ContactEmailMixin",
    "ContactImportResultMixin",
    "ContactPhoneMixin",
    "ContactWebsiteMixin",
]


class _Card(_Base):
    def to_wire(self) -> dict[str, Any]:
        """The wire dict (official name)."""
        return self._to_wire()


class ContactEmailMixin(_Card):
    def __init__(self, label: Optional[str] = None, value: str = "", is_primary: bool = False) -> None:
        self._d = {"label": label, "value": value, "is_primary": is_primary}


class ContactPhoneMixin(_Card):
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


class ContactWebsiteMixin(_Card):
    def __init__(self, label: Optional[str] = None, value: Optional[str] = None, *, url: Optional[str] = None) -> None:
        self._d = {"label": label, "url": url if url is not None else value}

    @property
    def value(self) -> str:
        """The URL (official name of ``url``)."""
        return str(self._d.get("url"))


class ContactDateMixin(_Card):
    def __init__(
        self, label: Optional[str] = None, value: Optional[_dt.date] = None, *, date: Optional[_dt.date] = None
    ) -> None:
        self._d = {"label": label, "date": date if date is not None else value}

    @property
    def value(self) -> _dt.date:
        """The date (official name of ``date``)."""
        result: _dt.date = getattr(self, "date")
        return result


class ContactAddressMixin(_Card):
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
        result: Optional[str] = getattr(self, "postal")
        return result


class ContactCustomFieldMixin(_Card):
    pass


class ContactImportResultMixin(_Base):
    @property
    def created_ids(self) -> List[UUID]:
        """Ids of the stored contacts, in upload order."""
        return [UUID(str(item.contact.id)) for item in self._items() if item.contact is not None]

    @property
    def errors(self) -> List[ContactImportResultItem]:
        """The refused cards."""
        return [item for item in self._items() if item.status == "error"]

    def _items(self) -> List[ContactImportResultItem]:
        items: List[ContactImportResultItem] = getattr(self, "results")
        return items
