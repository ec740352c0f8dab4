"""`softphone listen` under SIPp load, beside SIPp's own UAS, and memory rows.

The product as people run it: `python3 -m softphone registrar` (the embedded
registrar) and `python3 -m softphone listen` registered
with it (stores each message, prints it as a JSON line, answers 200), each
its own process. SIPp's UAC sends the same load to each subject: `-m`
MESSAGEs with at most `-l` outstanding (`-r` high enough never to be the
limit), UDP loopback. Rates are answered ÷ SIPp's elapsed time.

- listen: SIPp → listen directly. Afterwards the database is opened and
  every answered MESSAGE must be a row (the detail says so).
- registrar: SIPp → registrar, the same load; SIPp's sender is not one of
  its users, so each MESSAGE is answered 403 (what the registrar holds
  under load: transactions, rate limits, the parse of every request).
- baseline: SIPp → SIPp UAS (`bench/sipp/uas_flood.xml`).
- memory: peak RSS (`VmHWM` in /proc) of listen and of the registrar
  after the MESSAGE load, and in fresh processes after a flood of 64 KB
  requests (answered 413 or dropped; nothing kept).
- bytes per finished server transaction: an in-process `UserAgent` answers
  N MESSAGEs with 200 and keeps them (timer J, 32 s over UDP);
  `tracemalloc` growth ÷ N.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.stack import UAC_XML, _free_udp_port, _popen, _read_stats, _sipp, _start_sipp_uas, _stop
from bench.table import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FULL = {"messages": 10_000, "outstanding": 100, "flood": 2_000}
SMOKE = {"messages": 200, "outstanding": 20, "flood": 50}
PASSWORD = "bench-secret"


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_DATA_HOME=str(workdir / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
        PW_BOB=PASSWORD,
    )
    return env


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident set size (VmHWM) in MiB, or None."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int, tid: int | None = None) -> float | None:
    """User plus system CPU time the process (or its thread *tid*) has used so far, or None."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def _read_json_line(
    process: subprocess.Popen[bytes], want: str, timeout: float
) -> dict[str, object]:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        with contextlib.suppress(ValueError):
            data = json.loads(line)
            if isinstance(data, dict) and want in json.dumps(data):
                return data
    raise RuntimeError(f"no {want!r} line from {process.args!r}")


class Product:
    """A registrar and a `softphone listen` registered with it, in a work dir."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        env = _env(workdir)
        users = workdir / "users.toml"
        users.write_text(f'[users]\n"sip:bob@example.test" = "{PASSWORD}"\n')
        self.registrar = _popen(
            [
                *(sys.executable, "-m", "softphone", "registrar", "--users", str(users)),
                *("--domain", "example.test", "--port", "0"),
            ],
            workdir,
            stdout=subprocess.PIPE,
            env=env,
        )
        found = _read_json_line(self.registrar, "listening", 30)
        self.registrar_address = str(found["address"])
        self.db = workdir / "bob.sqlite3"
        self.port = _free_udp_port()
        self.out = (workdir / "listen.out").open("wb")
        argv = [sys.executable, "-m", "softphone", "listen", "--aor", "sip:bob@example.test"]
        argv += ["--registrar", self.registrar_address, "--password-env", "PW_BOB"]
        argv += ["--listen-host", "127.0.0.1", "--local-port", str(self.port)]
        argv += ["--db", str(self.db)]
        # The row measures the store-and-answer path, not the flood limits,
        # which would refuse SIPp's load from one address with 503.
        argv += ["--no-flood-limits"]
        self.listen = _popen(argv, workdir, stdout=self.out, env=env)
        self._wait_registered(30)

    def _wait_registered(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        path = self.workdir / "listen.out"
        while time.monotonic() < deadline:
            for line in path.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    if json.loads(line).get("state") == "registered":
                        return
            if self.listen.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("softphone listen did not register")

    def stored(self) -> int:
        """Incoming rows in listen's database (read while it runs: WAL)."""
        with contextlib.closing(sqlite3.connect(self.db)) as db:
            return int(
                db.execute("SELECT count(*) FROM messages WHERE direction='in'").fetchone()[0]
            )

    def close(self) -> None:
        _stop(self.listen)
        _stop(self.registrar)
        self.out.close()


def sipp_load(
    workdir: Path, remote: str, messages: int, outstanding: int
) -> tuple[int, int, float]:
    """SIPp UAC: (answered 200, failed, elapsed seconds) for the closed-loop load."""
    uac_dir = workdir / f"uac-{time.monotonic_ns()}"
    uac_dir.mkdir()
    argv = _sipp(uac_dir, UAC_XML, _free_udp_port())
    argv += ["-s", "bob", "-r", "100000", "-l", str(outstanding), "-m", str(messages)]
    argv += ["-timeout", "300s", "-timeout_error", remote]
    start = time.monotonic()
    process = _popen(argv, uac_dir)
    try:
        process.wait(320)
    except subprocess.TimeoutExpired:
        _stop(process)
    elapsed = time.monotonic() - start
    stats = _read_stats(uac_dir / "stats.csv")
    ok = int(stats.get("SuccessfulCall(C)", "0") or 0)
    failed = int(stats.get("FailedCall(C)", "0") or 0)
    return ok, failed, elapsed


def flood_64k(address: str, count: int) -> None:
    """Send *count* 64 KB MESSAGE requests to *address* as fast as the socket takes them."""
    host, _, port = address.rpartition(":")
    padding = 65_000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.bind(("127.0.0.1", 0))
        local = sender.getsockname()[1]
        for number in range(count):
            head = (
                f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bKbig{number}\r\n"
                f"From: <sip:mallory@example.test>;tag=m{number}\r\nTo: <sip:bob@example.test>\r\n"
                f"Call-ID: big{number}@x\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n"
                f"Content-Type: text/plain\r\nContent-Length: {padding}\r\n\r\n"
            ).encode()
            data = (head + b"x" * padding)[:65_507]
            with contextlib.suppress(OSError):
                sender.sendto(data, (host, int(port)))
            if number % 64 == 63:
                time.sleep(0.002)  # let the receivers read; a flood, not a socket test
    time.sleep(1.0)


def bytes_per_server_transaction(count: int) -> float:
    """tracemalloc growth per finished (Completed) non-INVITE server transaction."""
    import asyncio

    from softphone.agent import IncomingRequest, UserAgent
    from softphone.transport.base import Address, TransportKind

    class Capture:
        kind = TransportKind.UDP
        local = Address("127.0.0.1", 5060)

        def send(
            self, data: bytes, destination: Address, *, server_name: str | None = None
        ) -> None:
            pass

        def close(self) -> None:
            pass

    def request(number: int) -> bytes:
        body = b"hello"
        return (
            f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKtx{number};rport\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:carol@example.test>;tag=t{number}\r\n"
            f"To: <sip:bob@example.test>\r\nCall-ID: tx{number}@192.0.2.9\r\n"
            f"CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def measure() -> float:
        agent = UserAgent()
        transport = Capture()

        def answer(incoming: IncomingRequest) -> None:
            incoming.respond(200)

        agent.handle("MESSAGE", answer)
        source = Address("192.0.2.9", 5060)
        for number in range(50):  # warm caches, interned strings, the table's dict
            agent.receive(request(-number - 1), source, transport)  # type: ignore[arg-type]
        datagrams = [request(n) for n in range(count)]
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for data in datagrams:
            agent.receive(data, source, transport)  # type: ignore[arg-type]
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        held = agent.pending_transactions
        growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        agent.close()
        return growth / max(1, held - 50)

    return asyncio.run(measure())


def _rate_row(
    name: str, subject: str, result: tuple[int, int, float], base: float | None, extra: str
) -> Row:
    ok, failed, elapsed = result
    rate = ok / elapsed if elapsed else None
    ratio = rate / base if rate is not None and base else None
    detail = f"{ok} answered, {failed} failed, {elapsed:.1f} s{extra}"
    return Row(name, subject, rate, "msg/s", detail, ratio)


def run(*, smoke: bool) -> list[Row]:
    """The listen, memory and transaction-size rows."""
    load = SMOKE if smoke else FULL
    n, outstanding, flood = load["messages"], load["outstanding"], load["flood"]
    name = f"listen: {n:,} MESSAGEs, ≤{outstanding} outstanding"
    mem = "memory: peak RSS"
    rows: list[Row] = []
    if shutil.which("sipp") is None:
        missing = [
            (name, "softphone listen ← SIPp UAC", "msg/s"),
            (name, "SIPp UAC → SIPp UAS (baseline)", "msg/s"),
            (mem, f"softphone listen, {n:,} MESSAGEs", "MiB"),
            (mem, f"softphone registrar, {n:,} MESSAGEs", "MiB"),
            (mem, f"softphone listen, {flood:,} × 64 KB", "MiB"),
            (mem, f"softphone registrar, {flood:,} × 64 KB", "MiB"),
        ]
        rows = [Row(b, s, None, u, note="sipp not installed") for b, s, u in missing]
        return [*rows, _transaction_row(smoke)]
    with tempfile.TemporaryDirectory(prefix="bench-listen-") as tmp:
        workdir = Path(tmp)
        uas, port = _start_sipp_uas(workdir, 600)
        try:
            base = sipp_load(workdir, f"127.0.0.1:{port}", n, outstanding)
        finally:
            _stop(uas)
        base_rate = base[0] / base[2] if base[2] else None
        product = Product(workdir / "direct")
        try:
            pid = product.listen.pid
            cpu_before = cpu_seconds(pid)
            # The event loop's thread is the main one (its id is the pid):
            # its share of the elapsed time says whether the loop was the
            # limit or waited (for the disk, for SIPp).
            loop_before = cpu_seconds(pid, pid)
            direct = sipp_load(workdir, f"127.0.0.1:{product.port}", n, outstanding)
            cpu_after = cpu_seconds(pid)
            loop_after = cpu_seconds(pid, pid)
            stored = product.stored()
            listen_peak = peak_rss_mib(product.listen.pid)
            relayed = sipp_load(workdir, product.registrar_address, n, outstanding)
            registrar_peak = peak_rss_mib(product.registrar.pid)
        finally:
            product.close()
        on_disk = f"; {stored} rows on disk" + (
            " (every answered one)" if stored >= direct[0] else " (ROWS MISSING)"
        )
        if cpu_before is not None and cpu_after is not None and direct[0]:
            # CPU per message moves less than the rate when others share the cores.
            on_disk += f"; {(cpu_after - cpu_before) / direct[0] * 1e6:,.0f} µs CPU each"
            if loop_before is not None and loop_after is not None and direct[2]:
                loop_cpu = loop_after - loop_before
                on_disk += (
                    f" ({loop_cpu / direct[0] * 1e6:,.0f} on the loop's thread,"
                    f" running {loop_cpu / direct[2]:.0%} of the time)"
                )
        rows.append(_rate_row(name, "softphone listen ← SIPp UAC", direct, base_rate, on_disk))
        rows.append(_rate_row(name, "SIPp UAC → SIPp UAS (baseline)", base, None, ""))
        rows.append(
            Row(
                mem, f"softphone listen, {n:,} MESSAGEs", listen_peak, "MiB", "VmHWM after the load"
            )
        )
        rows.append(
            Row(
                mem,
                f"softphone registrar, {n:,} MESSAGEs",
                registrar_peak,
                "MiB",
                f"VmHWM after the load; {relayed[1]} refused (the sender is not one"
                f" of its users), {relayed[0]} 200, {relayed[2]:.1f} s",
            )
        )
        product = Product(workdir / "flood")
        try:
            flood_64k(f"127.0.0.1:{product.port}", flood)
            flood_64k(product.registrar_address, flood)
            rows.append(
                Row(
                    mem,
                    f"softphone listen, {flood:,} × 64 KB",
                    peak_rss_mib(product.listen.pid),
                    "MiB",
                    "VmHWM after the flood",
                )
            )
            rows.append(
                Row(
                    mem,
                    f"softphone registrar, {flood:,} × 64 KB",
                    peak_rss_mib(product.registrar.pid),
                    "MiB",
                    "VmHWM after the flood",
                )
            )
        finally:
            product.close()
    return [*rows, _transaction_row(smoke)]


def _transaction_row(smoke: bool) -> Row:
    count = 500 if smoke else 5_000
    return Row(
        "memory: per finished server transaction",
        "softphone UserAgent (MESSAGE, 200 sent)",
        bytes_per_server_transaction(count),
        "bytes",
        f"tracemalloc growth ÷ {count} transactions held for timer J",
    )
