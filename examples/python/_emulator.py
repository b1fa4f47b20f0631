"""Setup steps the README assumes happen outside the program (a human texting
START, a caller speaking, a clock that moves on), done through the local
emulator's control API (``/_emulator/...``, see tests/emulator/README.md).

Every helper is a no-op returning ``None`` unless ``INKBOX_EMULATOR`` is set:
against a real Inkbox server the scripts skip exactly these steps (the event
has to happen for real, e.g. a person texting START to your number).

The admin key is ``INKBOX_API_KEY`` (the emulator's admin key) and the server
``INKBOX_BASE_URL``. Standard library only.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

ACTIVE = bool(os.environ.get("INKBOX_EMULATOR"))
BASE_URL = os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai").rstrip("/")


def control(method: str, path: str, body: Any = None) -> Any:
    """One control API call; the decoded JSON answer (``None`` when skipped or
    empty). Raises ``RuntimeError`` on an HTTP error status."""
    if not ACTIVE:
        return None
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE_URL + path, data=data, method=method)
    req.add_header("X-API-Key", os.environ["INKBOX_API_KEY"])
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"{method} {path} -> {err.code}: {err.read().decode(errors='replace')}") from None
    return json.loads(raw) if raw else None


def advance_clock(seconds: int) -> Any:
    """Moves the emulated clock (e.g. past a new number's SMS readiness)."""
    return control("POST", "/_emulator/clock", {"advance": seconds})


def inbound_text(to: str, from_: str, text: str | None = None, media_urls: list[str] | None = None) -> Any:
    """A text from the outside world to one of your numbers (``START`` opts the
    sender in)."""
    body: dict[str, Any] = {"to": to, "from": from_}
    if text is not None:
        body["text"] = text
    if media_urls is not None:
        body["media_urls"] = media_urls
    return control("POST", "/_emulator/texts/inbound", body)


def text_delivery(text_id: str, status: str, **extra: Any) -> Any:
    """Carrier feedback for an outbound text (raises the ``text.*`` event)."""
    return control("POST", "/_emulator/texts/delivery", {"text_id": str(text_id), "status": status, **extra})


def customer_campaign(daily_limit: int = 100) -> Any:
    """The org runs its own customer-managed 10DLC campaign (opt-in writes)."""
    return control("POST", "/_emulator/texts/campaign", {"customer_managed": True, "daily_limit": daily_limit})


def inbound_mail(to: str, from_: str, subject: str, body_text: str) -> Any:
    """Mail from an outside sender to one of your mailboxes."""
    return control(
        "POST", "/_emulator/mail/inbound", {"to": to, "from": from_, "subject": subject, "body_text": body_text}
    )


def transcript(call_id: Any, party: str, text: str) -> Any:
    """One transcript segment of a call (what a party said)."""
    return control("POST", "/_emulator/transcripts", {"call_id": str(call_id), "party": party, "text": text})


def imessage_inbound(from_: str, text: str, to: str | None = None) -> Any:
    """A human texting the iMessage router (``connect @handle`` connects them)."""
    body: dict[str, Any] = {"from": from_, "text": text}
    if to is not None:
        body["to"] = to
    return control("POST", "/_emulator/imessage/inbound", body)


def signup_code(agent_handle: str) -> str | None:
    """The 6-digit code of the latest verification email sent for a signup."""
    outbox = control("GET", "/_emulator/outbox")
    if outbox is None:
        return None
    entries = outbox if isinstance(outbox, list) else outbox.get("messages") or outbox.get("outbox") or []
    codes = [e["code"] for e in entries if e.get("kind") == "signup_verification" and e.get("agent_handle") == agent_handle]
    return codes[-1] if codes else None


def flush_webhooks() -> Any:
    """Makes every pending webhook delivery attempt now."""
    return control("POST", "/_emulator/deliveries/flush", {"settle": True})


def wait_for(predicate: Any, timeout: float = 15.0, what: str = "condition") -> Any:
    """Polls ``predicate()`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")
