"""Time `parse` / `parse_page` of a 100-message `mail.messages.list` page
(~68 KiB) into registered model classes, against `json.loads` of the same
body. CPU time (time.process_time), best of several repeats, so a loaded
machine skews it less. Not a timed test.

    python ffi-python/bench/parse_page.py
"""

from __future__ import annotations

import json
import time
import timeit
from typing import Any

from inkbox import _native


class Message:
    __slots__ = ("_d",)


class CursorPage:
    __slots__ = ("_d",)


def message(i: int) -> dict[str, Any]:
    return {
        "id": f"0c6f3f0e-5c1b-4d7e-9a0b-3e0b8f1c{i:04d}",
        "mailbox_id": "7d1a4c2b-0e9f-4b8a-8c7d-6e5f4a3b2c1d",
        "thread_id": f"9d8c7b6a-5f4e-4d2c-8b0a-1c2d3e4f{i:04d}",
        "message_id": f"<CAF{i:08d}.abcdef0123456789@mail.example.com>",
        "from_address": "ada.lovelace@analytical-engines.example.com",
        "to_addresses": ["sales-bot@inkboxmail.com"],
        "cc_addresses": ["charles.babbage@example.org"],
        "subject": f"Re: quarterly planning, item {i}",
        "snippet": "Thanks for the notes from yesterday; the revised schedule is attached.",
        "direction": "inbound" if i % 2 else "outbound",
        "status": "received" if i % 2 else "delivered",
        "is_read": bool(i % 3),
        "is_starred": False,
        "has_attachments": i % 5 == 0,
        "created_at": "2026-03-09T12:34:56.123456Z",
        "import_job_id": None,
    }


def main() -> None:
    _native.register_models({"Message": Message, "CursorPage": CursorPage})
    page = {"items": [message(i) for i in range(100)], "next_cursor": "eyJjIjoiMjAyNi0wMy0wOSJ9", "has_more": True}
    body = json.dumps(page).encode()
    headers = [("content-type", "application/json")]
    args = {"path": {"email": "sales-bot@inkboxmail.com"}, "query": {"limit": 100}}
    parsed = _native.parse("mail.messages.list", 200, headers, body)
    assert type(parsed) is CursorPage and type(parsed._d["items"][0]) is Message
    print(f"body: {len(body) / 1024:.1f} KiB, 100 messages")
    for name, fn in [
        ("parse", lambda: _native.parse("mail.messages.list", 200, headers, body)),
        ("parse_page", lambda: _native.parse_page("mail.messages.list", args, 200, headers, body)),
        ("json.loads (reference)", lambda: json.loads(body)),
    ]:
        best = min(timeit.repeat(fn, number=200, repeat=9, timer=time.process_time)) / 200
        print(f"{name:>24}: {best * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
