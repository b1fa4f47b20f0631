"""README "Webhooks": subscriptions for mail, text and iMessage events;
list, update, delete; the incoming-call webhook on the number."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: the owners the README subscribes (a mailbox, a number, an
    # iMessage-enabled identity).
    identity = inkbox.create_identity("sales-bot", imessage_enabled=True)
    number = identity.provision_phone_number()
    mailbox = inkbox.mailboxes.get(identity.email_address)

    # ---- README ----
    # Mail subscription: pick the message.* events you want.
    inkbox.webhooks.subscriptions.create(
        mailbox_id=mailbox.id,
        url="https://example.com/hook",
        event_types=["message.received", "message.bounced"],
    )

    # Text subscription: pick the text.* events you want.
    inkbox.webhooks.subscriptions.create(
        phone_number_id=number.id,
        url="https://example.com/texts",
        event_types=[
            "text.received",
            "text.sent",
            "text.delivered",
            "text.delivery_failed",
            "text.delivery_unconfirmed",
        ],
    )

    # iMessage subscription: owned by the agent identity (the shared
    # pool lines aren't org resources).
    inkbox.webhooks.subscriptions.create(
        agent_identity_id=identity.id,
        url="https://example.com/imessage",
        event_types=[
            "imessage.received",
            "imessage.reaction_received",
            "imessage.sent",
            "imessage.delivered",
            "imessage.delivery_failed",
        ],
    )

    # List, update, remove.
    subs = inkbox.webhooks.subscriptions.list(mailbox_id=mailbox.id)
    inkbox.webhooks.subscriptions.update(subs[0].id, url="https://new/hook")
    inkbox.webhooks.subscriptions.delete(subs[0].id)

    # Route incoming calls to a webhook. The response body controls call routing.
    inkbox.phone_numbers.update(
        number.id,
        incoming_call_action="webhook",
        incoming_call_webhook_url="https://example.com/calls",
    )
    print(len(inkbox.webhooks.subscriptions.list()), "subscription(s) left")
