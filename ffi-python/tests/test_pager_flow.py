"""The runners page lists through core's pager flow, with the same step loop
that drives the vault flows: one request per page as the iterator is
consumed, core's call engine on every page (a 429 mid-list is retried), and
an error page raised as the typed exception."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Optional, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest

from inkbox import _native
from inkbox._models import registry
from inkbox._runtime import AsyncRunner, SyncRunner
from inkbox.exceptions import InkboxAPIError
from inkbox.mail.types import Message
from inkbox.phone.types import TextMessage

BASE = "https://inkbox.example"
UUID = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b"
TS = "2026-03-09T00:00:00Z"
MAIL = {"path": {"email": "bot@inkboxmail.com"}, "query": {"limit": 2}}
TEXTS = {"path": {"phone_number_id": UUID}, "query": {"limit": 2}}

Reply = tuple[int, list[tuple[str, str]], bytes]
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _models() -> None:
    _native.register_models(registry())  # what constructing a client does


def message(i: int) -> dict[str, Any]:
    return {
        "id": f"0c6f3f0e-5c1b-4d7e-9a0b-{i:012x}",
        "mailbox_id": UUID,
        "thread_id": UUID,
        "message_id": f"<m{i}@example.com>",
        "from_address": "ada@example.com",
        "to_addresses": ["bot@inkboxmail.com"],
        "cc_addresses": None,
        "subject": f"subject {i}",
        "snippet": "hi",
        "direction": "inbound",
        "status": "received",
        "is_read": False,
        "is_starred": False,
        "has_attachments": False,
        "created_at": TS,
    }


def text(i: int) -> dict[str, Any]:
    return {
        "id": f"1c6f3f0e-5c1b-4d7e-9a0b-{i:012x}",
        "direction": "inbound",
        "local_phone_number": "+15550001111",
        "remote_phone_number": "+15551234567",
        "text": f"text {i}",
        "is_read": False,
        "type": "sms",
        "created_at": TS,
        "updated_at": TS,
    }


def cursor_page(first: int, n: int, next_cursor: Optional[str]) -> Reply:
    page = {"items": [message(i) for i in range(first, first + n)], "next_cursor": next_cursor,
            "has_more": next_cursor is not None}
    return 200, [("content-type", "application/json")], json.dumps(page).encode()


def offset_page(first: int, n: int) -> Reply:
    return 200, [("content-type", "application/json")], json.dumps([text(i) for i in range(first, first + n)]).encode()


RATE_LIMITED: Reply = (429, [("Retry-After", "0")], b'{"detail": "slow down"}')
NOT_FOUND: Reply = (404, [], b'{"detail": "Mailbox not found"}')


class Recorder:
    """A transport answering from a script and recording every URL sent."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.urls: list[str] = []

    def send(self, method: str, url: str, headers: list[tuple[str, str]], body: Optional[bytes], timeout: float) -> Reply:
        assert method == "GET" and body is None
        self.urls.append(url)
        return self.replies.pop(0)

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(u).query) for u in self.urls]


class AsyncRecorder(Recorder):
    async def send(  # type: ignore[override]
        self, method: str, url: str, headers: list[tuple[str, str]], body: Optional[bytes], timeout: float
    ) -> Reply:
        await asyncio.sleep(0)
        return Recorder.send(self, method, url, headers, body, timeout)


def sync_runner(t: Recorder) -> SyncRunner:
    return SyncRunner(t, api_key="sk-test", base_url=BASE, timeout=5.0, base_delay_ms=0, max_delay_ms=0)


def async_runner(t: AsyncRecorder) -> AsyncRunner:
    return AsyncRunner(t, api_key="sk-test", base_url=BASE, timeout=5.0, base_delay_ms=0, max_delay_ms=0)


def collect_async(items: AsyncIterator[T]) -> list[T]:
    async def go() -> list[T]:
        return [item async for item in items]

    return asyncio.run(go())


CURSOR_REPLIES = (cursor_page(0, 2, "c1"), cursor_page(2, 2, "c2"), cursor_page(4, 1, None))
CURSOR_QUERIES = [
    {"limit": ["2"]},
    {"limit": ["2"], "cursor": ["c1"]},
    {"limit": ["2"], "cursor": ["c2"]},
]
OFFSET_REPLIES = (offset_page(0, 2), offset_page(2, 2), offset_page(4, 1))
OFFSET_QUERIES = [{"limit": ["2"], "offset": [o]} for o in ("0", "2", "4")]


def test_cursor_pages_sync_are_fetched_lazily() -> None:
    t = Recorder(*CURSOR_REPLIES)
    items: Iterator[Message] = sync_runner(t).paginate("mail.messages.list", MAIL, Message)
    assert t.urls == []
    assert next(items).subject == "subject 0"
    assert len(t.urls) == 1
    rest = list(items)
    assert [m.subject for m in rest] == [f"subject {i}" for i in range(1, 5)]
    assert all(type(m) is Message for m in rest)
    assert t.queries() == CURSOR_QUERIES


def test_cursor_pages_async() -> None:
    t = AsyncRecorder(*CURSOR_REPLIES)
    items = collect_async(async_runner(t).paginate("mail.messages.list", MAIL, Message))
    assert [m.subject for m in items] == [f"subject {i}" for i in range(5)]
    assert t.queries() == CURSOR_QUERIES


def test_offset_pages_sync_and_async() -> None:
    t = Recorder(*OFFSET_REPLIES)
    items = list(sync_runner(t).paginate("texts.list", TEXTS, TextMessage))
    assert [m.text for m in items] == [f"text {i}" for i in range(5)]
    assert all(type(m) is TextMessage for m in items)
    assert t.queries() == OFFSET_QUERIES
    a = AsyncRecorder(*OFFSET_REPLIES)
    items = collect_async(async_runner(a).paginate("texts.list", TEXTS, TextMessage))
    assert [m.text for m in items] == [f"text {i}" for i in range(5)]
    assert a.queries() == OFFSET_QUERIES


def test_a_429_mid_pagination_is_retried_and_paging_goes_on() -> None:
    replies = (cursor_page(0, 2, "c1"), RATE_LIMITED, cursor_page(2, 2, "c2"), cursor_page(4, 1, None))
    t = Recorder(*replies)
    items = list(sync_runner(t).paginate("mail.messages.list", MAIL, Message))
    assert [m.subject for m in items] == [f"subject {i}" for i in range(5)]
    # The retry sends the same page again.
    assert t.queries() == [CURSOR_QUERIES[0], CURSOR_QUERIES[1], *CURSOR_QUERIES[1:]]
    a = AsyncRecorder(*replies)
    items = collect_async(async_runner(a).paginate("mail.messages.list", MAIL, Message))
    assert len(items) == 5 and a.queries() == t.queries()


def test_an_error_page_raises_the_typed_error() -> None:
    t = Recorder(cursor_page(0, 2, "c1"), NOT_FOUND)
    items = sync_runner(t).paginate("mail.messages.list", MAIL, Message)
    assert [next(items).subject, next(items).subject] == ["subject 0", "subject 1"]
    with pytest.raises(InkboxAPIError) as info:
        next(items)
    assert (info.value.code, info.value.status_code) == ("api.not_found", 404)
    a = AsyncRecorder(cursor_page(0, 2, "c1"), NOT_FOUND)
    with pytest.raises(InkboxAPIError) as ainfo:
        collect_async(async_runner(a).paginate("mail.messages.list", MAIL, Message))
    assert ainfo.value.code == "api.not_found" and len(a.urls) == 2


def test_drive_and_paginate_share_the_step_loop() -> None:
    # `steps` hands over each page's value; `drive` runs a pager to its
    # result (the number of pages), as it runs a vault flow.
    t = Recorder(*OFFSET_REPLIES)
    r = sync_runner(t)
    values = list(r.steps(_native.PagerFlow("texts.list", TEXTS)))
    assert [len(v) for v in values] == [2, 2, 1]
    assert sync_runner(Recorder(*OFFSET_REPLIES)).drive(_native.PagerFlow("texts.list", TEXTS)) == 3
    a = AsyncRecorder(*OFFSET_REPLIES)
    assert asyncio.run(async_runner(a).drive(_native.PagerFlow("texts.list", TEXTS))) == 3
    assert a.queries() == OFFSET_QUERIES
