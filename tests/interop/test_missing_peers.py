"""Peer-backed tests on a machine without the peers: skip with a reason, or fail under CI.

Runs pytest on a few Kamailio- and SIPp-backed test files in a subprocess
whose PATH holds neither binary. Without CI=true every test must be skipped
and say which package to install; with CI=true none may pass or skip (a CI
image without its peers would otherwise be green while testing nothing).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGETS = [
    "tests/interop/test_digest_kamailio.py",  # the `kamailio` fixture
    "tests/interop/test_registrar_sipp.py",  # SIPp
    "tests/ui/test_window_sip.py",  # a module-scoped Kamailio of the UI suite
]


def run_without_peers(tmp_path: Path, *, ci: bool) -> tuple[dict[str, int], str]:
    bare = tmp_path / "bin"
    bare.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PATH=str(bare), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    if ci:
        env["CI"] = "true"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *TARGETS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    return counts, done.stdout


@pytest.mark.parametrize("ci", [False, True], ids=["local", "ci"])
def test_without_kamailio_and_sipp(tmp_path: Path, ci: bool) -> None:
    counts, out = run_without_peers(tmp_path, ci=ci)
    if not ci:
        assert set(counts) == {"skipped"}, out
        assert "kamailio is not installed (apt-get install kamailio" in out
        assert "sipp is not installed (apt-get install sip-tester)" in out
    else:
        assert counts.get("passed", 0) == counts.get("skipped", 0) == 0, out
        assert counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0) > 0, out
        assert "CI=true needs every peer" in out
