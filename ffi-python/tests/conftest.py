"""Shared helpers: the cross-language vectors (tests/vectors or
$INKBOX_VECTORS_DIR)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def vectors_dir() -> Path:
    return Path(os.environ.get("INKBOX_VECTORS_DIR") or REPO / "tests" / "vectors")


def load_vectors(name: str) -> dict[str, Any]:
    path = vectors_dir() / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    # Keep the header that says where the vectors come from.
    for field in ("schema", "schema_version", "reference"):
        assert field in data, f"{path}: missing header field {field}"
    return data


@pytest.fixture(scope="session")
def webhook_vectors() -> dict[str, Any]:
    return load_vectors("webhook.json")


@pytest.fixture(scope="session")
def totp_vectors() -> dict[str, Any]:
    return load_vectors("totp.json")


@pytest.fixture(scope="session")
def vault_vectors() -> dict[str, Any]:
    return load_vectors("vault.json")
