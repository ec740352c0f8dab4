"""What the READMEs promise, held against the code's own numbers.

Docs drift when a default changes; each claim here is read from the text
and compared with the constant it describes.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from softphone.account import DEFAULT_KEEPALIVE_INTERVAL
from softphone.keepalive import PONG_TIMEOUT, KeepAlive

ROOT = Path(__file__).resolve().parent.parent


def _text(path: str) -> str:
    return re.sub(r"\s+", " ", (ROOT / path).read_text())


def test_keepalive_sentence_matches_the_defaults() -> None:
    readme = _text("README.md")
    # KeepAlive waits a random 80-100 % of the interval (RFC 5626 4.4.1),
    # unless another timer wakes the app within that range.
    assert "self._rng.uniform(0.8, 1.0)" in inspect.getsource(KeepAlive._next_tick)
    low, high = round(DEFAULT_KEEPALIVE_INTERVAL * 0.8), DEFAULT_KEEPALIVE_INTERVAL
    assert f"A keep-alive every {low} to {high} s" in readme
    assert f"{DEFAULT_KEEPALIVE_INTERVAL} s by default" in readme
    assert f"answered within {PONG_TIMEOUT:g} s" in readme
    assert inspect.signature(KeepAlive).parameters["probe_every"].default == 4
    assert "(at the latest every fourth time)" in readme
    assert "keep-alive every 25 s" not in readme


def test_keyring_sentence_says_what_happens_to_plain_file_backends() -> None:
    readme = _text("README.md")
    assert "never to a file" in readme
    assert "plain file (keyrings.alt's file backends) or keep nothing is refused" in readme


def test_reliability_readme_lists_no_finding_that_was_fixed() -> None:
    assert "known finding" not in _text("tests/reliability/README.md")
