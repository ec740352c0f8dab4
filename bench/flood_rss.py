"""Peak RSS of `softphone listen` and `softphone registrar` under a 64 KB flood.

    python3 -m bench.flood_rss [--seconds 25] [--rate 1000] [--after 40]
                               [--target listen|registrar|both|listen-db] [--tree DIR]

Starts `softphone registrar` on loopback and `softphone listen` registered
with it, then sends the chosen process 64 KB UDP requests at --rate per
second for --seconds (NOTIFYs for a subscription that does not exist to the
client, which it answers 481; MESSAGEs for a user that does not exist to the
registrar), sampling the process's RSS every 0.2 s. After the flood it waits
--after seconds (timer J is 32 s) and reads the RSS again. `listen-db`
floods the client with MESSAGEs of 16 KB (the largest body it stores) from
1,000 rotating From addresses and reports how much its database grew. --tree
runs the
product from another checkout (to measure an older commit). Prints one JSON
object per target: idle, peak and after RSS in MiB, requests sent.

Traffic goes to 127.0.0.1 only; the flood stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: The body that makes each request about 64 KB.
BODY = b"x" * 63_000


def rss_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of *pid* in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def db_size(db: Path) -> int:
    """Bytes of the database and its write-ahead log."""
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def stored(db: Path) -> tuple[int, int]:
    """(incoming messages, bytes of their bodies) in the database, read alongside."""
    if not db.exists():
        return 0, 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        rows, body = con.execute(
            "SELECT count(*), coalesce(sum(length(CAST(body AS BLOB))), 0)"
            " FROM messages WHERE direction = 'in'"
        ).fetchone()
    return int(rows), int(body)


def free_port() -> int:
    """A port free for both UDP and TCP on loopback."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def flood_request(method: str, uri: str, number: int, port: int) -> bytes:
    body = BODY
    sender = "mallory"
    if method == "MESSAGE" and uri.startswith("sip:bob@"):
        body = b"m" * 16_000  # stored, not refused for its size
        sender = f"user{number % 1000}"
    tag = f";tag=nosuchdialog{number}" if method == "NOTIFY" else ""
    event = "Event: reg\r\nSubscription-State: active;expires=60\r\n" if method == "NOTIFY" else ""
    head = (
        f"{method} {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKrss{number};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:{sender}@example.com>;tag=m{number}\r\n"
        f"To: <{uri}>{tag}\r\n"
        f"Call-ID: rss-{number}@127.0.0.1\r\n"
        f"CSeq: 1 {method}\r\n{event}"
        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def flood(
    pid: int, port: int, method: str, uri: str, seconds: float, rate: float
) -> dict[str, Any]:
    """Send 64 KB requests to 127.0.0.1:*port*; return sent count and peak RSS."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    own = sock.getsockname()[1]
    start = time.monotonic()
    next_sample = start
    sent = 0
    peak = 0.0
    answers: dict[str, int] = {}
    while (now := time.monotonic()) < start + seconds:
        due = int((now - start) * rate)
        while sent < due:
            try:
                sock.sendto(flood_request(method, uri, sent, own), ("127.0.0.1", port))
            except BlockingIOError:
                break
            sent += 1
        try:  # drain the answers so the socket never blocks the loop
            while answer := sock.recv(65535):
                status = answer[8:11].decode("ascii", "replace")
                answers[status] = answers.get(status, 0) + 1
        except BlockingIOError:
            pass
        if now >= next_sample:
            peak = max(peak, rss_mib(pid)[0])
            next_sample = now + 0.2
        time.sleep(0.001)
    sock.close()
    return {"sent": sent, "peak_rss_mib": max(peak, rss_mib(pid)[1]), "answers": answers}


def read_json_line(process: subprocess.Popen[str], key: str, value: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        obj = json.loads(line)
        if obj.get(key) == value:
            return obj
    raise RuntimeError(f"no {key}={value} from {process.args}")


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _ in process.stdout:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="requests per second")
    parser.add_argument("--after", type=float, default=40.0, help="seconds to wait after")
    parser.add_argument(
        "--target", choices=["listen", "registrar", "both", "listen-db"], default="both"
    )
    parser.add_argument("--tree", type=Path, help="run the product from this checkout")
    args = parser.parse_args(argv)
    env = dict(os.environ, PW="bob-pw")
    if args.tree is not None:
        env["PYTHONPATH"] = str(args.tree.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.toml"
        users.write_text('[users]\n"sip:bob@example.com" = "bob-pw"\n')
        registrar_port = free_port()
        registrar = subprocess.Popen(
            [
                *(sys.executable, "-m", "softphone", "registrar", "--users", str(users)),
                *("--port", str(registrar_port), "--domain", "example.com"),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp,
        )
        listen_port = free_port()
        listen = None
        chosen: list[str] = []
        db_start = 0
        try:
            read_json_line(registrar, "event", "listening", 20)
            listen = subprocess.Popen(
                [
                    *(sys.executable, "-m", "softphone", "listen", "--aor", "sip:bob@example.com"),
                    *("--registrar", f"127.0.0.1:{registrar_port}", "--password-env", "PW"),
                    *("--local-port", str(listen_port), "--db", str(Path(tmp) / "bob.db")),
                    *("--listen-host", "127.0.0.1"),
                ],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=tmp,
            )
            read_json_line(listen, "state", "registered", 20)
            # Every stored message is a JSON line on its stdout: read them, or
            # a full pipe would stop the process after a few 16 KB lines.
            for process in (listen, registrar):
                threading.Thread(target=_drain, args=(process,), daemon=True).start()
            targets = {
                "listen": (listen, listen_port, "NOTIFY", "sip:bob@127.0.0.1"),
                "listen-db": (listen, listen_port, "MESSAGE", "sip:bob@example.com"),
                "registrar": (registrar, registrar_port, "MESSAGE", "sip:nobody@example.com"),
            }
            chosen = ["listen", "registrar"] if args.target == "both" else [args.target]
            db = Path(tmp) / "bob.db"
            db_start = db_size(db)
            for name in chosen:
                process, port, method, uri = targets[name]
                db_before = db_size(db)
                rows_before, body_before = stored(db)
                idle = rss_mib(process.pid)[0]
                figures = flood(process.pid, port, method, uri, args.seconds, args.rate)
                time.sleep(args.after)
                after = rss_mib(process.pid)[0]
                growth = db_size(db) - db_before
                rows, body = stored(db)
                disk = {}
                if name == "listen-db":
                    # The store's growth per second from one flooding address,
                    # with the product's default limits (softphone/ratelimit.py).
                    disk = {
                        "db_growth_bytes": growth,
                        "db_growth_bytes_per_s": round(growth / args.seconds),
                        "stored_messages": rows - rows_before,
                        "stored_body_bytes": body - body_before,
                    }
                print(
                    json.dumps(
                        {
                            **disk,
                            "target": name,
                            "request_bytes": len(flood_request(method, uri, 0, 9)),
                            "seconds": args.seconds,
                            "rate": args.rate,
                            "sent": figures["sent"],
                            "answers": figures["answers"],
                            "idle_rss_mib": round(idle, 1),
                            "peak_rss_mib": round(figures["peak_rss_mib"], 1),
                            "after_rss_mib": round(after, 1),
                            "db_growth_mib": round(growth / 2**20, 1),
                        }
                    ),
                    flush=True,
                )
        finally:
            for process in (listen, registrar):
                if process is not None:
                    process.terminate()
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        process.kill()
        if "listen-db" in chosen:
            # Closed, the write-ahead log is folded into the database: what
            # the flood left on disk for good.
            closed = db_size(Path(tmp) / "bob.db")
            print(
                json.dumps(
                    {"target": "listen-db", "db_growth_after_close_bytes": closed - db_start}
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
