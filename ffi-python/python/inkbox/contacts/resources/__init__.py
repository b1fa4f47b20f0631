"""The contacts resources."""

from inkbox.contacts.resources.contacts import ContactAccessResource, ContactsResource, VCardsResource

__all__ = ["ContactAccessResource", "ContactsResource", "VCardsResource"]
