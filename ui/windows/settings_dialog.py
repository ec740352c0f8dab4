"""The account dialog: the first-run form and the "Account…" settings.

Validation is `softphone.config.Account`'s own: OK builds an Account, and a
`SettingsError` sentence appears under the field it is about, so the
dialog and the settings file can never disagree on what is valid. The
password goes to the operating system's keyring, never to the settings
file; where there is no keyring the dialog says so and asks for the name
of an environment variable that holds it instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from softphone.account import Account, SettingsError
from softphone.config import keyring_usable, save_account, store_password
from softphone.phrase import Phrase, say
from softphone.transport.base import TransportKind
from ui import desktop
from ui.core_text import translated
from ui.windows.password_dialog import no_keyring_sentence

__all__ = ["AccountDialog", "keyring_available"]

_ERROR_STYLE = "color: #b71c1c;"

# Which field a SettingsError sentence is about, by how account.py starts it
# (in English: the sentence is shown translated).
_FIELD_OF_PREFIX: tuple[tuple[str, str], ...] = (
    ("The address of record", "aor"),
    ("Enter the address of record", "aor"),
    ("Display name", "display_name"),
    ("User name", "username"),
    ("The registrar", "registrar"),
    ("The outbound proxy", "outbound_proxy"),
    ("The DNS server", "dns_server"),
    ("Transport", "transport"),
    ("The password variable", "password_env"),
    ("No keyring", "password"),
    ("The keyring", "password"),
)


def keyring_available() -> bool:
    """True when the operating system offers a keyring that can keep a password.

    A backend that writes a plain file does not count: the password never
    goes to a file (`softphone.config.keyring_usable`).
    """
    return keyring_usable()


class AccountDialog(QDialog):
    """Ask for the SIP account's settings and password.

    ``exec()``/``open()`` end with ``Accepted`` once the fields make a valid
    `Account` (and the password, if one was typed, is in the keyring),
    ``Rejected`` on Cancel or Esc, and `DEMO_RESULT` when the user chose to
    try the app on this computer (first run only; `demo_requested` is
    emitted first).
    """

    #: The dialog's result when "Try it on this computer" was chosen.
    DEMO_RESULT = 2

    #: The user chose "Try it on this computer" instead of an account.
    demo_requested = Signal()

    def __init__(
        self,
        account: Account | None = None,
        parent: QWidget | None = None,
        *,
        first_run: bool | None = None,
    ) -> None:
        """Show *account*'s settings, or an empty form on first run.

        *first_run* (default: no *account* given) adds the "Try it on this
        computer" button.
        """
        super().__init__(parent)
        self._initial = account
        self._account: Account | None = None
        self._has_keyring = keyring_available()
        first_run = account is None if first_run is None else first_run
        self.setWindowTitle(self.tr("Set up your SIP account") if first_run else self.tr("Account"))
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)

        intro = QLabel(
            self.tr(
                "Enter the SIP account your provider gave you. The password is kept in"
                " this computer's keyring, never in the settings file."
            )
            if self._has_keyring
            else self.tr("Enter the SIP account your provider gave you."),
            self,
        )
        intro.setWordWrap(True)

        self.aor_edit = self._line_edit(self.tr("Address"), "sip:alice@example.com")
        self.display_name_edit = self._line_edit(
            self.tr("Display name"), self.tr("Alice Example (optional)")
        )
        self.username_edit = self._line_edit(
            self.tr("Authentication user name"), self.tr("same as in the address (optional)")
        )
        self.password_edit = self._line_edit(
            self.tr("Password"),
            self.tr("unchanged") if account is not None else "",
        )
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_env_edit = self._line_edit(
            self.tr("Password environment variable"), "SOFTPHONE_PASSWORD"
        )
        self.registrar_edit = self._line_edit(self.tr("Registrar"), self.tr("find automatically"))
        self.outbound_proxy_edit = self._line_edit(
            self.tr("Outbound proxy"), self.tr("none (optional)")
        )
        self.dns_server_edit = self._line_edit(
            self.tr("DNS server"), self.tr("the system's (optional)")
        )
        self.transport_combo = QComboBox(self)
        self.transport_combo.setAccessibleName(self.tr("Transport"))
        for kind in TransportKind:
            self.transport_combo.addItem(kind.value.upper(), kind)

        # RFC 5438: "displayed" receipts say a person saw the message.
        self.read_receipts_check = QCheckBox(self.tr("Send &read receipts"), self)
        self.read_receipts_check.setAccessibleName(self.tr("Send read receipts"))
        self.read_receipts_check.setToolTip(
            self.tr(
                "Tell the sender when a message was shown to you. Delivery receipts"
                " are always sent when asked."
            )
        )
        self.read_receipts_check.setChecked(True)
        self.request_receipts_check = QCheckBox(self.tr("As&k for read receipts"), self)
        self.request_receipts_check.setAccessibleName(self.tr("Ask for read receipts"))
        self.request_receipts_check.setChecked(True)
        # Without it, while registered only the account's servers reach us
        # (others get 403): see docs/security.md.
        self.accept_direct_check = QCheckBox(
            self.tr("Accept messages sent &directly to this computer"), self
        )
        self.accept_direct_check.setAccessibleName(
            self.tr("Accept messages sent directly to this computer")
        )
        self.accept_direct_note = QLabel(
            self.tr(
                "Off: only messages that come through your provider's server are taken."
                " On: anyone who can reach this computer can send you messages."
            ),
            self,
        )
        self.accept_direct_note.setWordWrap(True)
        self.accept_direct_check.setToolTip(self.accept_direct_note.text())

        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName(self.tr("Keyring"))
        self.keyring_note.setText("" if self._has_keyring else no_keyring_sentence())
        self.keyring_note.setVisible(not self._has_keyring)
        #: The server's refusal of the password, in words, above the field.
        self.password_problem = QLabel(self)
        self.password_problem.setWordWrap(True)
        self.password_problem.setStyleSheet(_ERROR_STYLE)
        self.password_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.password_problem.setAccessibleName(self.tr("Password problem"))
        self.password_problem.hide()

        self._errors: dict[str, QLabel] = {}
        self._password_env_box: QWidget | None = None
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._password_env_label = QLabel(self.tr("Password &variable:"), self)
        rows: tuple[tuple[str, str, QWidget], ...] = (
            (self.tr("&Address:"), "aor", self.aor_edit),
            (self.tr("&Display name:"), "display_name", self.display_name_edit),
            (self.tr("&User name:"), "username", self.username_edit),
            (self.tr("&Password:"), "password", self.password_edit),
            ("", "password_env", self.password_env_edit),
            (self.tr("&Registrar:"), "registrar", self.registrar_edit),
            (self.tr("&Outbound proxy:"), "outbound_proxy", self.outbound_proxy_edit),
            (self.tr("D&NS server:"), "dns_server", self.dns_server_edit),
            (self.tr("&Transport:"), "transport", self.transport_combo),
        )
        for text, name, widget in rows:
            label = self._password_env_label if name == "password_env" else QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, self._with_error(name, widget))
            if name == "password":
                form.insertRow(form.rowCount() - 1, "", self.password_problem)
                form.addRow("", self.keyring_note)
        form.addRow("", self.read_receipts_check)
        form.addRow("", self.request_receipts_check)
        form.addRow("", self.accept_direct_check)
        form.addRow("", self.accept_direct_note)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setAccessibleName(self.tr("Error"))
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Save") if not first_run else self.tr("Sign in"))
        ok.setAccessibleName(ok.text())
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.demo_button: QPushButton | None = None
        if first_run:
            self.demo_button = QPushButton(self.tr("Try it on &this computer"), self)
            self.demo_button.setAccessibleName(self.tr("Try it on this computer"))
            self.demo_button.setToolTip(
                self.tr(
                    "Start a small SIP server on this computer with two test users,"
                    " to try the app without an account"
                )
            )
            self.demo_button.setAutoDefault(False)
            self.buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.demo_button.clicked.connect(self._choose_demo)

        #: First run only: install the menu entry (`ui.desktop`) once chosen.
        self.menu_check: QCheckBox | None = None
        if first_run:
            self.menu_check = QCheckBox(self.tr("Add Softphone to the applications &menu"), self)
            self.menu_check.setAccessibleName(self.tr("Add Softphone to the applications menu"))
            self.menu_check.setToolTip(
                self.tr("A menu entry and icon for you alone; Softphone also opens sip: links")
            )
            self.menu_check.setChecked(True)

        self.autostart_check = QCheckBox(self.tr("Start Softphone when I &log in"), self)
        self.autostart_check.setAccessibleName(self.tr("Start Softphone when I log in"))
        self.autostart_check.setToolTip(self.tr("Starts in the tray, without opening the window"))
        self.autostart_check.setChecked(desktop.autostart_enabled())
        self.accepted.connect(self._apply_autostart)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        if self.menu_check is not None:
            layout.addWidget(self.menu_check)
        layout.addWidget(self.autostart_check)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        if account is not None:
            self._fill(account)
        self._show_password_env(not self._has_keyring or bool(self.password_env_edit.text()))
        self.setMinimumWidth(520)

    # -- public API ---------------------------------------------------------------------

    def account(self) -> Account:
        """The account the dialog was accepted with, or else the one its fields make now.

        Raises:
            SettingsError: the dialog was not accepted and a field is invalid.
        """
        return self._account if self._account is not None else self._build()

    def password(self) -> str:
        """The password as typed (empty: unchanged), for this session's use.

        Where no keyring could keep it, this is the only copy: the caller may
        use it until the app closes.
        """
        return self.password_edit.text()

    def save_to(self, path: Path | str) -> None:
        """Write the account's settings (never the password) to *path*.

        Raises:
            SettingsError: the dialog was not accepted and a field is invalid.
            OSError: the file could not be written.
        """
        save_account(self.account(), path)

    def error_text(self, field: str | None = None) -> str:
        """The error shown under *field* (e.g. ``"aor"``), or the dialog's general error."""
        label = self.error_label if field is None else self._errors[field]
        return label.text() if not label.isHidden() else ""

    def accept(self) -> None:
        """Close with ``Accepted`` if the fields are valid; else show why and stay open."""
        self._clear_errors()
        try:
            account = self._build()
        except SettingsError as exc:
            self._show_error(exc.phrase)
            return
        password = self.password_edit.text()
        if password and self._has_keyring:
            try:
                store_password(account, password)
            except SettingsError as exc:
                # With a password variable named, the keyring is not needed.
                if account.password_env is None:
                    self._show_password_env(True)
                    self._show_error(exc.phrase)
                    return
        # Without a keyring the password stays in memory (`password()`) until
        # the app quits; the note above says it is asked at every start.
        self._account = account
        super().accept()

    def show_problem(self, sentence: str) -> None:
        """Say *sentence* (why the settings are asked for) above the buttons."""
        self.error_label.setText(sentence)
        self.error_label.show()

    def show_password_problem(self, sentence: str) -> None:
        """Say *sentence* (the server's refusal) above the password field and go there."""
        self.password_problem.setText(sentence)
        self.password_problem.show()
        # Grow to the new line rather than squeeze the rows below it.
        self.layout().activate()
        self.adjustSize()
        self.password_edit.clear()
        self.password_edit.setPlaceholderText("")
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building -----------------------------------------------------------------------

    def _build(self) -> Account:
        aor = self.aor_edit.text().strip()
        if not aor:
            raise SettingsError(say("Enter the address of record, like sip:alice@example.com"))
        if not aor.lower().startswith(("sip:", "sips:")):
            # People write addresses as alice@example.com; the scheme is implied.
            aor = f"sip:{aor}"
        kind = self.transport_combo.currentData()
        base = self._initial
        return Account(
            aor=aor,
            display_name=self.display_name_edit.text().strip(),
            username=self.username_edit.text().strip(),
            registrar=self.registrar_edit.text().strip() or None,
            outbound_proxy=self.outbound_proxy_edit.text().strip() or None,
            transport=kind if isinstance(kind, TransportKind) else TransportKind.UDP,
            local_port=base.local_port if base is not None else 0,
            expires=base.expires if base is not None else Account.expires,
            password_env=self.password_env_edit.text().strip() or None,
            dns_server=self.dns_server_edit.text().strip() or None,
            # Not shown in the dialog: kept as it was.
            keepalive_interval=(
                base.keepalive_interval if base is not None else Account.keepalive_interval
            ),
            send_read_receipts=self.read_receipts_check.isChecked(),
            request_read_receipts=self.request_receipts_check.isChecked(),
            accept_direct=self.accept_direct_check.isChecked(),
        )

    def _fill(self, account: Account) -> None:
        self.aor_edit.setText(account.aor)
        self.read_receipts_check.setChecked(account.send_read_receipts)
        self.request_receipts_check.setChecked(account.request_read_receipts)
        self.accept_direct_check.setChecked(account.accept_direct)
        self.display_name_edit.setText(account.display_name)
        # A user name equal to the AoR's user part is the default: show it empty.
        if account.username != account.uri.user:
            self.username_edit.setText(account.username)
        self.registrar_edit.setText(account.registrar or "")
        self.outbound_proxy_edit.setText(account.outbound_proxy or "")
        self.transport_combo.setCurrentIndex(self.transport_combo.findData(account.transport))
        self.password_env_edit.setText(account.password_env or "")
        self.dns_server_edit.setText(account.dns_server or "")

    # -- widgets --------------------------------------------------------------------------

    def _apply_autostart(self) -> None:
        """Write or remove the login start entry as the box says (on accept)."""
        wanted = self.autostart_check.isChecked()
        if wanted == desktop.autostart_enabled():
            return
        try:
            desktop.set_autostart(wanted)
        except desktop.DesktopError as exc:
            QMessageBox.warning(self.parentWidget(), "Softphone", str(exc))

    def _line_edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel(box)
        error.setWordWrap(True)
        error.setStyleSheet(_ERROR_STYLE)
        error.setAccessibleName(self.tr("{field}: error").format(field=widget.accessibleName()))
        error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error.hide()
        column.addWidget(error)
        self._errors[name] = error
        if name == "password_env":
            self._password_env_box = box
        return box

    def _show_password_env(self, visible: bool) -> None:
        self._password_env_label.setVisible(visible)
        if self._password_env_box is not None:
            self._password_env_box.setVisible(visible)

    def _show_error(self, sentence: Phrase | str) -> None:
        english = str(sentence)
        field = next(
            (name for prefix, name in _FIELD_OF_PREFIX if english.startswith(prefix)), None
        )
        label = self.error_label if field is None else self._errors[field]
        label.setText(translated(sentence))
        label.show()
        target = {
            "aor": self.aor_edit,
            "display_name": self.display_name_edit,
            "username": self.username_edit,
            "password": self.password_edit,
            "password_env": self.password_env_edit,
            "registrar": self.registrar_edit,
            "outbound_proxy": self.outbound_proxy_edit,
            "dns_server": self.dns_server_edit,
            "transport": self.transport_combo,
        }.get(field or "")
        if target is not None:
            target.setFocus()

    def _clear_errors(self) -> None:
        for label in (*self._errors.values(), self.error_label):
            label.clear()
            label.hide()

    def _choose_demo(self) -> None:
        self.demo_requested.emit()
        self.done(self.DEMO_RESULT)
