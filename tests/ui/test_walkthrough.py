"""The walkthrough under Xvfb (docs/walkthrough.py): what the real window did for real X input.

`softphone --demo` runs three times on a desktop with a window manager and
a tray, driven by xdotool: a two-line Korean and English message typed and
sent, buddy and message details opened, a dark desktop palette, the Korean
window. Checked here: what the demo's store holds afterwards, which windows
came, how each run ended, and that the screenshots show what they should.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("walkthrough", ROOT / "docs" / "walkthrough.py")
assert _spec is not None and _spec.loader is not None
walkthrough = importlib.util.module_from_spec(_spec)
sys.modules["walkthrough"] = walkthrough  # its dataclasses look their module up
_spec.loader.exec_module(walkthrough)

missing = walkthrough.missing_tools()
pytestmark = pytest.mark.skipif(
    bool(missing) and os.environ.get("CI") != "true",
    reason=f"needs {', '.join(missing)} (Debian xvfb, openbox, trayer, xdotool)",
)


def brightness(image: QImage) -> float:
    """Mean lightness (0..255) of the middle of *image*, where the window is."""
    width, height = image.width(), image.height()
    samples = [
        image.pixelColor(x, y).lightness()
        for x in range(width // 4, 3 * width // 4, 16)
        for y in range(height // 4, 3 * height // 4, 16)
    ]
    return sum(samples) / len(samples)


def test_the_walkthrough(tmp_path: Path) -> None:
    walk = walkthrough.walk(tmp_path)

    # The typed message, line break included, sent and delivered.
    assert walk.sent is not None
    body, state = walk.sent
    assert (
        body
        == "안녕하세요, Alice! 오늘 저녁에 시간 있어요?\nSecond line: dinner at 7, see https://example.com/menu"
    )
    assert state in ("delivered", "read")
    # Each run was quit with Ctrl+Q and ended well.
    assert walk.exits == [0, 0, 0]
    # The windows Ctrl+I and Ctrl+Shift+I opened, the last in Korean.
    titles = walk.windows
    assert any(t.startswith("Buddy details") for t in titles), titles
    assert any(t.startswith("Message details") for t in titles), titles
    assert any(t.startswith("친구 정보") for t in titles), titles
    # Each run on a profile of its own: one greeting in each screenshot's history.
    assert walk.greetings == [1, 1, 1]
    # Alice's going online, kept in the store for the details pane.
    assert ("online", "online on 1 device") in walk.alice_changes

    shots = {name: QImage(str(path)) for name, path in walk.shots.items()}
    assert set(shots) == {
        "screenshot-main.png",
        "screenshot-buddy-details.png",
        "screenshot-dark.png",
        "screenshot-korean.png",
    }
    for name, image in shots.items():
        assert (image.width(), image.height()) == walkthrough.SCREEN, name
    # The dark desktop palette reached the window.
    assert brightness(shots["screenshot-dark.png"]) < brightness(shots["screenshot-main.png"]) - 60
