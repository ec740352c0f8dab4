"""The password never goes to a file: plain-file keyring backends are refused.

keyrings.alt's ``PlaintextKeyring`` writes passwords to a file in the data
directory. A backend of that kind (same module and class name, writing to a
file under the test's tmp dir) is selected, and the account dialog is used
as a user does: the password is typed and OK pressed. The dialog says the
password will be asked at each start, keeps it in memory for this run, and
the file is never written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.null
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from softphone.account import Account, SettingsError
from softphone.config import plaintext_backend, store_password
from ui.windows.settings_dialog import AccountDialog, keyring_available


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands for keyrings.alt.file.PlaintextKeyring: one line per password in a file."""

    priority = 1  # type: ignore[assignment]
    path: Path

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        with self.path.open("a") as f:
            f.write(f"{service} {username} {password}\n")

    def delete_password(self, service: str, username: str) -> None:
        pass


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def plaintext(tmp_path: Path) -> Iterator[Path]:
    backend = PlaintextKeyring()
    backend.path = tmp_path / "keyring_pass.cfg"
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend.path
    keyring.set_keyring(previous)


def test_dialog_refuses_to_put_the_password_in_a_plain_file(qtbot: QtBot, plaintext: Path) -> None:
    assert not keyring_available()
    dialog = AccountDialog(None)
    qtbot.addWidget(dialog)
    dialog.open()
    # Said before anything is typed: the password will be asked at each start.
    assert dialog.keyring_note.isVisible()
    assert dialog.keyring_note.text().startswith("No password store was found on this computer")
    qtbot.keyClicks(dialog.aor_edit, "alice@example.com")
    qtbot.keyClicks(dialog.password_edit, "correct horse")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    # Kept in memory for this run, never written to the backend's file.
    assert dialog.password() == "correct horse"
    assert not plaintext.exists()


def test_store_password_names_the_backend_and_writes_nothing(plaintext: Path) -> None:
    with pytest.raises(SettingsError, match=r"^The keyring backend keyrings\.alt\.file\."):
        store_password(Account("sip:alice@example.com"), "secret")
    assert not plaintext.exists()


def test_plain_file_null_and_chained_backends_are_recognised() -> None:
    assert plaintext_backend(PlaintextKeyring()) == "keyrings.alt.file.PlaintextKeyring"
    assert plaintext_backend(keyring.backends.null.Keyring()) == "keyring.backends.null.Keyring"
    chain = keyring.backends.chainer.ChainerBackend()
    chain.__dict__["backends"] = [PlaintextKeyring()]
    assert plaintext_backend(chain) == "keyrings.alt.file.PlaintextKeyring"
    assert plaintext_backend(object()) is None
