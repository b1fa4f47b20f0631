"""Webhook subscriptions: the models and ``inkbox.webhooks.subscriptions``."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, List, Optional, Union  # noqa: F401
from uuid import UUID

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum
from inkbox._resource import UNSET, Resource, compact


class WebhookEventType(StrEnum):
    """Wire enum ``EventType``."""

    MESSAGE_RECEIVED = "message.received"
    MESSAGE_SENT = "message.sent"
    MESSAGE_FORWARDED = "message.forwarded"
    MESSAGE_DELIVERED = "message.delivered"
    MESSAGE_BOUNCED = "message.bounced"
    MESSAGE_FAILED = "message.failed"
    TEXT_RECEIVED = "text.received"
    TEXT_SENT = "text.sent"
    TEXT_DELIVERED = "text.delivered"
    TEXT_DELIVERY_FAILED = "text.delivery_failed"
    TEXT_DELIVERY_UNCONFIRMED = "text.delivery_unconfirmed"
    IMESSAGE_RECEIVED = "imessage.received"
    IMESSAGE_REACTION_RECEIVED = "imessage.reaction_received"
    IMESSAGE_SENT = "imessage.sent"
    IMESSAGE_DELIVERED = "imessage.delivered"
    IMESSAGE_DELIVERY_FAILED = "imessage.delivery_failed"
    PHONE_INCOMING_CALL = "phone.incoming_call"


class WebhookSubscriptionStatus(StrEnum):
    """Wire enum ``SubscriptionStatus``."""

    ACTIVE = "active"
    DELETED = "deleted"


class WebhookSubscription(Model):
    """Rust ``Subscription``."""

    id: str
    organization_id: str
    mailbox_id: Optional[str]
    phone_number_id: Optional[str]
    agent_identity_id: Optional[str]
    url: str
    event_types: List[WebhookEventType]
    status: WebhookSubscriptionStatus
    created_at: datetime
    updated_at: datetime


register_enum("EventType", WebhookEventType)
register_enum("SubscriptionStatus", WebhookSubscriptionStatus)

def _ids(value: Union[UUID, str, None]) -> Optional[str]:
    return None if value is None else str(value)


class WebhookSubscriptionsResource(Resource):
    """Webhook subscriptions: one owner (mailbox, phone number or agent
    identity), one HTTPS URL, a set of event types."""

    def list(
        self,
        *,
        mailbox_id: Union[UUID, str, None] = None,
        phone_number_id: Union[UUID, str, None] = None,
        agent_identity_id: Union[UUID, str, None] = None,
        url: Optional[str] = None,
        event_type: Union[WebhookEventType, str, None] = None,
    ) -> List[WebhookSubscription]:
        """The subscriptions, optionally filtered."""
        query = compact(
            mailbox_id=_ids(mailbox_id),
            phone_number_id=_ids(phone_number_id),
            agent_identity_id=_ids(agent_identity_id),
            url=url,
            event_type=event_type,
        )
        return self._r.call_list("webhooks.subscriptions.list", {"query": query}, WebhookSubscription)

    def get(self, sub_id: Union[UUID, str]) -> WebhookSubscription:
        """One subscription."""
        return self._r.call("webhooks.subscriptions.get", {"path": {"id": str(sub_id)}}, WebhookSubscription)

    def create(
        self,
        *,
        url: str,
        event_types: List[Union[WebhookEventType, str]],
        mailbox_id: Union[UUID, str, None] = None,
        phone_number_id: Union[UUID, str, None] = None,
        agent_identity_id: Union[UUID, str, None] = None,
    ) -> WebhookSubscription:
        """Creates a subscription (exactly one owner id)."""
        body = compact(
            url=url,
            event_types=list(event_types),
            mailbox_id=_ids(mailbox_id),
            phone_number_id=_ids(phone_number_id),
            agent_identity_id=_ids(agent_identity_id),
        )
        return self._r.call("webhooks.subscriptions.create", {"body": body}, WebhookSubscription)

    def update(self, sub_id: Union[UUID, str], *, url: Any = UNSET, event_types: Any = UNSET) -> WebhookSubscription:
        """Changes the URL and/or the event types."""
        body = compact(url=url, event_types=None if event_types is UNSET else list(event_types))
        return self._r.call(
            "webhooks.subscriptions.update", {"path": {"id": str(sub_id)}, "body": body}, WebhookSubscription
        )

    def delete(self, sub_id: Union[UUID, str]) -> None:
        """Deletes the subscription."""
        return self._r.void("webhooks.subscriptions.delete", {"path": {"id": str(sub_id)}})


class WebhooksNamespace:
    """``inkbox.webhooks``: holds ``subscriptions``."""

    subscriptions: WebhookSubscriptionsResource

    def __init__(self, subscriptions: WebhookSubscriptionsResource) -> None:
        self.subscriptions = subscriptions


__all__ = ["WebhookSubscriptionsResource", "WebhooksNamespace", "WebhookEventType", "WebhookSubscription", "WebhookSubscriptionStatus"]
