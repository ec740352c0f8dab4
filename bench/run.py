"""Run every benchmark and print one table.

    python3 -m bench            full run: 7 interleaved 1 s parser runs per
                                subject, stack rate search with 10 s steps
    python3 -m bench --smoke    one short run of each (CI keeps them working)
    python3 -m bench --parse-only   parsers only
    python3 -m bench --only chat --only startup
                                only those benchmarks (parse, stack, listen,
                                chat, presence, roundtrip, idle, startup)
    python3 -m bench --results bench/RESULTS.md
                                also write the table to that file

Peers are imported if installed (`pip install pyVoIP==1.6.8 sippy==2.5.0`);
a missing one gives a row that says so. Nothing is installed from here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import chat, idle, listen, machine, parsers, presence, roundtrip, stack, startup
from bench.table import Row, render

RATIO_NOTE = (
    "ratio: parse rows are ours ÷ that row, the median of the rounds' ratios "
    "(above 1 means we are faster); "
    "stack rows are ours ÷ the SIPp-to-SIPp rate; chat view, presence and "
    "start-up rows are that row ÷ ours (above 1 means ours is faster or smaller); "
    "the round-trip row is the second message ÷ the first."
)

#: Every benchmark, in table order.
BENCHMARKS = ("parse", "stack", "listen", "chat", "presence", "roundtrip", "idle", "startup")


def collect(
    *, smoke: bool, parse_only: bool = False, only: Sequence[str] | None = None
) -> list[Row]:
    """Every row (or those of *only*), measured now, in table order."""
    chosen = set(only or BENCHMARKS)
    if parse_only:
        chosen = {"parse"}
    rows: list[Row] = []
    if "parse" in chosen:
        repeats, seconds = (1, 0.05) if smoke else (7, 1.0)
        rows += parsers.run(repeats=repeats, seconds=seconds)
    if "stack" in chosen:
        rows += stack.run(smoke=smoke)
    if "listen" in chosen:
        rows += listen.run(smoke=smoke)
    if "chat" in chosen:
        rows += chat.run(smoke=smoke)
    if "presence" in chosen:
        rows += presence.run(smoke=smoke)
    if "roundtrip" in chosen:
        rows += roundtrip.run(smoke=smoke)
    if "idle" in chosen:
        rows += idle.run(smoke=smoke)
    if "startup" in chosen:
        rows += startup.run(smoke=smoke)
    return rows


def report(rows: Sequence[Row], *, smoke: bool, command: str) -> str:
    """The table with the machine and how it was made."""
    here = machine.current()
    mode = "smoke (numbers are not meaningful)" if smoke else "full"
    return "\n".join(
        [
            f"Machine: {here.describe()}",
            f"Mode: {mode}. Command: `{command}`",
            "",
            render(rows),
            "",
            RATIO_NOTE,
        ]
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python3 -m bench`."""
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one short run of each benchmark")
    parser.add_argument("--parse-only", action="store_true", help="the parser benchmark only")
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument("--results", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    command = "python3 -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    rows = collect(smoke=args.smoke, parse_only=args.parse_only, only=args.only)
    text = report(rows, smoke=args.smoke, command=command.strip())
    print(text, flush=True)
    if args.results is not None:
        args.results.write_text(text + "\n")
