"""Korean and English: the sources are complete and current, and --lang ko shows Korean."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QStatusBar,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QTreeWidget,
    QWidget,
)

from softphone.cli import build_parser
from tests.ui.window_fixture import make_window
from ui.i18n import TRANSLATIONS, install_translator
from ui.main import apply_language
from ui.roles import Role

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


# -- everything a person reads, in Korean -------------------------------------------

HANGUL = re.compile("[\uac00-\ud7a3]")
# What stays as written in every language: addresses, host names, URLs, MIME
# types, key names, protocol and product names, and the date's digits.
KEPT = re.compile(
    r"(?:sips?:)?[\w.+-]+@[\w.-]+(?::\d+)?"
    r"|https?://\S+"
    r"|\b[\w-]+(?:\.[\w-]+)+(?::\d+)?"
    r"|\b[a-z]+/[\w.+-]+(?:;[\w-]+=[\w.-]+)*"
    r"|\b[A-Z0-9]+_[A-Z0-9_]+\b"
    r"|\b(?:Ctrl|Shift|Alt)\+\S+"
    r"|\[[0-9A-Fa-f:]+\](?::\d+)?"
    r"|\b(?:SIP|SIPS|UDP|TCP|TLS|DNS|IP|IMDN|CPIM|CSeq|Message-ID|Softphone|OK)\b"
    r"|\b(?:MESSAGE|REGISTER|SUBSCRIBE|NOTIFY|OPTIONS)\b"
)


def untranslated(text: str) -> bool:
    """True for text with English words and no Korean: a sentence left in English."""
    text = text.replace("&&", "").replace("&", "")
    if HANGUL.search(text):
        return False
    return re.search(r"[A-Za-z]{2,}", KEPT.sub(" ", text)) is not None


def english_words(text: str) -> list[str]:
    """The English words in *text* (a sentence mixing both languages has some)."""
    return re.findall(r"[A-Za-z]{2,}", KEPT.sub(" ", text))


def test_the_english_detector() -> None:
    assert untranslated("Registered as alice@example.com")
    assert untranslated("&Quit")
    assert not untranslated("alice@example.com 로 등록됨")
    assert not untranslated("sip:bob@example.test")
    assert not untranslated("UDP")
    assert not untranslated("Ctrl+K")
    assert not untranslated("2026-11-30 14:02:03.120")
    assert not untranslated("text/plain")


def _menu_texts(menu: QMenu, where: str) -> Iterator[tuple[str, str]]:
    yield f"{where} title", menu.title()
    for action in menu.actions():
        if action.isSeparator():
            continue
        yield f"{where} action", action.text()
        if action.toolTip() != action.text().replace("&", ""):
            yield f"{where} action tooltip", action.toolTip()
        if action.menu() is not None:
            yield from _menu_texts(action.menu(), f"{where} > {action.text()}")


def _header_texts(model: QAbstractItemModel | None, where: str) -> Iterator[tuple[str, str]]:
    if model is None:
        return
    for column in range(model.columnCount()):
        text = model.headerData(column, Qt.Orientation.Horizontal)
        if isinstance(text, str):
            yield f"{where} header", text


def shown_texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of every text *top* and its children show a person.

    Not the content of text fields and list models: that is the user's and
    the network's text (messages, SIP trace), never translated.
    """
    for widget in [top, *top.findChildren(QWidget)]:
        name = f"{type(top).__name__}/{type(widget).__name__}"
        if widget.isWindow():
            yield f"{name} title", widget.windowTitle()
        if widget.toolTip():
            yield f"{name} tooltip", widget.toolTip()
        # What a screen reader says for it.
        yield f"{name} accessible name", widget.accessibleName()
        yield f"{name} accessible description", widget.accessibleDescription()
        if isinstance(widget, QLabel | QAbstractButton):
            yield f"{name} text", widget.text()
        elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            yield f"{name} placeholder", widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield f"{name} title", widget.title()
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield f"{name} item", widget.itemText(i)
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                yield f"{name} tab", widget.tabText(i)
        elif isinstance(widget, QTreeWidget):
            yield from (
                (f"{name} header", widget.headerItem().text(c)) for c in range(widget.columnCount())
            )
            for i in range(widget.topLevelItemCount()):
                item = widget.topLevelItem(i)
                for column in range(1, widget.columnCount()):
                    yield f"{name} row {i}", item.text(column)
        elif isinstance(widget, QListWidget):
            for i in range(widget.count()):
                yield f"{name} row {i}", widget.item(i).text()
        elif isinstance(widget, QTableView | QTreeView):
            yield from _header_texts(widget.model(), name)
        elif isinstance(widget, QMenuBar):
            for action in widget.actions():
                if action.menu() is not None:
                    yield from _menu_texts(action.menu(), f"{name} {action.text()}")
        elif isinstance(widget, QStatusBar) and widget.currentMessage():
            yield f"{name} message", widget.currentMessage()
        for action in widget.actions():
            if action.text() and not action.isSeparator():
                yield f"{name} action", action.text()


def english_left(top: QWidget) -> list[tuple[str, str]]:
    return [(where, text) for where, text in shown_texts(top) if text and untranslated(text)]


def dialog_texts(qtbot, opens: Callable[[], object]) -> list[tuple[str, str]]:
    """What the modal dialog that *opens* shows is left in English (it is then cancelled)."""
    found: list[list[tuple[str, str]]] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, look)
            return
        found.append(english_left(dialog))
        dialog.close()

    QTimer.singleShot(0, look)
    opens()
    qtbot.waitUntil(lambda: bool(found))
    return found[0]


def context_menu_texts(window, row: int | None) -> list[tuple[str, str]]:
    """What the message menu of the bubble at *row* shows is left in English (then closed)."""
    from PySide6.QtGui import QContextMenuEvent

    assert row is not None
    chat = window.chat
    viewport = chat.view.viewport()
    at = chat.bubble_rect(row).center().toPoint()
    QApplication.sendEvent(
        viewport,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at)),
    )
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts, "an empty menu"
    found = english_left(menu)
    menu.close()
    return found


def password_dialog_texts(qtbot) -> list[tuple[str, str]]:
    """What the start's password dialog says is left in English, for each reason it asks."""
    from PySide6.QtWidgets import QDialogButtonBox

    from softphone.launch import PasswordLookup, PasswordSource
    from ui.windows.password_dialog import PasswordDialog, password_sentence

    found: list[tuple[str, str]] = []
    for source in (
        PasswordSource.NO_KEYRING,
        PasswordSource.NOT_STORED,
        PasswordSource.VARIABLE_UNSET,
        PasswordSource.VARIABLE_EMPTY,
    ):
        lookup = PasswordLookup(None, source, "SOFTPHONE_PASSWORD")
        address = "alice@example.test"
        dialog = PasswordDialog(address, password_sentence(lookup, address))
        qtbot.addWidget(dialog)
        dialog.show()
        # Sign in with nothing typed: it says what is missing.
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.error_label.text()
        found += english_left(dialog)
        dialog.close()
    return found


BOB = "sip:bob@example.test"


@pytest.mark.usefixtures("english_after")
def test_every_window_a_person_reads_is_korean_under_lang_ko(qtbot, tmp_path: Path) -> None:
    from softphone.account import Account
    from softphone.buddy import BuddyStatus, described
    from softphone.phrase import say
    from softphone.services.registration import RegistrationState, RegistrationStatus
    from softphone.sip.delivery import DeliveryState, FailureKind, failure_reason
    from ui.windows.settings_dialog import AccountDialog

    assert apply_language(build_parser().parse_args(["--lang", "ko"])) == "ko"
    window = make_window(qtbot, tmp_path / "alice.db")
    store = window.store
    # A sent message that failed at the server, one that timed out here, one received.
    sent = store.insert_outgoing(BOB, "안녕하세요\nHello", now=1_700_000_000.0)
    store.update_state(
        sent.id,
        DeliveryState.FAILED,
        code=480,
        reason="Temporarily Unavailable",
        now=1_700_000_001.0,
    )
    lost = store.insert_outgoing(BOB, "두 번째", now=1_700_000_002.0)
    store.update_state(
        lost.id,
        DeliveryState.FAILED,
        reason=failure_reason(FailureKind.TIMEOUT),
        local_failure=True,
        now=1_700_000_040.0,
    )
    window.add_buddy(BOB, "")
    window.open_conversation(BOB)
    left: list[tuple[str, str]] = []
    # The core's sentences, as the registration and presence services say them.
    for state in (
        RegistrationStatus(
            RegistrationState.REGISTERING,
            "",
            phrase=say("Registering as {who}…", who="alice@example.test"),
        ),
        RegistrationStatus(
            RegistrationState.FAILED,
            "",
            phrase=say(
                "{problem}, trying again in {seconds} s",
                problem=say("Connection to {server} lost", server="example.test"),
                seconds="20",
            ),
        ),
        RegistrationStatus(
            RegistrationState.REGISTERED,
            "",
            phrase=say("Registered as {who}", who="alice@example.test"),
        ),
    ):
        window.bridge.registration_changed.emit(state)
        left += english_left(window.statusBar())
    window.bridge.buddy_changed.emit(
        described(BOB, BuddyStatus.ONLINE, (), None, say("online on {count} devices", count="2"))
    )
    window.bridge.buddy_changed.emit(
        described(
            BOB,
            BuddyStatus.OFFLINE,
            (),
            1_700_000_050.0,
            say("offline, last seen {when}", when="14:02"),
        )
    )

    left += english_left(window)
    # What the core said, in Korean; the server's reason phrase as it sent it.
    assert window.registration_label.text() == "alice@example.test(으)로 등록됨"
    left += (
        [
            ("tray menu", t)
            for _w, t in _menu_texts(window.tray.menu, "tray")
            if t and untranslated(t)
        ]
        if window.tray
        else []
    )
    # The message list's tooltips and state lines.
    model = window.chat.model
    assert model is not None
    assert [model.index(r, 0).data(Role.STATUS_DETAIL) for r in range(2)] == [
        "실패: 480 Temporarily Unavailable",
        "실패: 서버에서 32초 동안 응답이 없음",
    ]
    for row in range(model.rowCount()):
        for role in (Qt.ItemDataRole.ToolTipRole, Role.STATUS_DETAIL):
            text = str(model.index(row, 0).data(role))
            if untranslated(text):
                left.append((f"message row {row}", text))
    window.show_details(int(sent.id))
    left += english_left(window._message_details)
    window.open_details(BOB)
    assert window.details is not None
    left += english_left(window.details)
    window.open_trace()
    left += english_left(window._trace_window)
    for dialog in (AccountDialog(Account(aor="sip:alice@example.test")), AccountDialog()):
        qtbot.addWidget(dialog)
        left += english_left(dialog)
    # The bubble's right-click menu (a context-menu event, as a right click sends).
    left += context_menu_texts(window, window.chat.model.row_of(sent.id))
    # The password asked at start, for every reason it is asked, and its error.
    left += password_dialog_texts(qtbot)
    left += dialog_texts(qtbot, window.add_buddy)
    left += dialog_texts(qtbot, lambda: window.add_buddy("sip:carol@example.test"))
    left += dialog_texts(qtbot, window.new_conversation)
    assert left == [], "\n".join(f"{w}: {t!r}" for w, t in left)


def test_every_core_sentence_is_in_the_window_s_table() -> None:
    """Each ``say("...")`` in softphone/ is a template ui.core_text lists, so it gets translated."""
    from ui.core_text import TEMPLATES

    said: set[str] = set()
    for path in (ROOT / "softphone").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path}:{node.lineno}: say() needs a literal template"
                )
                said.add(first.value)
    assert said, "no say() found"
    assert sorted(said - TEMPLATES) == []


@pytest.mark.usefixtures("english_after")
def test_every_core_sentence_has_korean(qapp: QApplication) -> None:
    from ui.core_text import REASONS, STORED, TEMPLATES

    install_translator(qapp, "ko")
    english = [
        t
        for t in sorted(TEMPLATES | STORED | REASONS)
        if untranslated(QCoreApplication.translate("core", t))
    ]
    assert english == []


def test_every_reason_the_window_translates_is_one_the_code_gives() -> None:
    """Each of `REASONS` is a sentence (or f-string) in softphone/, so none drifts unmatched."""
    from ui.core_text import REASONS

    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "softphone").rglob("*.py"))
    missing = []
    for reason in sorted(REASONS):
        parts = re.split(r"\{\w+\}", reason)
        # A field is any f-string field: {exc}, {self._pong_timeout:g}, ...
        if not re.search(r"\{[^{}\n]+\}".join(re.escape(p) for p in parts), code):
            missing.append(reason)
    assert missing == []


# -- the account's problems, said in Korean ------------------------------------------


@pytest.mark.usefixtures("english_after")
@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("aor", ""),
        ("aor", "sip:example.test"),
        ("registrar", "ex ample.test"),
        ("outbound_proxy", "carol@proxy.example.test"),
        ("dns_server", "dns.example.test"),
    ],
)
def test_account_dialog_says_what_to_fix_in_korean(qtbot, field: str, typed: str) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.windows.settings_dialog import AccountDialog

    install_translator(QApplication.instance(), "ko")
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edits = {
        "aor": dialog.aor_edit,
        "registrar": dialog.registrar_edit,
        "outbound_proxy": dialog.outbound_proxy_edit,
        "dns_server": dialog.dns_server_edit,
    }
    if field != "aor":
        qtbot.keyClicks(dialog.aor_edit, "alice@example.test")
    qtbot.keyClicks(edits[field], typed)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    said = dialog.error_text(field)
    # Korean through and through: no English word but the value typed.
    assert said and english_words(said.replace(repr(typed), " ")) == [], said
    assert english_left(dialog) == []


@pytest.mark.usefixtures("english_after")
def test_first_run_says_why_the_settings_file_is_not_used_in_korean(
    loop, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import asyncio

    from tests.ui.conftest import visible, wait_until
    from ui import main as ui_main
    from ui.windows.settings_dialog import AccountDialog

    install_translator(QApplication.instance(), "ko")
    config = tmp_path / "account.toml"
    config.write_text('[account]\naor = "sip:alice@example.test"\nexpires = 5\n')
    args = argparse.Namespace(command="gui", config=config, db=tmp_path / "history.sqlite3")
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def dialog() -> AccountDialog | None:
        return visible(AccountDialog)

    async def user() -> None:
        await wait_until(lambda: dialog() is not None, "the first-run dialog")
        shown = dialog()
        assert shown is not None
        seen.append((shown.error_text(), english_left(shown)))
        shown.reject()

    async def scenario() -> object:
        driver = asyncio.ensure_future(user())
        session = await ui_main.open_session(args)
        await driver
        return session

    assert loop.run_until_complete(scenario()) is None
    [(problem, left)] = seen
    assert problem == (
        f"설정 파일 {config}을(를) 쓸 수 없습니다: 등록 유지 시간은 10초에서 86400초 사이의"
        " 정수여야 합니다"
    )
    assert left == []


def test_no_sentence_names_a_settings_key() -> None:
    """What a person reads says what a setting is for, never its key in the settings file."""
    import dataclasses

    from softphone.account import Account

    keys = {f.name for f in dataclasses.fields(Account) if f.init and ("_" in f.name)} | {"aor"}
    # A command-line flag (--aor, --password-env) is not a settings key.
    pattern = re.compile(rf"(?<![-\w])(?:{'|'.join(sorted(keys))})\b")
    named = [
        source
        for message in _messages(TRANSLATIONS / "softphone_en.ts")
        if (source := message.findtext("source") or "") and pattern.search(source)
    ]
    assert named == []


# -- the boxes a start can end in ------------------------------------------------------


class BoxWatcher:
    """Reads and closes every message box that opens, noting what it left in English."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.seen: list[tuple[str, list[tuple[str, str]]]] = []
        # Boxes another test left open are not this start's.
        self._before = {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)}
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def _look(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, QMessageBox)
                and widget.isVisible()
                and id(widget) not in self._before
            ):
                self.seen.append((widget.text(), english_left(widget)))
                widget.close()

    def stop(self) -> None:
        self._timer.stop()


@pytest.mark.usefixtures("english_after")
def test_start_up_error_boxes_are_korean(
    loop, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import asyncio
    import socket

    from tests.ui.conftest import visible, visible_window, wait_until
    from ui import main as ui_main
    from ui.windows.settings_dialog import AccountDialog

    install_translator(QApplication.instance(), "ko")
    watcher = BoxWatcher()

    # 1. The account's fixed port is taken: the window says so and the start ends.
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    monkeypatch.setenv("KOTEXT_TEST_PW", "secret")
    args = argparse.Namespace(
        command="gui",
        config=None,
        aor="sip:alice@example.test",
        registrar="127.0.0.1:9",
        password_env="KOTEXT_TEST_PW",
        local_port=taken.getsockname()[1],
        listen_host="127.0.0.1",
        db=tmp_path / "history.sqlite3",
    )
    monkeypatch.setattr("softphone.launch.default_config_path", lambda: tmp_path / "none.toml")
    try:
        assert loop.run_until_complete(ui_main.main(args)) == ui_main.EXIT_USAGE
    finally:
        taken.close()
    # The window closed with the start that failed: none left in the next tests' way.
    assert visible_window() is None

    # 2. The demo cannot make its folder (a file is in the way).
    in_the_way = tmp_path / "demo-folder"
    in_the_way.write_text("not a folder")
    assert loop.run_until_complete(ui_main.demo_session(in_the_way)) is None

    # 3. The first run's settings cannot be saved (their folder is a file).
    blocked = tmp_path / "config-file"
    blocked.write_text("")
    first = argparse.Namespace(
        command="gui", config=blocked / "account.toml", db=tmp_path / "first.sqlite3"
    )

    def dialog() -> AccountDialog | None:
        return visible(AccountDialog)

    async def first_run() -> object:
        async def user() -> None:
            await wait_until(lambda: dialog() is not None, "the first-run dialog")
            shown = dialog()
            assert shown is not None
            qtbot.keyClicks(shown.aor_edit, "alice@example.test")
            qtbot.keyClicks(shown.password_edit, "secret")
            qtbot.keyClick(shown.password_edit, Qt.Key.Key_Return)

        driver = asyncio.ensure_future(user())
        session = await ui_main.open_session(first)
        await driver
        return session

    monkeypatch.setattr(ui_main.desktop, "install", lambda: None)
    session = loop.run_until_complete(first_run())
    assert session is not None
    session.app.store.close()
    watcher.stop()

    said = [text for text, _left in watcher.seen]
    assert len(said) == 3, said
    # What each box left in English, listed (none).
    assert [left for _text, left in watcher.seen] == [[], [], []]
    assert said[0].startswith("네트워크 포트를 열 수 없습니다: "), said
    assert said[1].startswith("데모를 시작하지 못했습니다: "), said
    assert said[2].startswith("설정을 저장하지 못했습니다: "), said


@pytest.mark.usefixtures("english_after")
def test_an_address_the_core_refuses_is_said_in_korean(qtbot, tmp_path: Path) -> None:
    install_translator(QApplication.instance(), "ko")
    window = make_window(qtbot, tmp_path / "alice.db")
    assert window.send("sip:", "hi") is None
    said = window.statusBar().currentMessage()
    assert "은(는) SIP 주소가 아닙니다: " in said, said


@pytest.mark.usefixtures("english_after")
def test_a_login_start_that_cannot_be_changed_is_said_in_korean(qtbot) -> None:
    import os

    from PySide6.QtWidgets import QDialogButtonBox

    from softphone.account import Account
    from ui.windows.settings_dialog import AccountDialog

    install_translator(QApplication.instance(), "ko")
    # A file where the login start's folder goes.
    (Path(os.environ["XDG_CONFIG_HOME"]) / "autostart").write_text("")
    dialog = AccountDialog(Account(aor="sip:alice@example.test"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.autostart_check.setFocus()
    qtbot.keyClick(dialog.autostart_check, Qt.Key.Key_Space)
    assert dialog.autostart_check.isChecked()
    watcher = BoxWatcher()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: bool(watcher.seen))
    watcher.stop()
    [(said, left)] = watcher.seen
    assert left == []
    assert said.startswith("로그인할 때 시작하는 설정을 바꿀 수 없습니다: "), said
