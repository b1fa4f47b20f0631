"""README "Quick start", as written (plus base_url).

The quick start unlocks the vault at construction (``vault_key=``), so the org
needs a vault: with INKBOX_VAULT_KEY unset on the emulator, this script first
initializes one with a generated key.
"""

import os
import secrets as _secrets

import _emulator as emulator
from inkbox import Inkbox

BASE_URL = os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai")

# Setup: a fresh org has no vault yet.
if not os.environ.get("INKBOX_VAULT_KEY") and emulator.ACTIVE:
    generated = f"Quick-start-{_secrets.token_hex(8)}-01!"
    with Inkbox(api_key=os.environ["INKBOX_API_KEY"], base_url=BASE_URL) as admin:
        admin.vault.initialize(generated)
    os.environ["INKBOX_VAULT_KEY"] = generated

# ---- README ----
with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    vault_key=os.environ.get("INKBOX_VAULT_KEY"),
    base_url=BASE_URL,
) as inkbox:
    # Create an agent identity with a linked mailbox
    identity = inkbox.create_identity("support-bot", display_name="Support Bot")
    identity.provision_phone_number()  # provisions a local number

    # Send email directly from the identity
    identity.send_email(
        to=["customer@example.com"],
        subject="Your order has shipped",
        body_text="Tracking number: 1Z999AA10123456784",
    )

    # Place an outbound call
    identity.place_call(
        to_number="+18005559999",
        client_websocket_url="wss://my-app.com/voice",
    )

    # Read inbox
    for message in identity.iter_emails():
        print(message.subject)

    # List calls
    calls = identity.list_calls()

    # Access credentials (vault unlocked at construction)
    for login in identity.credentials.list_logins():
        print(login.name, login.payload.username)

    print(f"{len(calls)} call(s)")
