"""Chat view with a long history: ours beside a QListWidget and a QTextBrowser.

The conversation (100,000 messages; 2,000 in smoke mode) is built once per
run in a temporary directory (`bench.history`). Every measurement runs in a
fresh offscreen process (`bench.chat_proc`) on its own copy of the
database, so memory is one widget's growth and appends do not pile up
across runs. Runs of the three subjects are interleaved; each row is the
median over runs (append and scroll: median of each run's median).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import history
from bench.table import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Targets from the issue.
FIRST_FRAME_TARGET_MS = 200.0
APPEND_TARGET_MS = 5.0

SUBJECTS = (
    ("chatview", "ChatView (softphone)"),
    ("listwidget", "QListWidget, item per message"),
    ("textbrowser", "QTextBrowser, HTML paragraphs"),
)


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    messages: int
    runs: int
    appends: int
    scrolls: int
    timeout: float


FULL = Plan(messages=100_000, runs=5, appends=10, scrolls=20, timeout=300.0)
SMOKE = Plan(messages=2_000, runs=1, appends=3, scrolls=3, timeout=60.0)


def _run_one(subject: str, db: Path, plan: Plan, workdir: Path) -> dict[str, object]:
    copy = workdir / f"{subject}.sqlite3"
    shutil.copyfile(db, copy)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "bench.chat_proc", subject, str(copy)),
                *("--appends", str(plan.appends), "--scrolls", str(plan.scrolls)),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=plan.timeout,
            check=False,
        )
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"exit {done.returncode}: {tail[0]}")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def _samples(run: dict[str, object], key: str) -> list[float]:
    value = run[key]
    if isinstance(value, list):
        return [float(v) for v in value]
    assert isinstance(value, int | float), (key, value)
    return [float(value)]


def _median_of(runs: Sequence[dict[str, object]], key: str) -> float:
    # One value per run (a run's list of samples counts as its median).
    return statistics.median(statistics.median(_samples(run, key)) for run in runs)


def _max_of(runs: Sequence[dict[str, object]], key: str) -> float:
    return max(max(_samples(run, key)) for run in runs)


def _verdict(value_ms: float, target_ms: float) -> str:
    return (
        f"meets target ≤ {target_ms:g} ms"
        if value_ms <= target_ms
        else f"MISSES target ≤ {target_ms:g} ms"
    )


def rows_from(results: dict[str, list[dict[str, object]]], plan: Plan) -> list[Row]:
    """Table rows from each subject's runs (an empty list: that subject failed)."""
    count = f"{plan.messages:,}"
    ours = results.get("chatview") or []
    out: list[Row] = []

    def ratio(runs: Sequence[dict[str, object]], key: str, subject: str) -> float | None:
        # Peer ÷ ours: above 1 means ours is faster or smaller.
        if subject == "chatview" or not ours or not runs:
            return None
        mine = _median_of(ours, key)
        return _median_of(runs, key) / mine if mine > 0 else None

    for subject, label in SUBJECTS:
        runs = results.get(subject) or []
        n = f"median of {len(runs)} runs"
        if not runs:
            out.append(
                Row(f"chat view: first frame, {count} msgs", label, None, "ms", note="run failed")
            )
            continue
        first = _median_of(runs, "first_frame_s") * 1e3
        settled = _median_of(runs, "settled_s") * 1e3
        out.append(
            Row(
                f"chat view: first frame, {count} msgs",
                label,
                first,
                "ms",
                f"{n}; view settled at {settled:,.0f} ms",
                ratio(runs, "first_frame_s", subject),
                _verdict(first, FIRST_FRAME_TARGET_MS) if subject == "chatview" else "",
            )
        )
    for subject, label in SUBJECTS:
        runs = results.get(subject) or []
        if not runs:
            continue
        end = _median_of(runs, "rss_end_bytes") / 1e6
        out.append(
            Row(
                "chat view: memory (RSS growth)",
                label,
                _median_of(runs, "rss_first_bytes") / 1e6,
                "MB",
                f"at first frame; {end:,.1f} MB after appends and scrolls",
                ratio(runs, "rss_first_bytes", subject),
            )
        )
    for subject, label in SUBJECTS:
        runs = results.get(subject) or []
        if not runs:
            continue
        append = _median_of(runs, "append_s") * 1e3
        store = _median_of(runs, "append_store_s") * 1e3
        out.append(
            Row(
                "chat view: append + repaint",
                label,
                append,
                "ms",
                f"{plan.appends} appends/run, max {_max_of(runs, 'append_s') * 1e3:,.1f} ms;"
                f" store write {store:.1f} ms of it",
                ratio(runs, "append_s", subject),
                _verdict(append, APPEND_TARGET_MS) if subject == "chatview" else "",
            )
        )
    for subject, label in SUBJECTS:
        runs = results.get(subject) or []
        if not runs:
            continue
        out.append(
            Row(
                "chat view: scroll a page + repaint",
                label,
                _median_of(runs, "scroll_s") * 1e3,
                "ms",
                f"{plan.scrolls} pages up/run, max {_max_of(runs, 'scroll_s') * 1e3:,.1f} ms",
                ratio(runs, "scroll_s", subject),
                "pages older history in at the top" if subject == "chatview" else "",
            )
        )
    return out


def run(*, smoke: bool) -> list[Row]:
    """Build the conversation, measure every subject, return the rows."""
    plan = SMOKE if smoke else FULL
    results: dict[str, list[dict[str, object]]] = {name: [] for name, _ in SUBJECTS}
    failed: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        workdir = Path(tmp)
        db = history.build(workdir / "history.sqlite3", plan.messages)
        for _ in range(plan.runs):
            for subject, _label in SUBJECTS:
                if subject in failed:
                    continue
                try:
                    results[subject].append(_run_one(subject, db, plan, workdir))
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    print(f"chat view {subject}: {exc}", file=sys.stderr)
                    failed.add(subject)
                    results[subject] = []
    return rows_from(results, plan)
