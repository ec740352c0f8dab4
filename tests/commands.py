"""`softphone` commands run as a person runs them, for tests that need a real process.

`command` starts one with its output piped and stops it (or kills it) after
the test; `read_json` waits for the JSON line a test needs from it.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from tests.helpers import ROOT


@contextmanager
def command(env: Mapping[str, str], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`softphone ARGS` in *env*, stopped (or killed) after the test."""
    process = subprocess.Popen(
        [sys.executable, "-m", "softphone", *args],
        env=dict(env),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stdout is not None
        process.stdout.close()


def read_json(
    process: subprocess.Popen[bytes], wanted: Callable[[dict[str, object]], bool]
) -> dict[str, object]:
    """The first JSON line of *process* that *wanted* accepts (20 s at most)."""
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.2):
                continue
            raw = process.stdout.readline()
            assert raw, f"the command exited ({process.poll()})"
            line: dict[str, object] = json.loads(raw)
            if wanted(line):
                return line
    raise AssertionError("no such line within 20 s")
