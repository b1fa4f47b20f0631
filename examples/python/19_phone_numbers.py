"""README "Org-level Phone Numbers": list, get, provision (bound to an
identity), incoming-call behaviour, transcript search, release.

An identity holds one number: the README's second provision (state="NY") for
"sales-bot" is made for a second identity, "sales-bot-ny"."""

import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: an existing number (with a call and its transcript) and the
    # identities to provision for.
    existing = inkbox.create_identity("support-bot").provision_phone_number()
    inkbox.create_identity("sales-bot")
    inkbox.create_identity("sales-bot-ny")

    # ---- README ----
    # List all phone numbers in the organisation
    numbers = inkbox.phone_numbers.list()

    # Get a specific phone number by ID
    number = inkbox.phone_numbers.get(existing.id)

    # Provision a new number
    number = inkbox.phone_numbers.provision(agent_handle="sales-bot")  # local by default
    in_ny = inkbox.phone_numbers.provision(agent_handle="sales-bot-ny", state="NY")
    print(number.number, in_ny.number)

    # Update incoming call behaviour
    inkbox.phone_numbers.update(
        number.id,
        incoming_call_action="webhook",
        incoming_call_webhook_url="https://example.com/calls",
    )
    inkbox.phone_numbers.update(
        number.id,
        incoming_call_action="auto_accept",
        client_websocket_url="wss://example.com/ws",
    )

    # Setup (emulator): a caller asks for a refund.
    call = inkbox.calls.place(from_number=str(number.id), to_number="+15551234567", client_websocket_url="wss://example.com/ws")
    emulator.transcript(call.id, "remote", "I would like a refund, please.")

    # Full-text search across transcripts
    hits = inkbox.phone_numbers.search_transcripts(number.id, q="refund", party="remote")
    for t in hits:
        print(f"[{t.party}] {t.text}")

    # Release a number
    inkbox.phone_numbers.release(number.id)
    print(len(numbers), "number(s) at the start,", len(inkbox.phone_numbers.list()), "now")
