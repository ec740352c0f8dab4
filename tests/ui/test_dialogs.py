"""The account dialog: every bad input explained in words, good input becomes an Account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDialog, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from softphone.account import Account, SettingsError
from softphone.config import APP_NAME, load_account
from softphone.transport.base import TransportKind
from tests.ui.visible_text import settings_jargon, visible_strings
from ui.windows.settings_dialog import AccountDialog, keyring_available


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict and records every write."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def open_dialog(qtbot: QtBot, account: Account | None = None) -> AccountDialog:
    dialog = AccountDialog(account)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def press_ok(dialog: AccountDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def config_error(**fields: object) -> str:
    with pytest.raises(SettingsError) as info:
        Account(**fields)  # type: ignore[arg-type]
    return str(info.value)


FIELD_EDITS = {
    "aor": "aor_edit",
    "registrar": "registrar_edit",
    "outbound_proxy": "outbound_proxy_edit",
    "password_env": "password_env_edit",
    "username": "username_edit",
    "dns_server": "dns_server_edit",
}

# (fields typed, the field the error belongs to, the sentence Account gives)
BAD_INPUTS = [
    ({"aor": "not an address"}, "aor", config_error(aor="sip:not an address")),
    ({"aor": "sip:example.com"}, "aor", config_error(aor="sip:example.com")),
    (
        {"aor": "sip:alice:secret@example.com"},
        "aor",
        config_error(aor="sip:alice:secret@example.com"),
    ),
    (
        {"aor": "alice@example.com", "registrar": "user@registrar"},
        "registrar",
        config_error(aor="sip:alice@example.com", registrar="user@registrar"),
    ),
    (
        {"aor": "alice@example.com", "registrar": "example.com:0"},
        "registrar",
        config_error(aor="sip:alice@example.com", registrar="example.com:0"),
    ),
    (
        {"aor": "alice@example.com", "outbound_proxy": "proxy.example.com;lr"},
        "outbound_proxy",
        config_error(aor="sip:alice@example.com", outbound_proxy="proxy.example.com;lr"),
    ),
    (
        {"aor": "alice@example.com", "dns_server": "dns.example.com"},
        "dns_server",
        config_error(aor="sip:alice@example.com", dns_server="dns.example.com"),
    ),
    (
        {"aor": "alice@example.com", "password_env": "1PASSWORD"},
        "password_env",
        config_error(aor="sip:alice@example.com", password_env="1PASSWORD"),
    ),
]


def test_empty_address_is_asked_for_in_words(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    press_ok(dialog)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_text("aor") == "Enter the address of record, like sip:alice@example.com"


@pytest.mark.parametrize(("typed", "field", "sentence"), BAD_INPUTS)
def test_every_bad_input_shows_the_settings_sentence_by_its_field(
    qtbot: QtBot,
    memory_keyring: MemoryKeyring,
    typed: dict[str, str],
    field: str,
    sentence: str,
) -> None:
    dialog = open_dialog(qtbot)
    dialog.password_edit.setText("pw")
    for name, value in typed.items():
        getattr(dialog, FIELD_EDITS[name]).setText(value)
    press_ok(dialog)
    assert dialog.isVisible()
    assert dialog.error_text(field) == sentence
    assert "Traceback" not in sentence
    # Only that field complains, and nothing was kept.
    others = [
        n
        for n in ("aor", "registrar", "outbound_proxy", "dns_server", "password_env")
        if n != field
    ]
    assert all(dialog.error_text(n) == "" for n in others)
    assert dialog.error_text() == ""
    assert memory_keyring.writes == 0
    with pytest.raises(SettingsError):
        dialog.account()


def test_fixing_the_input_clears_the_error(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    dialog.aor_edit.setText("sip:example.com")
    press_ok(dialog)
    assert dialog.error_text("aor")
    dialog.aor_edit.setText("sip:alice@example.com")
    with qtbot.waitSignal(dialog.accepted):
        press_ok(dialog)
    assert dialog.error_text("aor") == ""


def test_good_input_gives_the_account_and_keeps_the_password_in_the_keyring(
    qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot)
    dialog.aor_edit.setText("alice@example.com")
    dialog.display_name_edit.setText("Alice Example")
    dialog.password_edit.setText("correct horse battery staple")
    dialog.registrar_edit.setText("registrar.example.com:5070")
    dialog.outbound_proxy_edit.setText("proxy.example.com")
    dialog.transport_combo.setCurrentIndex(dialog.transport_combo.findData(TransportKind.TLS))
    with qtbot.waitSignal(dialog.finished) as finished:
        press_ok(dialog)
    assert finished.args == [QDialog.DialogCode.Accepted.value]
    expected = Account(
        aor="sip:alice@example.com",
        display_name="Alice Example",
        registrar="registrar.example.com:5070",
        outbound_proxy="proxy.example.com",
        transport=TransportKind.TLS,
    )
    assert dialog.account() == expected
    assert memory_keyring.passwords == {
        (APP_NAME, "sip:alice@example.com"): "correct horse battery staple"
    }
    path = tmp_path / "settings" / "account.toml"
    dialog.save_to(path)
    assert "correct horse" not in path.read_text(encoding="utf-8")
    assert load_account(path) == expected


def test_optional_fields_left_empty_mean_none(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    dialog.aor_edit.setText("sip:bob@example.org")
    with qtbot.waitSignal(dialog.accepted):
        press_ok(dialog)
    account = dialog.account()
    assert (account.registrar, account.outbound_proxy, account.transport) == (
        None,
        None,
        TransportKind.UDP,
    )
    assert dialog.registrar_edit.placeholderText() == "find automatically"
    # No password typed: the keyring is left alone.
    assert memory_keyring.writes == 0


def test_existing_account_is_shown_and_kept_unless_changed(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    account = Account(
        aor="sip:carol@example.net",
        display_name="Carol",
        username="carol-auth",
        registrar="sip.example.net",
        transport=TransportKind.TCP,
        local_port=5080,
        expires=900,
        dns_server="192.0.2.53:5353",
        keepalive_interval=40,
    )
    dialog = open_dialog(qtbot, account)
    assert dialog.dns_server_edit.text() == "192.0.2.53:5353"
    assert dialog.aor_edit.text() == "sip:carol@example.net"
    assert dialog.username_edit.text() == "carol-auth"
    assert dialog.transport_combo.currentData() is TransportKind.TCP
    assert dialog.password_edit.text() == ""
    assert dialog.demo_button is None
    dialog.display_name_edit.setText("Carol C.")
    with qtbot.waitSignal(dialog.accepted):
        press_ok(dialog)
    assert dialog.account() == Account(
        aor="sip:carol@example.net",
        display_name="Carol C.",
        username="carol-auth",
        registrar="sip.example.net",
        transport=TransportKind.TCP,
        local_port=5080,
        expires=900,
        dns_server="192.0.2.53:5353",
        keepalive_interval=40,
    )
    assert memory_keyring.writes == 0


def test_password_field_hides_what_is_typed(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password


def test_without_a_keyring_the_password_is_kept_in_memory_and_the_dialog_says_so(
    qtbot: QtBot, no_keyring: None
) -> None:
    assert not keyring_available()
    dialog = open_dialog(qtbot)
    assert dialog.keyring_note.isVisible()
    assert dialog.keyring_note.text() == (
        "No password store was found on this computer, so Softphone will ask for"
        " your password each time it starts."
    )
    assert dialog.password_env_edit.isVisible()  # still possible, never required
    assert settings_jargon(visible_strings()) == []
    qtbot.keyClicks(dialog.aor_edit, "sip:alice@example.com")
    qtbot.keyClicks(dialog.password_edit, "secret")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert dialog.account().password_env is None
    assert dialog.password() == "secret"  # for this run only


def test_with_a_keyring_the_variable_field_is_hidden(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    assert keyring_available()
    dialog = open_dialog(qtbot)
    assert not dialog.keyring_note.isVisible()
    assert not dialog.password_env_edit.isVisible()


def test_try_it_here_closes_with_its_own_result(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.demo_button is not None
    with qtbot.waitSignals([dialog.demo_requested, dialog.finished]):
        dialog.demo_button.click()
    assert dialog.result() == AccountDialog.DEMO_RESULT
    assert AccountDialog.DEMO_RESULT not in (
        QDialog.DialogCode.Accepted.value,
        QDialog.DialogCode.Rejected.value,
    )
    assert not dialog.isVisible()


def test_escape_closes(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    dialog.aor_edit.setText("sip:alice@example.com")
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.aor_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert memory_keyring.writes == 0


def test_every_control_has_an_accessible_name(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    controls = [
        *dialog.findChildren(QLineEdit),
        *dialog.findChildren(QComboBox),
        *dialog.findChildren(QAbstractButton),
    ]
    assert len(controls) >= 10
    for control in controls:
        assert control.accessibleName(), f"{type(control).__name__} {control.objectName()!r}"


def test_read_receipt_settings_are_on_by_default_and_saved_when_turned_off(
    qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.read_receipts_check.isChecked()
    assert dialog.request_receipts_check.isChecked()
    dialog.aor_edit.setText("alice@example.com")
    dialog.read_receipts_check.setFocus()
    qtbot.keyClick(dialog.read_receipts_check, Qt.Key.Key_Space)
    with qtbot.waitSignal(dialog.accepted):
        press_ok(dialog)
    account = dialog.account()
    assert (account.send_read_receipts, account.request_read_receipts) == (False, True)
    path = tmp_path / "account.toml"
    dialog.save_to(path)
    assert load_account(path) == account
    # Opened again, the dialog shows what was saved.
    again = open_dialog(qtbot, load_account(path))
    assert not again.read_receipts_check.isChecked()
    assert again.request_receipts_check.isChecked()
