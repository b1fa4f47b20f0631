"""README "Org-level Mailboxes": list, get, update filter mode, search; a
mailbox goes away with its identity."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: the mailboxes the README names, and mail mentioning an invoice.
    abc = inkbox.create_identity("abc-xyz")
    inkbox.create_identity("support-agent").send_email(
        to=["abc-xyz@inkboxmail.com"], subject="Invoice #42", body_text="Your invoice is attached."
    )

    # ---- README ----
    # List all mailboxes in the organisation
    mailboxes = inkbox.mailboxes.list()

    # Get a specific mailbox
    mailbox = inkbox.mailboxes.get("abc-xyz@inkboxmail.com")
    print(mailbox.email_address)
    print(mailbox.sending_domain)  # bare domain the mailbox sends from
    print(mailbox.agent_identity_id)  # non-null for live customer mailboxes (1:1 invariant)

    # Update filter mode. display_name has moved to the identity — set
    # it via identity.update(display_name=...). The mailbox PATCH
    # endpoint hard-rejects display_name with a 422. To attach a webhook
    # receiver, see "Webhooks" below.
    inkbox.mailboxes.update(mailbox.email_address, filter_mode="whitelist")  # admin-scoped key only

    # Full-text search across messages in a mailbox
    results = inkbox.mailboxes.search(mailbox.email_address, q="invoice", limit=20)
    for msg in results:
        print(msg.subject, msg.from_address)

    # To remove a mailbox, delete its owning identity (cascades to the
    # linked mailbox AND tunnel; revokes scoped API keys):
    inkbox.get_identity("support-agent").delete()
    print(len(mailboxes), "mailbox(es) before the delete,", len(inkbox.mailboxes.list()), "after")
