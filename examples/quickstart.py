"""Inkbox quick start: the README's quick start, then a signed webhook
received and verified on this machine.

    INKBOX_API_KEY   API key (the emulator's admin key under scripts/quickstart.sh)
    INKBOX_BASE_URL  server (default https://inkbox.ai)
    INKBOX_VAULT_KEY vault key; on the emulator, when unset, a vault is
                     initialized with a generated key on first run
    INKBOX_EMULATOR  set when INKBOX_BASE_URL is the local emulator: fixed
                     handles, a generated vault, and the webhook step (the
                     emulator may deliver to a 127.0.0.1 receiver; a real
                     server needs a public HTTPS URL, so the step is skipped)

Run it with `scripts/quickstart.sh`, which builds the package, starts the
emulator and sets these variables.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from inkbox import Inkbox, LoginPayload, verify_webhook

API_KEY = os.environ.get("INKBOX_API_KEY")
BASE_URL = os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai")
EMULATOR = bool(os.environ.get("INKBOX_EMULATOR"))
TOTP_URI = "otpauth://totp/CRM:bot@crm.com?secret=JBSWY3DPEHPK3PXP&issuer=CRM"


def heading(title: str) -> None:
    print(f"\n== {title}")


def item(label: str, value: object = "") -> None:
    print(f"   {label:<18} {value}")


def handle(name: str) -> str:
    # Handles are global: on a shared server make them unique per run.
    return name if EMULATOR else f"{name}-{uuid.uuid4().hex[:6]}"


def vault_key_for(admin: Inkbox) -> str:
    key = os.environ.get("INKBOX_VAULT_KEY")
    if key:
        return key
    if admin.vault.info() is not None:
        sys.exit("Set INKBOX_VAULT_KEY to this org's vault key.")
    if not EMULATOR:
        sys.exit("This org has no vault yet: initialize one (console, or inkbox.vault.initialize) "
                 "and set INKBOX_VAULT_KEY.")
    key = f"Quickstart-{secrets.token_hex(8)}-1!"
    admin.vault.initialize(key)
    item("vault", "initialized with a generated key (set INKBOX_VAULT_KEY to choose one)")
    return key


class WebhookReceiver:
    """A loopback HTTP server that queues every POST it receives (raw body and
    headers) and answers 200."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[str, bytes, dict[str, str]]] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.put((self.path, body, dict(self.headers.items())))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://%s:%d/hooks/mail" % self.server.server_address[:2]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    if not API_KEY:
        sys.exit("Set INKBOX_API_KEY (or run scripts/quickstart.sh, which starts a local emulator).")
    print(f"Inkbox quick start against {BASE_URL}{' (local emulator)' if EMULATOR else ''}")

    with Inkbox(api_key=API_KEY, base_url=BASE_URL) as admin:
        heading("Vault")
        vault_key = vault_key_for(admin)

    # The README's quick start: the client unlocks the vault at construction.
    with Inkbox(api_key=API_KEY, vault_key=vault_key, base_url=BASE_URL) as inkbox:
        item("unlocked", "yes")

        heading("Identity")
        identity = inkbox.create_identity(handle("support-bot"), display_name="Support Bot")
        phone = identity.provision_phone_number()  # provisions a local number
        item("handle", identity.agent_handle)
        item("email", identity.email_address)
        item("phone", f"{phone.number} (SMS {phone.sms_status})")
        item("tunnel", identity.tunnel.public_host)

        heading("Email")
        sent = identity.send_email(
            to=["customer@example.com"],
            subject="Your order has shipped",
            body_text="Tracking number: 1Z999AA10123456784",
        )
        item("sent", f"{sent.subject!r} to customer@example.com")

        heading("Call")
        call = identity.place_call(to_number="+18005559999", client_websocket_url="wss://my-app.com/voice")
        item("placed", f"{call.remote_phone_number} ({call.status})")

        heading("Inbox")
        for message in identity.iter_emails():
            item(str(message.direction), f"{message.subject!r}")

        heading("Calls")
        for c in identity.list_calls():
            item(str(c.direction), f"{c.remote_phone_number} {c.status}")

        heading("Credentials and TOTP")
        secret = identity.create_secret(
            name="CRM Login",
            payload=LoginPayload(username="bot@crm.com", password="s3cret"),
            description="CRM service account",
        )
        identity.set_totp(secret.id, TOTP_URI)
        for login in identity.credentials.list_logins():
            item(login.name, f"username {login.payload.username}")
        code = identity.get_totp_code(secret.id)
        item("TOTP code", f"{code.code} (valid {code.expires_in} s more)")

        heading("Signed webhook")
        if not EMULATOR:
            item("skipped", "a real server delivers only to a public HTTPS URL")
        else:
            receive_signed_webhook(inkbox, identity)

        if not EMULATOR:
            identity.delete()
            inkbox.vault.delete_secret(secret.id)
            item("cleaned up", identity.agent_handle)
    print("\nDone.")


def receive_signed_webhook(inkbox: Inkbox, identity) -> None:
    receiver = WebhookReceiver()
    try:
        signing_key = inkbox.create_signing_key().signing_key
        inkbox.webhooks.subscriptions.create(
            mailbox_id=identity.mailbox.id,
            url=receiver.url,
            event_types=["message.received"],
        )
        item("receiver", receiver.url)
        item("subscribed", f"{identity.email_address}: message.received")

        sender = inkbox.create_identity(handle("billing-bot"), display_name="Billing Bot")
        sender.send_email(
            to=[identity.email_address],
            subject="Invoice #1042 is paid",
            body_text="Thanks! The customer paid invoice #1042 today.",
        )
        item("mail sent", f"{sender.email_address} -> {identity.email_address}")

        path, body, headers = receiver.received.get(timeout=30)
        ok = verify_webhook(payload=body, headers=headers, secret=signing_key)
        item("received", f"POST {path} ({len(body)} bytes)")
        item("signature", "valid" if ok else "INVALID")
        if not ok:
            sys.exit("The webhook signature did not verify.")
        event = json.loads(body)
        message = event["data"]["message"]
        item("event", event["event_type"])
        item("timestamp", event["timestamp"])
        item("from", message["from_address"])
        item("to", ", ".join(message["to_addresses"]))
        item("subject", message["subject"])
        for agent in event["data"]["agent_identities"]:
            item("known agent", f"{agent['bucket']}: @{agent['agent_handle']}")
    finally:
        receiver.close()


if __name__ == "__main__":
    main()
