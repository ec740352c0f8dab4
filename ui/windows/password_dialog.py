"""The small dialog that asks for the account's password at start.

Shown when the password cannot be had without asking: no keyring on this
computer (then the typed password is kept in memory only, until the app
quits), a keyring without a password for the account, or an environment
variable meant to hold it that is unset or empty. Every sentence here is
for a person: no settings key names.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from softphone.launch import PasswordLookup, PasswordSource

__all__ = ["PasswordDialog", "no_keyring_sentence", "password_sentence"]


def no_keyring_sentence() -> str:
    """Why the password is asked at every start: there is nowhere safe to keep it."""
    return QCoreApplication.translate(
        "PasswordDialog",
        "No password store was found on this computer, so Softphone will ask for"
        " your password each time it starts.",
    )


def password_sentence(lookup: PasswordLookup, address: str) -> str:
    """Why the password is asked now, for *address* (bob@example.com), in one sentence."""
    if lookup.source is PasswordSource.VARIABLE_UNSET:
        return QCoreApplication.translate(
            "PasswordDialog",
            "Softphone was set to read the password for {address} from the environment"
            " variable {name}, but that variable is not set.",
        ).format(address=address, name=lookup.variable)
    if lookup.source is PasswordSource.VARIABLE_EMPTY:
        return QCoreApplication.translate(
            "PasswordDialog",
            "Softphone was set to read the password for {address} from the environment"
            " variable {name}, but that variable is empty.",
        ).format(address=address, name=lookup.variable)
    if lookup.source is PasswordSource.NO_KEYRING:
        return no_keyring_sentence()
    return QCoreApplication.translate(
        "PasswordDialog", "Softphone does not know the password for {address} yet."
    ).format(address=address)


class PasswordDialog(QDialog):
    """Ask for *address*'s password, saying *why* in one sentence above the field.

    Accepted (Enter or Sign in) with the typed password in `password()`;
    Cancel or Esc rejects. An empty password is not accepted.
    """

    def __init__(self, address: str, why: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Password"))
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)
        self.reason_label = QLabel(why, self)
        self.reason_label.setWordWrap(True)
        self.reason_label.setAccessibleName(self.tr("Why the password is asked"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Password"))
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        label = QLabel(self.tr("&Password for {address}:").format(address=address), self)
        label.setBuddy(self.password_edit)
        form.addRow(label, self.password_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Sign in"))
        ok.setAccessibleName(ok.text())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.password_edit.setFocus()

    def password(self) -> str:
        """The password as typed (kept by the caller in memory only)."""
        return self.password_edit.text()

    def accept(self) -> None:
        """Close with the password; an empty one is said to be missing instead."""
        if not self.password_edit.text():
            self.error_label.setText(self.tr("Type the password to sign in."))
            self.error_label.show()
            self.password_edit.setFocus()
            return
        super().accept()
