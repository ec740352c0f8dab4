"""Stack throughput over UDP loopback: our agent against SIPp, beside SIPp alone.

Three pairs, each searched upward over rates (a step is `seconds` long at
one rate; the search stops at the first step that fails):

- ours as UAS: SIPp's UAC floods our agent (`bench.agent_proc uas`, its own
  process) with MESSAGE; latency is SIPp's response time 1 (`-trace_rtt`).
- ours as UAC: our agent (`bench.agent_proc uac`) sends MESSAGE at the rate
  to a SIPp UAS; latency is the agent's own send-to-200 time.
- SIPp UAC to SIPp UAS: the baseline for both.

A step is sustained when every MESSAGE got its 200, none failed, and the
sender kept the pace (the step ended within 10% + 1 s of its length).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.table import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UAC_XML = HERE / "sipp" / "uac_flood.xml"
UAS_XML = HERE / "sipp" / "uas_flood.xml"

FULL_RATES = (200, 500, 1000, 2000, 4000, 8000, 16000)
SMOKE_RATES = (50,)


@dataclass
class Step:
    """One rate held for a while, and what came of it."""

    rate: int
    count: int
    ok: int
    failed: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    error: str = ""
    #: Requests SIPp's UAC sent again (timer E) because no answer came in time.
    retransmissions: int | None = None

    @property
    def sustained(self) -> bool:
        """All answered 200, nothing failed, and the pace was kept."""
        limit = self.count / self.rate * 1.1 + 1.0
        return (
            not self.error
            and self.ok == self.count
            and self.failed == 0
            and (self.seconds <= limit)
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-quantile (0..1) of `values`, nearest-rank; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _udp_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _stop(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


def _read_stats(path: Path) -> dict[str, str]:
    # SIPp's -trace_stat CSV: a header row, then one row per period; the
    # last row holds the cumulative (C) counters.
    if not path.exists():
        return {}
    rows = [r for r in path.read_text(errors="replace").splitlines() if r.strip()]
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0].split(";"), rows[-1].split(";"), strict=False))


def _read_rtts(workdir: Path) -> list[float]:
    # -trace_rtt rows: "Date_ms;response_time_ms;rtd_no" after a header row;
    # SIPp counts whole milliseconds.
    values: list[float] = []
    for path in workdir.glob("*_rtt.csv"):
        for line in path.read_text(errors="replace").splitlines()[1:]:
            parts = line.split(";")
            with contextlib.suppress(IndexError, ValueError):
                values.append(float(parts[1]))
    return values


def _sipp(workdir: Path, scenario: Path, port: int, *args: str) -> list[str]:
    binary = shutil.which("sipp")
    assert binary is not None
    return [
        binary,
        "-sf",
        str(scenario),
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-t",
        "u1",
        "-nostdin",
        "-default_behaviors",
        "all,-bye",
        "-trace_stat",
        "-stf",
        str(workdir / "stats.csv"),
        "-fd",
        "1",
        *args,
    ]


def _popen(argv: list[str], workdir: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        argv,
        cwd=workdir,
        stdout=kwargs.pop("stdout", subprocess.DEVNULL),
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,
    )


def _start_sipp_uas(workdir: Path, timeout: float) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_udp_port()
    uas_dir = workdir / "uas"
    uas_dir.mkdir()
    argv = _sipp(uas_dir, UAS_XML, port, "-timeout", f"{timeout:.0f}s")
    process = _popen(argv, uas_dir)
    deadline = time.monotonic() + 5.0
    while not _udp_bound(port):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError("SIPp UAS did not start")
        time.sleep(0.02)
    return process, port


def _sipp_uac_step(workdir: Path, remote: str, rate: int, seconds: float) -> Step:
    count = max(1, int(rate * seconds))
    uac_dir = workdir / "uac"
    uac_dir.mkdir()
    argv = _sipp(uac_dir, UAC_XML, _free_udp_port())
    argv += ["-s", "bob", "-r", str(rate), "-m", str(count), "-trace_rtt", "-rtt_freq", "10"]
    argv += ["-timeout", f"{seconds * 3 + 30:.0f}s", "-timeout_error", remote]
    start = time.monotonic()
    process = _popen(argv, uac_dir)
    try:
        process.wait(seconds * 3 + 40)
    except subprocess.TimeoutExpired:
        _stop(process)
    elapsed = time.monotonic() - start
    stats = _read_stats(uac_dir / "stats.csv")
    ok = int(stats.get("SuccessfulCall(C)", "0") or 0)
    failed = int(stats.get("FailedCall(C)", "0") or 0)
    error = "" if stats else f"SIPp UAC wrote no statistics (exit {process.returncode})"
    retransmissions = int(stats.get("Retransmissions(C)", "0") or 0)
    return Step(rate, count, ok, failed, elapsed, _read_rtts(uac_dir), error, retransmissions)


def step_sipp_pair(workdir: Path, rate: int, seconds: float) -> Step:
    """SIPp UAC to SIPp UAS for one rate."""
    uas, port = _start_sipp_uas(workdir, seconds * 3 + 60)
    try:
        return _sipp_uac_step(workdir, f"127.0.0.1:{port}", rate, seconds)
    finally:
        _stop(uas)


def _agent(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.agent_proc", *args]


def step_ours_uas(workdir: Path, rate: int, seconds: float) -> Step:
    """SIPp UAC flooding our agent (its own process) for one rate."""
    agent = subprocess.Popen(
        _agent("uas"),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert agent.stdout is not None and agent.stdin is not None
        line = agent.stdout.readline()
        if not line:
            return Step(rate, 0, 0, 0, 0.0, error="agent did not start")
        port = json.loads(line)["port"]
        step = _sipp_uac_step(workdir, f"127.0.0.1:{port}", rate, seconds)
        agent.stdin.close()
        tail = agent.stdout.readline()
        handled = json.loads(tail)["handled"] if tail else -1
        if handled < step.ok:
            step.error = f"agent handled {handled} < {step.ok} answered"
        return step
    finally:
        _stop(agent)


def step_ours_uac(workdir: Path, rate: int, seconds: float) -> Step:
    """Our agent (its own process) sending to a SIPp UAS for one rate."""
    count = max(1, int(rate * seconds))
    uas, port = _start_sipp_uas(workdir, seconds * 3 + 60)
    try:
        argv = _agent("uac", "--target", f"127.0.0.1:{port}", "--rate", str(rate))
        argv += ["--count", str(count), "--wait", f"{seconds + 35:.0f}"]
        start = time.monotonic()
        done = subprocess.run(
            argv, cwd=ROOT, capture_output=True, timeout=seconds * 3 + 60, check=False
        )
        elapsed = time.monotonic() - start
        lines = done.stdout.decode().strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = done.stderr.decode(errors="replace")[-500:]
            return Step(rate, count, 0, 0, elapsed, error=f"agent failed: {tail}")
        report = json.loads(lines[-1])
        # A final response other than 200, a timeout or a transport error,
        # or no end at all within the wait: each is a failed transaction.
        other = sum(n for status, n in report["statuses"].items() if status != "200")
        failed = report["failed"] + report["unfinished"] + other
        return Step(
            rate, count, report["ok"], failed, report["send_seconds"], report["latencies_ms"]
        )
    finally:
        _stop(uas)


StepFn = Callable[[Path, int, float], Step]


def search(step: StepFn, rates: Sequence[int], seconds: float) -> tuple[Step | None, Step]:
    """Climb `rates` until a step fails; return (best sustained, last tried)."""
    best: Step | None = None
    last: Step | None = None
    for rate in rates:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            last = step(Path(tmp), rate, seconds)
        if not last.sustained:
            break
        best = last
    assert last is not None
    return best, last


def _row(benchmark: str, subject: str, found: tuple[Step | None, Step], base: float) -> Row:
    best, last = found
    value = float(best.rate) if best is not None else None
    if best is not None:
        lat = best.latencies_ms
        detail = (
            f"p50 {percentile(lat, 0.5):.1f} / p95 {percentile(lat, 0.95):.1f} / "
            f"p99 {percentile(lat, 0.99):.1f} ms ({len(lat)} samples)"
        )
        if best.retransmissions is not None:
            detail += f", {best.retransmissions} retransmitted"
    else:
        detail = "no rate sustained"
    note = ""
    if last is not best:
        why = last.error or f"{last.ok}/{last.count} ok, {last.failed} failed, {last.seconds:.1f} s"
        note = f"{last.rate}/s failed: {why}"
    ratio = value / base if value is not None and base else None
    return Row(benchmark, subject, value, "msg/s", detail, ratio, note)


def run(*, smoke: bool) -> list[Row]:
    """The stack rows of the table (SIPp missing: rows say so)."""
    names = [
        ("stack UDP: ours as UAS", "softphone UAS ← SIPp UAC"),
        ("stack UDP: ours as UAC", "softphone UAC → SIPp UAS"),
        ("stack UDP: baseline", "SIPp UAC → SIPp UAS"),
    ]
    if shutil.which("sipp") is None:
        return [Row(b, s, None, "msg/s", note="sipp not installed") for b, s in names]
    rates = SMOKE_RATES if smoke else FULL_RATES
    seconds = 1.0 if smoke else 10.0
    base = search(step_sipp_pair, rates, seconds)
    uas = search(step_ours_uas, rates, seconds)
    uac = search(step_ours_uac, rates, seconds)
    base_rate = float(base[0].rate) if base[0] is not None else 0.0
    rows = [
        _row(names[0][0], names[0][1], uas, base_rate),
        _row(names[1][0], names[1][1], uac, base_rate),
        _row(names[2][0], names[2][1], base, 0.0),
    ]
    return rows
