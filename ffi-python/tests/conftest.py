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


# ---- the emulator, for the client tests ------------------------------------------

import json as _json  # noqa: E402
import os as _os  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import urllib.error as _urlerror  # noqa: E402
import urllib.request as _urlrequest  # noqa: E402
from collections.abc import Iterator as _Iterator  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402

from _emulator_proc import emulator_bin, running_emulator  # noqa: E402


def _emulator_bin() -> Path:
    """The emulator binary (see ``_emulator_proc.emulator_bin``), built when missing."""
    binary = emulator_bin()
    if not binary.is_file() and not _os.environ.get("INKBOX_EMULATOR_BIN"):
        _subprocess.run(
            ["cargo", "build", "-q", "-p", "inkbox-emulator"],
            cwd=REPO,
            check=True,
            env={**_os.environ, "CARGO_TARGET_DIR": str(binary.parent.parent)},
        )
    return binary


@_dataclass
class EmulatorProcess:
    """A running emulator and its control API."""

    url: str
    admin_key: str
    org_id: str
    proc: "_subprocess.Popen[bytes]"

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else _json.dumps(body).encode()
        req = _urlrequest.Request(self.url + path, data=data, method=method)
        req.add_header("X-API-Key", self.admin_key)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with _urlrequest.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except _urlerror.HTTPError as err:
            raise AssertionError(f"control {method} {path}: {err.code} {err.read()!r}") from None
        return _json.loads(raw) if raw else None

    def fault(self, **spec: Any) -> None:
        """Queues a fault for the next API request(s) (``count``, ``status``,
        ``retry_after``, ``path_prefix``, ...)."""
        self.control("POST", "/_emulator/faults", spec)


@pytest.fixture(scope="session")
def emulator() -> _Iterator[EmulatorProcess]:
    """One emulator process for the session (``--port 0``), stopped at the end."""
    _emulator_bin()  # built when missing
    with running_emulator() as emu:
        yield EmulatorProcess(url=emu.url, admin_key=emu.admin_api_key, org_id=emu.organization_id, proc=emu.proc)
