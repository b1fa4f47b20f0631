"""Model fields typed ``UUID`` read the wire string as ``uuid.UUID``. The
canonical form is built natively (``_native.Field(uuid=True)``); it must be
indistinguishable from ``UUID(value)``, and every other form must read as
``_convert`` reads it (``UUID(value)``, or the ``str`` when that refuses)."""

from __future__ import annotations

import copy
import pickle
import random
import uuid
from typing import Any

import pytest

from inkbox._models import _convert
from inkbox.mail.types import Message

NOW = "2026-12-07T00:00:00Z"


def _message(id_value: Any) -> Message:
    return Message._from({"id": id_value, "mailbox_id": id_value, "thread_id": None, "created_at": NOW})


def test_canonical_strings_read_as_uuid_init_builds_them() -> None:
    rng = random.Random(7)
    samples = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(500)]
    samples += [s.upper() for s in samples[:50]] + [str(uuid.UUID(int=0)), str(uuid.UUID(int=(1 << 128) - 1))]
    samples += [str(uuid.uuid4()) for _ in range(20)]
    for s in samples:
        got = _message(s).id
        want = uuid.UUID(s)
        assert type(got) is uuid.UUID
        assert got == want and got.int == want.int and hash(got) == hash(want)
        assert str(got) == str(want) and repr(got) == repr(want)
        assert got.is_safe is want.is_safe is uuid.SafeUUID.unknown
        assert got.version == want.version and got.variant == want.variant
        assert _message(s).mailbox_id == want


def test_native_uuids_are_real_uuids() -> None:
    got = _message("12345678-9abc-4def-8123-456789abcdef").id
    with pytest.raises(TypeError):
        got.int = 5  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(got)) == got
    assert copy.deepcopy(got) == got
    assert {got: 1}[uuid.UUID("12345678-9abc-4def-8123-456789abcdef")] == 1


@pytest.mark.parametrize(
    "value",
    [
        "{12345678-9abc-4def-8123-456789abcdef}",
        "urn:uuid:12345678-9abc-4def-8123-456789abcdef",
        "123456789abc4def8123456789abcdef",
        "12345678-9abc-4def-8123-456789abcdeg",
        "12345678_9abc-4def-8123-456789abcdef",
        "12345678-9abc-4def-8123-456789abcde",
        "12345678-9abc-4def-8123-456789abcdeff",
        "not-a-uuid",
        "",
        "１2345678-9abc-4def-8123-456789abcde",
    ],
)
def test_other_forms_read_as_convert_reads_them(value: str) -> None:
    got = _message(value).id
    want = _convert(value, uuid.UUID)
    assert type(got) is type(want) and got == want


def test_non_strings_and_absent_values() -> None:
    assert _message(None).id is None
    u = uuid.uuid4()
    assert _message(u).id == u
    assert Message._from({}).id is None
