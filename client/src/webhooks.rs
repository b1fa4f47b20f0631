//! Webhook subscriptions.

use inkbox_core::api::webhook_subscriptions::{
    self as wh, CreateSubscriptionRequest, ListSubscriptionsParams, Subscription, UpdateSubscriptionRequest,
};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Webhooks: [`Webhooks::subscriptions`]. (Verify deliveries with
    /// [`crate::webhook`].)
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { client: self }
    }
}

/// Webhooks (`/api/v1/webhooks`).
#[derive(Clone, Copy, Debug)]
pub struct Webhooks<'a> {
    client: &'a Inkbox,
}

impl<'a> Webhooks<'a> {
    /// Subscriptions: one owner (mailbox, phone number or identity), one
    /// HTTPS URL, events of the owner's channel.
    pub fn subscriptions(&self) -> WebhookSubscriptions<'a> {
        WebhookSubscriptions { client: self.client }
    }
}

/// Webhook subscriptions (`/api/v1/webhooks/subscriptions`).
#[derive(Clone, Copy, Debug)]
pub struct WebhookSubscriptions<'a> {
    client: &'a Inkbox,
}

impl WebhookSubscriptions<'_> {
    /// The subscriptions matching every given filter (at most one owner).
    pub fn list(&self, params: &ListSubscriptionsParams) -> Result<Vec<Subscription>> {
        self.client.execute(wh::build_list(params)?, wh::parse_list)
    }

    /// One subscription (404 when deleted or not visible).
    pub fn get(&self, subscription_id: &str) -> Result<Subscription> {
        self.client.execute(wh::build_get(subscription_id)?, wh::parse_get)
    }

    /// Creates a subscription; owner, URL and events are checked first.
    pub fn create(&self, input: &CreateSubscriptionRequest) -> Result<Subscription> {
        self.client.execute(wh::build_create(input)?, wh::parse_create)
    }

    /// Changes the URL and/or replaces the event list.
    pub fn update(&self, subscription_id: &str, input: &UpdateSubscriptionRequest) -> Result<Subscription> {
        self.client.execute(wh::build_update(subscription_id, input)?, wh::parse_update)
    }

    /// Deletes a subscription.
    pub fn delete(&self, subscription_id: &str) -> Result<()> {
        self.client.execute(wh::build_delete(subscription_id)?, wh::parse_delete)
    }
}
