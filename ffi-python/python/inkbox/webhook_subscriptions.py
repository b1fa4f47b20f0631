"""Webhook subscriptions: the models and ``inkbox.webhooks.subscriptions``
(both generated from ``surface/webhook_subscriptions.toml``)."""

from __future__ import annotations

from inkbox._webhook_subscription_types import WebhookEventType, WebhookSubscription, WebhookSubscriptionStatus
from inkbox._webhook_subscriptions_resource import WebhookSubscriptionsResource

__all__ = [
    "WebhookEventType",
    "WebhookSubscription",
    "WebhookSubscriptionStatus",
    "WebhookSubscriptionsResource",
    "WebhooksNamespace",
]


class WebhooksNamespace:
    """``inkbox.webhooks``: holds ``subscriptions``."""

    subscriptions: WebhookSubscriptionsResource

    def __init__(self, subscriptions: WebhookSubscriptionsResource) -> None:
        self.subscriptions = subscriptions
