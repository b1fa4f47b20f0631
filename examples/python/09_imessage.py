"""README "iMessage": opt an identity in, the router number, conversations,
replies, assignments, tapbacks, read receipts, typing, media, contact rules.

The human always texts first; on the emulator the script plays the human
texting "connect @my-agent" to the router number."""

import os
import tempfile

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Opt an identity in (at create time or later).
    identity = inkbox.create_identity("my-agent", imessage_enabled=True)

    # Resolve the router number at runtime — never hardcode it.
    router = inkbox.imessages.get_triage_number()
    print(router.number, router.connect_command)  # e.g. 'connect @my-agent'

    # Setup (emulator): a human connects and says hello.
    emulator.imessage_inbound("+15555550123", "connect @my-agent", to=router.number)
    emulator.imessage_inbound("+15555550123", "Hi! Can you send me the Q3 chart?")

    # Once a human has connected and messaged, read and reply.
    convos = identity.list_imessage_conversations(limit=20)
    msgs = identity.list_imessages(conversation_id=convos[0].id)
    identity.send_imessage(
        conversation_id=convos[0].id,
        text="On it — give me two minutes.",
    )

    # Who is currently connected? (Disconnected conversations stay readable
    # with assignment_status == "released"; sends into them return 409.)
    connections = identity.list_imessage_assignments()
    print(len(connections), "connection(s)")

    # Tapbacks: classic six on send ("custom" is inbound-only, 422 on send);
    # a new tapback replaces your previous one on the same message part.
    identity.send_imessage_reaction(message_id=msgs[0].id, reaction="like")

    # Read receipts, typing indicator, media.
    identity.mark_imessage_conversation_read(convos[0].id)
    identity.send_imessage_typing(convos[0].id)
    os.chdir(tempfile.mkdtemp())  # a chart.png to upload
    with open("chart.png", "wb") as f:
        f.write(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                              "0000000d49444154789c6360f8cfc0f01f0005000201e2a9d62e0000000049454e44ae426082"))
    upload = identity.upload_imessage_media(
        content=open("chart.png", "rb").read(),
        filename="chart.png",
        content_type="image/png",
    )
    identity.send_imessage(conversation_id=convos[0].id, media_urls=[upload.media_url])

    # Per-identity allow/block rules, interpreted via imessage_filter_mode.
    inkbox.imessage_contact_rules.create(
        "my-agent", action="block", match_target="+15555550999",
    )
