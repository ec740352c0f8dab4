"""The benchmarks keep working: `python3 -m bench --smoke` prints every row.

No time threshold is asserted (the machine is shared); only that each row
is there and its numbers are sane.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.parse_corpus import REALISTIC, full_parse
from bench.parsers import split_floor
from bench.stack import Step, percentile

ROOT = Path(__file__).resolve().parent.parent

PARSE_ROWS = [
    ("parse: messenger traffic", "softphone"),
    ("parse: messenger traffic", "sippy"),
    ("parse: messenger traffic", "pyVoIP"),
    ("parse: messenger traffic", "split on CRLF (floor)"),
    ("parse: RFC 4475 valid set", "softphone"),
]
STACK_ROWS = [
    ("stack UDP: ours as UAS", "softphone UAS ← SIPp UAC"),
    ("stack UDP: ours as UAC", "softphone UAC → SIPp UAS"),
    ("stack UDP: baseline", "SIPp UAC → SIPp UAS"),
]
NUMBER = re.compile(r"^([0-9,]+) msg/s$")


def _table(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split(" | ")), strict=True))
        for line in lines[2:]
    ]


def _value(row: dict[str, str]) -> int:
    match = NUMBER.match(row["median"])
    assert match, row
    return int(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--results", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The file holds exactly what was printed.
    assert out.read_text() == done.stdout
    return done.stdout


def test_smoke_table_has_every_row_in_order(smoke_report: str) -> None:
    rows = _table(smoke_report)
    names = [(row["benchmark"], row["subject"]) for row in rows]
    # Installed peers carry their version after the name.
    peers = ("sippy", "pyVoIP")
    normalised = [(b, s.split(" ")[0] if s.startswith(peers) else s) for b, s in names]
    assert normalised == PARSE_ROWS + STACK_ROWS


def test_smoke_report_describes_the_machine(smoke_report: str) -> None:
    first = smoke_report.splitlines()[0]
    assert first.startswith("Machine: ")
    assert re.search(r", \d+ cores, Python CPython 3\.\d+\.\d+, ", first), first
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", first), first
    assert "python3 -m bench --smoke" in smoke_report


def test_smoke_parse_rows_are_positive_or_say_the_peer_is_missing(smoke_report: str) -> None:
    rows = [r for r in _table(smoke_report) if r["benchmark"].startswith("parse")]
    for row in rows:
        if row["notes"] == "peer not installed":
            assert row["subject"] in ("sippy", "pyVoIP")
            assert (row["median"], row["ratio"]) == ("—", "")
            continue
        assert _value(row) > 0, row
        if row["subject"] != "softphone":
            ratio = float(row["ratio"].rstrip("x"))
            assert ratio > 0, row
    ours = next(r for r in rows if r["subject"] == "softphone")
    floor = next(r for r in rows if r["subject"].startswith("split"))
    # The floor does strictly less work than any real parser.
    assert _value(floor) > _value(ours)


def test_smoke_stack_rows_have_rate_and_latency(smoke_report: str) -> None:
    rows = [r for r in _table(smoke_report) if r["benchmark"].startswith("stack")]
    if shutil.which("sipp") is None and os.environ.get("CI", "").lower() != "true":
        assert all(r["notes"] == "sipp not installed" for r in rows)
        return
    for row in rows:
        # Smoke mode holds one step at 50 messages/second for 1 s.
        assert _value(row) == 50, row
        samples = re.search(r"\((\d+) samples\)", row["detail"])
        assert samples and int(samples.group(1)) == 50, row
        assert row["notes"] == "", row
    for row in rows[:2]:
        assert float(row["ratio"].rstrip("x")) == 1.0, row


def test_every_corpus_message_parses_in_each_parser_we_own() -> None:
    for data in REALISTIC:
        message = full_parse(data)
        start, headers, _ = split_floor(data)  # type: ignore[misc]
        assert start == data.split(b"\r\n", 1)[0]
        assert len(headers) == len(message.headers)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (0.5, 0.95, 0.99, 1.0)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([], 0.5) == 0.0
    assert percentile([7.0], 0.99) == 7.0


def test_step_is_sustained_only_when_all_answered_in_pace() -> None:
    assert Step(100, 1000, 1000, 0, 10.5).sustained
    assert not Step(100, 1000, 999, 0, 10.5).sustained  # one unanswered
    assert not Step(100, 1000, 1000, 1, 10.5).sustained  # one failed
    assert not Step(100, 1000, 1000, 0, 13.0).sustained  # fell behind the pace
    assert not Step(100, 1000, 1000, 0, 10.0, error="agent did not start").sustained
