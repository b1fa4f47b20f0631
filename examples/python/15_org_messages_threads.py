"""README "Org-level Messages and Threads": mail by mailbox address, without
going through an identity.

Setup: the identity "abc" (mailbox abc@inkboxmail.com) receives two messages
from another identity, one with report.pdf attached; their ids stand in for
"message-uuid" / "thread-uuid"."""

import base64
import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    inkbox.create_identity("abc")
    sender = inkbox.create_identity("xyz")
    sender.send_email(to=["abc@inkboxmail.com"], subject="Quarterly numbers", body_text="See you Monday.")
    sender.send_email(
        to=["abc@inkboxmail.com"],
        subject="Report",
        body_text="Attached.",
        attachments=[{
            "filename": "report.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
        }],
    )
    received = {m.subject: m for m in inkbox.messages.list("abc@inkboxmail.com")}
    message_uuid = received["Quarterly numbers"].id
    with_attachment = received["Report"]

    # ---- README ----
    # List messages for a mailbox (paginated automatically)
    for msg in inkbox.messages.list("abc@inkboxmail.com"):
        print(msg.subject)

    # Get a single message with full body
    detail = inkbox.messages.get("abc@inkboxmail.com", message_uuid)
    print(detail.body_text)

    # Send a message from a mailbox
    inkbox.messages.send(
        "abc@inkboxmail.com",
        to=["user@example.com"],
        subject="Hello",
        body_text="Hi there!",
    )

    # Update message flags
    inkbox.messages.update_flags("abc@inkboxmail.com", message_uuid, is_read=True)
    inkbox.messages.mark_read("abc@inkboxmail.com", message_uuid)
    inkbox.messages.mark_unread("abc@inkboxmail.com", message_uuid)
    inkbox.messages.star("abc@inkboxmail.com", message_uuid)
    inkbox.messages.unstar("abc@inkboxmail.com", message_uuid)

    # Delete a message
    inkbox.messages.delete("abc@inkboxmail.com", message_uuid)

    # Get a temporary signed URL for an attachment
    attachment = inkbox.messages.get_attachment("abc@inkboxmail.com", with_attachment.id, "report.pdf")
    print(attachment["url"])

    # List threads (paginated automatically)
    for thread in inkbox.threads.list("abc@inkboxmail.com"):
        print(thread.subject, thread.message_count)

    # Get a thread with all messages
    thread = inkbox.threads.get("abc@inkboxmail.com", with_attachment.thread_id)

    # Delete a thread
    inkbox.threads.delete("abc@inkboxmail.com", with_attachment.thread_id)
