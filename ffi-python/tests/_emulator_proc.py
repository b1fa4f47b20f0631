"""Starts and stops the local Inkbox emulator (tests/emulator) as a process,
for tests that drive it from outside (the examples).

    with running_emulator() as emu:
        emu.url, emu.admin_api_key, emu.organization_id

The binary: $INKBOX_EMULATOR_BIN, else $CARGO_TARGET_DIR/debug/inkbox-emulator,
else <repo>/target/debug/inkbox-emulator (``cargo build -p inkbox-emulator``).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def emulator_bin() -> Path:
    explicit = os.environ.get("INKBOX_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO / "target"
    if not base.is_absolute():
        base = REPO / base
    return base / "debug" / "inkbox-emulator"


@dataclass
class EmulatorProc:
    url: str
    admin_api_key: str
    organization_id: str
    proc: "subprocess.Popen[bytes]"

    def env(self) -> dict[str, str]:
        """The environment the examples read: this emulator, its admin key."""
        return {"INKBOX_API_KEY": self.admin_api_key, "INKBOX_BASE_URL": self.url, "INKBOX_EMULATOR": "1"}


@contextmanager
def running_emulator(extra_args: list[str] | None = None) -> Iterator[EmulatorProc]:
    """A fresh emulator on a free loopback port (its own org and state);
    stopped with SIGTERM on exit, which must end it with status 0."""
    binary = emulator_bin()
    if not binary.is_file():
        raise FileNotFoundError(f"emulator binary not found at {binary} (cargo build -p inkbox-emulator)")
    proc = subprocess.Popen(
        [str(binary), "--port", "0", *(extra_args or [])],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: "queue.Queue[bytes]" = queue.Queue()

    def pump() -> None:  # the hello line, then keep draining so the emulator never blocks
        for line in iter(stdout.readline, b""):
            lines.put(line)
        lines.put(b"")

    pumper = threading.Thread(target=pump, name="emulator-stdout", daemon=True)
    pumper.start()

    def stop() -> int | None:
        code = _stop(proc)
        pumper.join(timeout=STOP_TIMEOUT)
        stdout.close()
        return code

    try:
        try:
            first = lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            raise RuntimeError(f"emulator printed nothing within {STARTUP_TIMEOUT} s") from None
        if not first:
            raise RuntimeError(f"emulator exited ({proc.wait(timeout=STOP_TIMEOUT)}) before printing its address")
        hello = json.loads(first)
        emu = EmulatorProc(hello["url"], hello["admin_api_key"], hello["organization_id"], proc)
    except BaseException:
        stop()
        raise
    try:
        yield emu
    finally:
        code = stop()
    if code != 0:
        raise RuntimeError(f"emulator exited with {code} after SIGTERM (expected 0)")


def _stop(proc: "subprocess.Popen[bytes]") -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(timeout=STOP_TIMEOUT)
    return proc.returncode
