"""README "Receiving webhooks (typed)": verify_webhook plus the TypedDict wire
shapes, discriminating on event_type.

The README's FastAPI handlers become functions behind a tiny http.server
receiver on 127.0.0.1 (see _receiver.py; ``HTTPException`` answers its status).
Deliveries to a loopback http:// URL are an emulator allowance (the real
service needs a public HTTPS URL), so without INKBOX_EMULATOR this script
only prints a note.

Events triggered: message.received (another identity mails "sales-bot") and
text.received (a customer texts the number, injected on the emulator). The
emulator has no contacts, so data["contacts"] is empty and the contact loops
print nothing.
"""

import json
import logging
import os
import sys
from typing import cast

import _emulator as emulator
from _receiver import HTTPError as HTTPException
from _receiver import Receiver
from inkbox import Inkbox
from inkbox import (
    MailWebhookPayload,
    PhoneIncomingCallWebhookPayload,
    TextWebhookPayload,
    verify_webhook,
)

logging.basicConfig(level=logging.INFO, format="%(message)s")
logger = logging.getLogger("hooks")

if not emulator.ACTIVE:
    print("22_typed_webhooks: needs the emulator (webhook delivery to a loopback receiver); skipped")
    sys.exit(0)

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    signing_key = inkbox.create_signing_key().signing_key  # stands in for "whsec_..."

    # ---- README (FastAPI handlers as plain functions) ----
    def mail_hook(raw_body, headers):
        if not verify_webhook(payload=raw_body, headers=headers, secret=signing_key):
            raise HTTPException(status_code=403)
        payload = cast(MailWebhookPayload, json.loads(raw_body))
        for match in payload["data"]["contacts"]:
            logger.info(
                "%s %s -> %s (%s)",
                match["bucket"], match["address"], match["name"], match["id"],
            )
        logger.info("mail: %s %r", payload["event_type"], payload["data"]["message"]["subject"])

    def text_hook(raw_body, headers):
        if not verify_webhook(payload=raw_body, headers=headers, secret=signing_key):
            raise HTTPException(status_code=403)
        payload = cast(TextWebhookPayload, json.loads(raw_body))
        match payload["event_type"]:
            case "text.delivery_failed":
                msg = payload["data"]["text_message"]
                recipient = payload["data"]["recipient_phone_number"] or msg["remote_phone_number"]
                logger.error(
                    "SMS to %s failed: %s (%s)",
                    recipient, msg["error_code"], msg["error_detail"],
                )
            case "text.delivered":
                # delivery_status, sent_at, delivered_at are all populated.
                ...
            case "text.received":
                for contact in payload["data"]["contacts"]:
                    logger.info("inbound from known contact %s", contact["id"])
                for agent in payload["data"]["agent_identities"]:
                    logger.info("inbound from agent identity %s", agent["agent_handle"])
                logger.info("text: %s %r", payload["event_type"], payload["data"]["text_message"]["text"])

    # ---- the receiver and the events ----
    with Receiver({"/hooks/mail": mail_hook, "/hooks/text": text_hook}) as server:
        identity = inkbox.create_identity("sales-bot")
        phone = identity.provision_phone_number()
        inkbox.webhooks.subscriptions.create(
            mailbox_id=identity.mailbox.id, url=server.url + "/hooks/mail", event_types=["message.received"]
        )
        inkbox.webhooks.subscriptions.create(
            phone_number_id=phone.id, url=server.url + "/hooks/text", event_types=["text.received"]
        )

        inkbox.create_identity("support-bot").send_email(
            to=[identity.email_address], subject="Handover", body_text="Customer #42 is yours."
        )
        emulator.inbound_text(phone.number, "+15551234567", "Is my order on its way?")

        for path in ("/hooks/mail", "/hooks/text"):
            status, _ = server.wait(path)
            assert status == 200, f"{path}: the receiver answered {status}"
    print("both deliveries verified")
    _ = PhoneIncomingCallWebhookPayload  # exported alongside (flat incoming-call payload)
