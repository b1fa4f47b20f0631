"""README "Verifying Webhook Signatures": verify_webhook in a FastAPI-style
and a Flask-style handler.

Both handlers run behind tiny http.server receivers on 127.0.0.1 (see
_receiver.py): FastAPI's ``HTTPException(status_code=403)`` and Flask's
``abort(403)`` answer 403. The mailbox is subscribed for both; a mail from
another identity produces one signed delivery to each, and a forged request
is refused. Deliveries to a loopback http:// URL are an emulator allowance,
so without INKBOX_EMULATOR this script only prints a note.
"""

import os
import sys
import urllib.error
import urllib.request

import _emulator as emulator
from _receiver import HTTPError, Receiver
from inkbox import Inkbox

if not emulator.ACTIVE:
    print("25_verify_webhook: needs the emulator (webhook delivery to a loopback receiver); skipped")
    sys.exit(0)


def abort(status_code):
    raise HTTPError(status_code)


HTTPException = HTTPError

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    signing_key = inkbox.create_signing_key().signing_key  # stands in for "whsec_..."

    # ---- README ----
    from inkbox import verify_webhook

    # FastAPI
    def fastapi_mail_hook(raw_body, headers):
        if not verify_webhook(
            payload=raw_body,
            headers=headers,
            secret=signing_key,
        ):
            raise HTTPException(status_code=403)
        ...

    # Flask
    def flask_mail_hook(raw_body, headers):
        if not verify_webhook(
            payload=raw_body,
            headers=headers,
            secret=signing_key,
        ):
            abort(403)
        ...

    # ---- deliveries ----
    with Receiver({"/hooks/mail": fastapi_mail_hook}) as fastapi_app, \
            Receiver({"/hooks/mail": flask_mail_hook}) as flask_app:
        identity = inkbox.create_identity("sales-bot")
        for app in (fastapi_app, flask_app):
            inkbox.webhooks.subscriptions.create(
                mailbox_id=identity.mailbox.id, url=app.url + "/hooks/mail", event_types=["message.received"]
            )
        inkbox.create_identity("support-bot").send_email(
            to=[identity.email_address], subject="Hello", body_text="Signed delivery, please."
        )
        for name, app in (("FastAPI", fastapi_app), ("Flask", flask_app)):
            status, body = app.wait("/hooks/mail")
            print(f"{name}-style handler: {status} for {len(body)} signed bytes")
            assert status == 200

        # A forged delivery (wrong signature) is refused.
        forged = urllib.request.Request(
            fastapi_app.url + "/hooks/mail",
            data=b'{"event_type":"message.received"}',
            headers={
                "Content-Type": "application/json",
                "X-Inkbox-Request-ID": "forged",
                "X-Inkbox-Timestamp": "0",
                "X-Inkbox-Signature": "sha256=" + "00" * 32,
            },
        )
        try:
            urllib.request.urlopen(forged, timeout=10)
            raise SystemExit("a forged delivery was accepted")
        except urllib.error.HTTPError as err:
            print(f"forged delivery: {err.code}")
            assert err.code == 403
