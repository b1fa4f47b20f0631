"""README "Mail" (under "Identity visibility"): send (HTML, CC/BCC, threaded
reply, attachments), iterate, filter, unread, mark read, threads."""

import base64
import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    identity = inkbox.create_identity("sales-bot")
    # Setup (emulator): a customer writes in, so the inbox has unread mail.
    emulator.inbound_mail(identity.email_address, "customer@example.com", "Question", "Do you ship to Canada?")

    # Send an email (plain text and/or HTML)
    sent = identity.send_email(
        to=["user@example.com"],
        subject="Hello from Inkbox",
        body_text="Hi there!",
        body_html="<p>Hi there!</p>",
        cc=["manager@example.com"],
        bcc=["archive@example.com"],
    )

    # Send a threaded reply
    # 0.4.9 fails here: sent.id is a uuid.UUID and 0.4.9 puts it into the JSON
    # body as is (TypeError: Object of type UUID is not JSON serializable).
    identity.send_email(
        to=["user@example.com"],
        subject=f"Re: {sent.subject}",
        body_text="Following up!",
        in_reply_to_message_id=sent.id,
    )

    # Send with attachments
    report = b"%PDF-1.4\n% a tiny example report\n%%EOF\n"
    identity.send_email(
        to=["user@example.com"],
        subject="See attached",
        body_text="Please find the file attached.",
        attachments=[{
            "filename": "report.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(report).decode(),
        }],
    )

    # Iterate inbox (paginated automatically)
    for msg in identity.iter_emails():
        print(msg.subject, msg.from_address, msg.is_read)

    # Filter by direction: "inbound" or "outbound"
    for msg in identity.iter_emails(direction="inbound"):
        print(msg.subject)

    # Iterate only unread emails
    for msg in identity.iter_unread_emails():
        print(msg.subject)

    # Mark messages as read
    identity.mark_emails_read([msg.id for msg in identity.iter_unread_emails()])

    # Get all emails in a thread (thread_id comes from msg.thread_id)
    thread = identity.get_thread(msg.thread_id)
    for m in thread.messages:
        print(m.subject, m.from_address)
