"""Start-up: from process start to the main window shown and registered.

Each run starts `python3 -m bench.startup_proc` (the `softphone --demo`
path, see there) and takes `time.monotonic()` just before `Popen`; the
driver prints its own monotonic stamps, so the figure is process start to
"first paint of the window done and registration up", without the time to
read the pipe or to shut down. The floor is the same measure for
`python3 -c "import PySide6.QtWidgets"` (until it exits). Both run on the
offscreen platform and under an Xvfb server this module starts (`:90` to
`:99`, the first free one) and stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.table import Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

TARGET_MS = 1500.0
FULL_RUNS = 7
SMOKE_RUNS = 1
RUN_TIMEOUT = 60.0
XVFB_TIMEOUT = 10.0
FLOOR = "import PySide6.QtWidgets"


class XvfbError(RuntimeError):
    """Xvfb is missing or did not come up."""


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """Run an Xvfb server for the block; yields its DISPLAY value.

    Raises:
        XvfbError: not installed, no free display in :90-:99, or no socket in time.
    """
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbError("Xvfb not installed")
    number = next(
        (n for n in range(90, 100) if not Path(f"/tmp/.X{n}-lock").exists()),
        None,
    )
    if number is None:
        raise XvfbError("no free display in :90-:99")
    socket_path = Path(f"/tmp/.X11-unix/X{number}")
    process = subprocess.Popen(
        [binary, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + XVFB_TIMEOUT
        while not socket_path.exists():
            if process.poll() is not None:
                raise XvfbError(f"Xvfb :{number} exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise XvfbError(f"Xvfb :{number} did not come up in {XVFB_TIMEOUT} s")
            time.sleep(0.02)
        yield f":{number}"
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(5.0)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5.0)


def _env(display: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if display is None:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
    return env


def app_once(display: str | None, data_dir: Path) -> dict[str, float]:
    """One start of the app; stamps in ms from process start.

    Raises:
        RuntimeError: the driver failed or printed nothing.
        subprocess.TimeoutExpired: it did not finish in RUN_TIMEOUT.
    """
    begin = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.startup_proc", str(data_dir)],
        cwd=ROOT,
        env=_env(display),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"startup driver exit {done.returncode}: {tail[0]}")
    stamps: dict[str, float] = json.loads(lines[-1])
    return {key: (value - begin) * 1e3 for key, value in stamps.items()}


def floor_once(display: str | None) -> float:
    """Milliseconds for `python3 -c "import PySide6.QtWidgets"` to run and exit.

    Raises:
        RuntimeError: it failed.
        subprocess.TimeoutExpired: it did not finish in RUN_TIMEOUT.
    """
    begin = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", FLOOR],
        env=_env(display),
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    elapsed = (time.monotonic() - begin) * 1e3
    if done.returncode != 0:
        raise RuntimeError(f"floor exit {done.returncode}")
    return elapsed


def _rows(platform: str, apps: list[dict[str, float]], floors: list[float]) -> list[Row]:
    bench = f"start-up: window shown, {platform}"
    if not apps:
        return [Row(bench, "softphone --demo (driver)", None, "ms", note="run failed")]
    ready = statistics.median(a["ready"] for a in apps)
    parts = "; ".join(
        f"{name} {statistics.median(a[name] for a in apps):,.0f}"
        for name in ("started", "imported", "demo_up", "shown", "registered")
    )
    verdict = "meets" if ready <= TARGET_MS else "MISSES"
    rows = [
        Row(
            bench,
            "softphone --demo (driver)",
            ready,
            "ms",
            f"median of {len(apps)}; ms since start: {parts}",
            None,
            f"{verdict} target ≤ {TARGET_MS:,.0f} ms",
        )
    ]
    if floors:
        floor = statistics.median(floors)
        rows.append(
            Row(
                bench,
                f'floor: python3 -c "{FLOOR}"',
                floor,
                "ms",
                f"median of {len(floors)}; until exit",
                floor / ready if ready > 0 else None,
            )
        )
    return rows


def _measure(
    display: str | None, runs: int, data_dir: Path
) -> tuple[list[dict[str, float]], list[float]]:
    apps: list[dict[str, float]] = []
    floors: list[float] = []
    if runs > 1:
        # One start not counted: it creates the demo's database and fills
        # the page cache, which the first start of a real install pays once.
        try:
            app_once(display, data_dir)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"start-up: {exc}", file=sys.stderr)
            return apps, floors
    # Interleaved, so a burst of load on the shared machine hits both.
    for _ in range(runs):
        try:
            apps.append(app_once(display, data_dir))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"start-up: {exc}", file=sys.stderr)
            break
        floors.append(floor_once(display))
    return apps, floors


def run(*, smoke: bool) -> list[Row]:
    """Measure start-up offscreen and under Xvfb; the rows."""
    runs = SMOKE_RUNS if smoke else FULL_RUNS
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp)
        rows += _rows("offscreen", *_measure(None, runs, data_dir))
        try:
            with xvfb() as display:
                rows += _rows("Xvfb", *_measure(display, runs, data_dir))
        except XvfbError as exc:
            rows.append(
                Row(
                    "start-up: window shown, Xvfb",
                    "softphone --demo (driver)",
                    None,
                    "ms",
                    note=str(exc),
                )
            )
    return rows
