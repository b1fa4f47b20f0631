"""README "Org-level Calls and Transcripts": calls and transcripts by phone
number id, without going through an identity.

Setup: an identity with a number that has placed one call; on the emulator,
what was said on it is injected as transcript segments."""

import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    identity = inkbox.create_identity("sales-bot")
    phone_number_uuid = str(identity.provision_phone_number().id)
    call_uuid = str(identity.place_call(to_number="+15550001111", client_websocket_url="wss://example.com/ws").id)
    emulator.transcript(call_uuid, "local", "Hello, Sales Bot here.")
    emulator.transcript(call_uuid, "remote", "Hi! Quick question about pricing.")

    # ---- README ----
    # List calls for a phone number
    calls = inkbox.calls.list(phone_number_uuid, limit=10)
    for call in calls:
        print(call.id, call.direction, call.status)

    # Get a single call
    call = inkbox.calls.get(phone_number_uuid, call_uuid)

    # Place an outbound call
    call = inkbox.calls.place(
        from_number=phone_number_uuid,
        to_number="+15551234567",
        client_websocket_url="wss://example.com/ws",
    )

    # List transcript segments for a call
    segments = inkbox.transcripts.list(phone_number_uuid, call_uuid)
    for t in segments:
        print(f"[{t.party}] {t.text}")
