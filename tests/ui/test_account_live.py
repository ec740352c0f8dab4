"""The account changes while the window runs: no restart, history per account.

The app starts through `ui.main.main()` (the product's own entry) with a
settings file, against the embedded server (`softphone.server.LocalServer`)
on loopback UDP. The account dialog is driven with real key and mouse
events; the server's bindings and subscriptions say what happened on the
wire.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from softphone.account import Account
from softphone.config import APP_NAME, load_account
from softphone.launch import history_path
from softphone.server import LocalServer
from softphone.store import Store
from tests.ui.conftest import password_asked, run_app, visible_window, wait_until
from tests.ui.test_dialogs import MemoryKeyring
from tests.ui.visible_text import settings_jargon, visible_strings
from ui import main as ui_main
from ui.roles import Role
from ui.windows.main_window import MainWindow
from ui.windows.settings_dialog import AccountDialog

DOMAIN = "example.com"
ALICE, CAROL, DAVE = (f"sip:{u}@{DOMAIN}" for u in ("alice", "carol", "dave"))
PASSWORDS = {ALICE: "alice-pw", CAROL: "carol-pw", DAVE: "dave-pw"}


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def listed(window: MainWindow) -> set[str]:
    """The addresses in the window's conversation list."""
    model = window.buddies
    return {str(model.index(row, 0).data(Role.ID)) for row in range(model.rowCount())}


def record_status_bar(window: MainWindow) -> list[str]:
    """Every sentence the status bar's registration line shows from now on."""
    label = window.registration_label
    shown: list[str] = []
    set_text = label.setText

    def recording(text: str) -> None:
        shown.append(text)
        set_text(text)

    label.setText = recording  # type: ignore[method-assign]
    return shown


def replace_text(qtbot, edit, text: str) -> None:
    """Select what the field holds and type *text* over it, as a person does."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def save(qtbot, dialog: AccountDialog) -> None:
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


async def open_account_dialog(window: MainWindow) -> AccountDialog:
    window.account_action.trigger()  # Softphone > Account...
    await wait_until(
        lambda: window.account_dialog is not None and window.account_dialog.isVisible(),
        "the account dialog",
    )
    dialog = window.account_dialog
    assert isinstance(dialog, AccountDialog)
    return dialog


def test_changing_the_account_in_the_dialog_registers_the_new_one_at_once(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot
) -> None:
    keyring.set_password(APP_NAME, ALICE, PASSWORDS[ALICE])
    # Carol's history already knows Dave: switching to Carol subscribes to him.
    carol_store = Store.open(history_path(Account(CAROL)))
    carol_store.add_contact(DAVE, "Dave", now=time.time())
    carol_store.close()

    async def user(server: LocalServer) -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        window = visible_window()
        assert window is not None
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered",
        )
        assert len(server.bindings(ALICE)) == 1
        labels = record_status_bar(window)
        dialog = await open_account_dialog(window)
        replace_text(qtbot, dialog.aor_edit, "carol@example.com")
        qtbot.keyClicks(dialog.password_edit, PASSWORDS[CAROL])
        save(qtbot, dialog)
        await wait_until(
            lambda: window.registration_label.text() == "Registered as carol@example.com",
            "carol registered",
        )
        # Every sentence in order: from alice's state straight to carol's
        # registering, never "Not registered" while one core gives way to the other.
        assert labels == [
            "Registering as carol@example.com…",
            "Registered as carol@example.com",
        ]
        assert len(server.bindings(CAROL)) == 1
        assert server.bindings(ALICE) == []  # unregistered (Expires: 0)
        await wait_until(lambda: (CAROL, DAVE) in server.subscriptions(), "dave watched by carol")
        assert not any(watcher == ALICE for watcher, _ in server.subscriptions())
        assert window.windowTitle().startswith("carol@example.com")
        assert listed(window) == {DAVE}
        window.quit_action.trigger()  # Softphone > Quit

    code = run_app(
        loop, PASSWORDS, Account(ALICE, expires=300), user, watchers={DAVE: [ALICE, CAROL]}
    )
    assert code == 0
    # The settings file now holds carol; the password is in the keyring only.
    assert load_account(ui_main.default_config_path()).aor == CAROL
    assert keyring.get_password(APP_NAME, CAROL) == PASSWORDS[CAROL]
    assert PASSWORDS[CAROL] not in ui_main.default_config_path().read_text()


@pytest.mark.parametrize("explicit_db", [False, True], ids=["data-folder", "--db"])
def test_each_account_shows_only_its_own_history(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot, tmp_path: Path, explicit_db: bool
) -> None:
    # --db names the history of the account the app starts with.
    db = tmp_path / "given.sqlite3" if explicit_db else None
    keyring.set_password(APP_NAME, ALICE, PASSWORDS[ALICE])
    keyring.set_password(APP_NAME, CAROL, PASSWORDS[CAROL])
    erin = f"sip:erin@{DOMAIN}"

    async def user(server: LocalServer) -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        window = visible_window()
        assert window is not None
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered",
        )
        # Alice writes to Erin: a conversation of alice's.
        window.open_conversation(erin)
        qtbot.keyClicks(window.chat.composer, "for erin, from alice")
        qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return)
        await wait_until(lambda: erin in listed(window), "erin's conversation")

        dialog = await open_account_dialog(window)
        replace_text(qtbot, dialog.aor_edit, "carol@example.com")
        save(qtbot, dialog)
        await wait_until(
            lambda: window.registration_label.text() == "Registered as carol@example.com",
            "carol registered",
        )
        assert erin not in listed(window)
        assert window.chat.peer is None

        dialog = await open_account_dialog(window)
        replace_text(qtbot, dialog.aor_edit, "alice@example.com")
        save(qtbot, dialog)
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered again",
        )
        assert erin in listed(window)
        bodies = [m.body for m in window.store.messages(erin)]
        assert bodies == ["for erin, from alice"]
        window.quit_action.trigger()  # Softphone > Quit

    assert run_app(loop, PASSWORDS, Account(ALICE, expires=300), user, db=db) == 0
    if db is not None:
        store = Store.open(db)
        try:
            assert [m.body for m in store.messages(erin)] == ["for erin, from alice"]
        finally:
            store.close()


def test_a_refused_password_opens_the_dialog_at_the_password_field_once(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot
) -> None:
    keyring.set_password(APP_NAME, ALICE, "not alice's password")
    opened: list[AccountDialog] = []

    async def user(server: LocalServer) -> None:
        window, dialog = await password_asked()
        assert isinstance(dialog, AccountDialog)
        opened.append(dialog)
        assert dialog.password_problem.isVisible()
        assert dialog.password_problem.text() == (
            "The server did not accept the password for alice@example.com (401 Unauthorized)"
        )
        assert window.registration_label.text().startswith("Wrong credentials")
        assert settings_jargon(visible_strings()) == []
        await wait_until(dialog.password_edit.hasFocus, "focus in the password field")
        qtbot.keyClicks(QApplication.focusWidget(), PASSWORDS[ALICE])
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered",
        )
        assert len(server.bindings(ALICE)) == 1
        # Asked once: no second dialog came while registering again.
        assert window.account_dialog is dialog and not dialog.isVisible()
        window.quit_action.trigger()  # Softphone > Quit

    assert run_app(loop, PASSWORDS, Account(ALICE, expires=300), user) == 0
    assert len(opened) == 1
    assert keyring.get_password(APP_NAME, ALICE) == PASSWORDS[ALICE]


def test_refusals_after_the_first_never_open_the_dialog_again(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot
) -> None:
    """Several 401s for one core (a REGISTER tried again, a refresh): one dialog, nothing lost."""
    keyring.set_password(APP_NAME, ALICE, "not alice's password")

    async def user(_server: LocalServer) -> None:
        refusals: list[str] = []
        window, dialog = await password_asked()
        assert isinstance(dialog, AccountDialog)
        window.bridge.registration_changed.connect(
            lambda status: refusals.append(status.text) if status.credentials_refused else None
        )
        dialogs = window.findChildren(AccountDialog)
        await wait_until(dialog.password_edit.hasFocus, "focus in the password field")
        qtbot.keyClicks(dialog.password_edit, "alice-")
        # The registration goes again (as a dead flow makes it) and is refused again
        # while the user types: the half-typed password stays, no second dialog.
        window.app.registration.start()
        await wait_until(lambda: len(refusals) == 1, "a second refusal")
        assert window.account_dialog is dialog and dialog.isVisible()
        assert dialog.password_edit.text() == "alice-"
        # Closed with Esc: one more refusal opens nothing.
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Escape)
        assert not dialog.isVisible()
        window.app.registration.start()
        await wait_until(lambda: len(refusals) == 2, "a third refusal")
        assert window.account_dialog is dialog and not dialog.isVisible()
        assert window.findChildren(AccountDialog) == dialogs
        assert window.registration_label.text().startswith("Wrong credentials")
        window.quit_action.trigger()  # Softphone > Quit

    assert run_app(loop, PASSWORDS, Account(ALICE, expires=300), user) == 0
    # Nothing typed was saved: the wrong password is still the one kept.
    assert keyring.get_password(APP_NAME, ALICE) == "not alice's password"


def test_direct_messages_setting_is_saved_and_applied_at_once(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot
) -> None:
    keyring.set_password(APP_NAME, ALICE, PASSWORDS[ALICE])

    async def user(server: LocalServer) -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        window = visible_window()
        assert window is not None
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered",
        )
        # Off by default: only the account's servers reach the services.
        assert window.app.agent.admit_source is not None
        dialog = await open_account_dialog(window)
        assert not dialog.accept_direct_check.isChecked()
        assert dialog.accept_direct_note.isVisible()
        assert "anyone" in dialog.accept_direct_note.text()
        qtbot.mouseClick(dialog.accept_direct_check, Qt.MouseButton.LeftButton)
        save(qtbot, dialog)
        await wait_until(lambda: window.app.account.accept_direct, "the new account in use")
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered again",
        )
        assert window.app.agent.admit_source is None
        window.quit_action.trigger()

    assert run_app(loop, PASSWORDS, Account(ALICE, expires=300), user) == 0
    assert load_account(ui_main.default_config_path()).accept_direct is True
    assert "accept_direct = true" in ui_main.default_config_path().read_text()


def test_an_unreachable_old_server_is_dropped_and_the_new_server_used(
    loop: qasync.QEventLoop, memory_keyring: MemoryKeyring, qtbot
) -> None:
    keyring.set_password(APP_NAME, ALICE, PASSWORDS[ALICE])
    other = LocalServer({CAROL: PASSWORDS[CAROL]}, domain=DOMAIN)

    async def user(server: LocalServer) -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        window = visible_window()
        assert window is not None
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "alice registered",
        )
        # Alice's server goes away; carol's account is on another one.
        await server.stop()
        address = await other.start("127.0.0.1", 0)
        try:
            dialog = await open_account_dialog(window)
            replace_text(qtbot, dialog.aor_edit, "carol@example.com")
            replace_text(qtbot, dialog.registrar_edit, address.sent_by)
            qtbot.keyClicks(dialog.password_edit, PASSWORDS[CAROL])
            save(qtbot, dialog)
            await wait_until(
                lambda: window.registration_label.text() == "Registered as carol@example.com",
                "carol registered on the other server",
            )
            assert len(other.bindings(CAROL)) == 1
            assert window.app.account.registrar == address.sent_by
            window.quit_action.trigger()
        finally:
            await other.stop()

    assert run_app(loop, PASSWORDS, Account(ALICE, expires=300), user) == 0
    assert load_account(ui_main.default_config_path()).registrar is not None
