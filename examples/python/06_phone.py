"""README "Phone": place a call, list calls, transcripts, transcript search.

Transcripts come from real calls; on the emulator the script injects a few
segments for the placed call."""

import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    identity = inkbox.create_identity("sales-bot")
    phone = identity.provision_phone_number()

    # Place an outbound call — stream audio over WebSocket
    call = identity.place_call(
        to_number="+15551234567",
        client_websocket_url="wss://your-agent.example.com/ws",
    )
    print(call.status, call.rate_limit.calls_remaining)

    # Setup (emulator): what was said on the call.
    emulator.transcript(call.id, "local", "Hi, this is Sales Bot calling about your order.")
    emulator.transcript(call.id, "remote", "I'd like a refund for the second item.")

    # List calls (paginated)
    calls = identity.list_calls(limit=10, offset=0)
    for call in calls:
        print(call.id, call.direction, call.remote_phone_number, call.status)

    # Fetch transcript segments for a call
    segments = identity.list_transcripts(calls[0].id)
    for t in segments:
        print(f"[{t.party}] {t.text}")  # party: "local" or "remote"

    # Read transcripts across all recent calls
    for call in identity.list_calls(limit=10):
        segments = identity.list_transcripts(call.id)
        if not segments:
            continue
        print(f"\n--- Call {call.id} ({call.direction}) ---")
        for t in segments:
            print(f"  [{t.party:6}] {t.text}")

    # Filter to only the remote party's speech
    for t in identity.list_transcripts(calls[0].id):
        if t.party == "remote":
            print(t.text)

    # Search transcripts across a phone number (org-level)
    hits = inkbox.phone_numbers.search_transcripts(phone.id, q="refund", party="remote")
    for t in hits:
        print(f"[{t.party}] {t.text}")
