"""Contacts: the organization's address book, its access grants and vCards."""

from inkbox.contacts.resources import ContactAccessResource, ContactsResource, VCardsResource
from inkbox.contacts.types import (
    Contact,
    ContactAccess,
    ContactAddress,
    ContactCustomField,
    ContactDate,
    ContactEmail,
    ContactImportResult,
    ContactImportResultItem,
    ContactPhone,
    ContactWebsite,
)

__all__ = [
    "Contact",
    "ContactAccess",
    "ContactAccessResource",
    "ContactAddress",
    "ContactCustomField",
    "ContactDate",
    "ContactEmail",
    "ContactImportResult",
    "ContactImportResultItem",
    "ContactPhone",
    "ContactWebsite",
    "ContactsResource",
    "VCardsResource",
]
