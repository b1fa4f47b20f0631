"""README "Text Messages (SMS/MMS)": send 1:1 and group, reply into a
conversation, list, get, conversations, mark read, org-level search/delete.

The README's preconditions, set up on the emulator: the new number's 10DLC
campaign propagates (the emulated clock moves 10 minutes) and the recipients
have texted START."""

import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    identity = inkbox.create_identity("sales-bot")
    phone = identity.provision_phone_number()

    # Setup (emulator): sms_status goes from pending to ready, the recipients
    # opt in, and one of them sends an MMS asking about an invoice.
    emulator.advance_clock(15 * 60)
    emulator.inbound_text(phone.number, "+15551234567", "START")
    emulator.inbound_text(phone.number, "+15557654321", "START")
    inbound = emulator.inbound_text(
        phone.number, "+15551234567", "Where is my invoice?", media_urls=["https://example.com/invoice.png"]
    )
    text_uuid = inbound["id"] if inbound else None  # a real text id stands in for "text-uuid"

    # Send SMS/MMS. Returns a queued TextMessage; final delivery state
    # arrives via any webhook subscription on the sender's phone number
    # whose event_types include the text.* lifecycle events.
    sent = identity.send_text(to="+15551234567", text="Hello from Inkbox")
    print(sent.id, sent.delivery_status)  # SmsDeliveryStatus.QUEUED

    # Group MMS uses the same method with a list of recipients.
    group = identity.send_text(
        to=["+15551234567", "+15557654321"],
        text="Hello group",
        media_urls=["https://example.com/photo.jpg"],
    )
    print(group.conversation_id, group.recipients)

    # Reply to an existing conversation by UUID. Do not pass "to" with this form.
    reply = identity.send_text(
        conversation_id=group.conversation_id,
        text="Following up in the same conversation.",
    )

    # List text messages
    texts = identity.list_texts(limit=20)
    for t in texts:
        print(t.remote_phone_number, t.text, t.is_read)

    # Filter to unread only
    unread = identity.list_texts(is_read=False)
    text_uuid = text_uuid or (unread[0].id if unread else sent.id)

    # Get a single text
    text = identity.get_text(text_uuid)
    print(text.type)  # "sms" or "mms"
    if text.media:  # MMS attachments (temporary signed URLs)
        for m in text.media:
            print(m.content_type, m.size, m.url)

    # List one-to-one conversation summaries; opt into groups explicitly.
    convos = identity.list_text_conversations(limit=20, include_groups=True)
    for c in convos:
        print(c.id, c.participants, c.latest_has_media, c.latest_text)

    # Get messages in a specific conversation by remote number or conversation UUID.
    msgs = identity.get_text_conversation("+15551234567", limit=50)

    # Mark as read
    identity.mark_text_read(text_uuid)
    identity.mark_text_conversation_read("+15551234567")

    # Org-level: search and delete
    results = inkbox.texts.search(phone.id, q="invoice", limit=20)
    print([t.text for t in results])
    # 0.4.9 fails here: its texts.update() takes only is_read (TypeError).
    inkbox.texts.update(phone.id, text_uuid, status="deleted")
