"""Korean and English: the sources are complete and current, and --lang ko shows Korean."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from softphone.cli import build_parser
from tests.ui.window_fixture import make_window
from ui.i18n import TRANSLATIONS, install_translator
from ui.main import apply_language

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SOURCES = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "ui").rglob("*.py")
    if "tr(" in path.read_text(encoding="utf-8") or "translate(" in path.read_text(encoding="utf-8")
)


def _messages(ts: Path) -> list[ET.Element]:
    return list(ET.parse(ts).iter("message"))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_sentence_is_translated_and_the_sources_are_current(
    language: str, tmp_path: Path
) -> None:
    shipped = TRANSLATIONS / f"softphone_{language}.ts"
    messages = _messages(shipped)
    assert messages
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") is None, message.findtext("source")
        assert (translation.text or "").strip(), message.findtext("source")
    # Scanning the code again finds nothing new to translate.
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    out = subprocess.run(
        [str(BIN / "pyside6-lupdate"), *SOURCES, "-no-obsolete", "-ts", str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(0 new " in out.stdout, out.stdout
    assert {m.findtext("source") for m in _messages(copy)} == {
        m.findtext("source") for m in messages
    }
    # The shipped .qm is what the .ts compiles to.
    qm = tmp_path / f"softphone_{language}.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(shipped), "-qm", str(qm)],
        capture_output=True,
        check=True,
    )
    assert qm.read_bytes() == (TRANSLATIONS / f"softphone_{language}.qm").read_bytes()


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[None]:
    yield
    install_translator(qapp, "en")


@pytest.mark.usefixtures("english_after")
def test_lang_ko_shows_korean_menus(qtbot, tmp_path: Path) -> None:
    args = build_parser().parse_args(["--lang", "ko"])
    assert apply_language(args) == "ko"
    window = make_window(qtbot, tmp_path / "alice.db")
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["Softphone(&S)", "친구(&B)", "대화(&C)"]
    assert window.quit_action.text() == "끝내기(&Q)"
    assert window.chat.send_button.text() == "보내기"
    assert window.chat.title.text() == "대화 없음"


@pytest.mark.usefixtures("english_after")
def test_lang_en_and_the_system_default(qtbot, tmp_path: Path) -> None:
    assert apply_language(build_parser().parse_args(["--lang", "en"])) == "en"
    window = make_window(qtbot, tmp_path / "alice.db")
    assert [a.text() for a in window.menuBar().actions()] == [
        "&Softphone",
        "&Buddies",
        "&Conversation",
    ]
