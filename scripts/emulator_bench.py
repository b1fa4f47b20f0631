#!/usr/bin/env python3
"""Benchmark of the emulator's persistence (`--data`): send latency by store
size and throughput under concurrent clients. Python 3.11 stdlib only.

Run through scripts/emulator-bench.sh (which builds the binary); not a test.

Phases, all against one emulator started with `--data` on a fresh file:
  1. for each level L of --levels (default 0,1000,20000 stored mail
     messages): fill the store with sends until it holds L messages (8
     concurrent fillers), then time --samples sequential sends from one
     client (one keep-alive connection) and report median and p99;
  2. --clients concurrent clients (default 32), each alternating a send
     to another identity and a list of its own mailbox, for --duration
     seconds: requests/s, p50 and p99 of all requests and of the sends.
A send goes to an address outside the emulator, so it stores exactly one
message (plus its thread and outbox entry); phase 2's sends are local
deliveries (two messages each).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, url: str, key: str) -> None:
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.key = u.hostname, u.port, key
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, method: str, path: str, body: object | None = None) -> tuple[int, object]:
        headers = {"X-API-Key": self.key, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)

    def ok(self, method: str, path: str, body: object | None = None) -> object:
        status, out = self.call(method, path, body)
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path} -> {status}: {out}")
        return out


def send_path(address: str) -> str:
    return f"/api/v1/mail/mailboxes/{urllib.parse.quote(address, safe='')}/messages"


def send_body(to: str, subject: str) -> dict:
    return {"recipients": {"to": [to]}, "subject": subject, "body_text": "benchmark body " * 8}


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def ms(v: float) -> str:
    return f"{v * 1000:.2f} ms"


def stored_messages(c: Client) -> int:
    return int(c.ok("GET", "/_emulator/state")["counts"]["messages"])


def fill(url: str, key: str, sender: str, target: int, have: int) -> None:
    """Sends until the store holds `target` messages (one per send)."""
    todo = target - have
    if todo <= 0:
        return
    workers = 8
    errors: list[BaseException] = []

    def run(n: int, w: int) -> None:
        try:
            c = Client(url, key)
            for i in range(n):
                c.ok("POST", send_path(sender), send_body("out@example.com", f"fill {w}-{i}"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(todo // workers + (w < todo % workers), w)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the inkbox-emulator binary")
    ap.add_argument("--levels", default="0,1000,20000", help="stored-message levels (comma separated)")
    ap.add_argument("--samples", type=int, default=300, help="timed sends per level")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=5.0, help="seconds of the concurrent phase")
    ap.add_argument("--data-dir", default=None, help="where the state file goes (default: a temp dir)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]

    tmp = tempfile.mkdtemp(prefix="emulator-bench-", dir=args.data_dir)
    db = os.path.join(tmp, "state.sqlite")
    proc = subprocess.Popen([args.bin, "--port", "0", "--data", db], stdout=subprocess.PIPE, text=True)
    try:
        hello = json.loads(proc.stdout.readline())
        url, key = hello["url"], hello["admin_api_key"]
        admin = Client(url, key)
        handles = [f"bench-{i}" for i in range(args.clients)]
        addresses = [admin.ok("POST", "/api/v1/identities", {"agent_handle": h})["email_address"] for h in handles]
        sender = addresses[0]
        print(f"emulator {args.bin}\nstate file {db}")
        print(f"{'stored':>8}  {'send median':>12}  {'send p99':>10}  {'file size':>10}")
        for level in levels:
            have = stored_messages(admin)
            if have > level:
                print(f"{level:>8}  (skipped: the store already holds {have})")
                continue
            fill(url, key, sender, level, have)
            c = Client(url, key)
            lat = []
            for i in range(args.samples):
                t = time.perf_counter()
                c.ok("POST", send_path(sender), send_body("out@example.com", f"timed {level}-{i}"))
                lat.append(time.perf_counter() - t)
            size = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp))
            print(f"{level:>8}  {ms(statistics.median(lat)):>12}  {ms(pct(lat, 99)):>10}  {size / 1e6:>8.1f} MB")

        # Phase 2: concurrent clients, send + list each.
        stop = time.perf_counter() + args.duration
        all_lat: list[list[float]] = [[] for _ in range(args.clients)]
        send_lat: list[list[float]] = [[] for _ in range(args.clients)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(args.clients + 1)

        def client(i: int) -> None:
            try:
                c = Client(url, key)
                me, peer = addresses[i], addresses[(i + 1) % len(addresses)]
                barrier.wait()
                n = 0
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    c.ok("POST", send_path(me), send_body(peer, f"load {i}-{n}"))
                    d = time.perf_counter() - t
                    all_lat[i].append(d)
                    send_lat[i].append(d)
                    t = time.perf_counter()
                    c.ok("GET", send_path(me) + "?limit=20")
                    all_lat[i].append(time.perf_counter() - t)
                    n += 1
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        barrier.wait()
        started = time.perf_counter()
        stop = started + args.duration
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise errors[0]
        every = [x for l in all_lat for x in l]
        sends = [x for l in send_lat for x in l]
        print(
            f"{args.clients} clients (send + list each), {elapsed:.1f} s, store from {stored_messages(admin) - 2 * len(sends)}"
            f" messages: {len(every) / elapsed:.0f} requests/s, p50 {ms(statistics.median(every))},"
            f" p99 {ms(pct(every, 99))}; sends p50 {ms(statistics.median(sends))}, p99 {ms(pct(sends, 99))}"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
