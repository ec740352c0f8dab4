"""The user's account settings: a small TOML file, and the password kept elsewhere.

The values themselves (`Account`) are in `softphone.account`; this module
only reads and writes them. The settings file never holds the password. It
comes from an environment variable the settings name (for scripts and
tests), or from the operating system's keyring.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import platformdirs

from softphone.account import DEFAULT_KEEPALIVE_INTERVAL, Account, SettingsError
from softphone.phrase import say
from softphone.sip.errors import SipError
from softphone.sip.uri import SipUri

__all__ = [
    "APP_NAME",
    "account_folder_name",
    "default_config_path",
    "default_data_dir",
    "keyring_usable",
    "load_account",
    "password_for",
    "save_account",
    "store_password",
]

#: The name used for the settings and data directories and the keyring service.
APP_NAME = "softphone"


# --- files --------------------------------------------------------------------------


def default_config_path() -> Path:
    """Where the account settings live by default (the platform's config directory)."""
    return platformdirs.user_config_path(APP_NAME) / "account.toml"


def default_data_dir() -> Path:
    """Where the message database lives by default (the platform's data directory)."""
    return platformdirs.user_data_path(APP_NAME)


def account_folder_name(aor: str) -> str:
    """The name of *aor*'s own folder in the data directory ("bob@example.com").

    Readable where the address allows it; a short hash keeps two addresses
    that differ only in characters a file name cannot hold apart.
    """
    try:
        uri = SipUri.parse(aor)
    except SipError:
        uri = None
    if uri is None or not uri.user:
        text = aor
    else:
        # The host is case-insensitive (RFC 3261 19.1.4), the user part not.
        text = f"{uri.user}@{uri.host.lower()}"
        if uri.scheme == "sips":
            text = f"sips-{text}"
    safe = re.sub(r"[^A-Za-z0-9._@+-]", "_", text)[:80]
    if safe != text or safe.startswith("."):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        safe = f"{safe.lstrip('.')}-{digest}"
    return safe


# The settings a file may hold: the constructor's fields (not the parsed AoR).
_FIELDS = {field.name for field in dataclasses.fields(Account) if field.init}


def load_account(path: Path | str) -> Account:
    """Read the ``[account]`` table of a TOML settings file.

    Raises:
        FileNotFoundError: there is no file at *path* (first start).
        SettingsError: the file cannot be read, is not valid TOML, has no
            ``[account]`` table, holds an unknown setting or a password, or
            a value is invalid.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise
    except OSError as exc:
        # A folder, a path through a file, no permission: said, not a crash.
        reason = exc.strerror or str(exc)
        raise SettingsError(
            say("The settings file {path} cannot be read: {error}", path=str(path), error=reason)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            say(
                "The settings file {path} is not valid TOML: {error}",
                path=str(path),
                error=str(exc),
            )
        ) from None
    table = data.get("account")
    if not isinstance(table, dict):
        raise SettingsError(
            say("The settings file {path} has no [account] section", path=str(path))
        )
    if "password" in table:
        raise SettingsError(
            say(
                "The settings file holds a password, which does not belong there: remove it;"
                " Softphone keeps the password in the keyring, or asks for it"
            )
        )
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        # The file's own word, quoted: the only way to point at the line.
        raise SettingsError(
            say("Unknown setting {name} in the [account] section", name=repr(unknown[0]))
        )
    if "aor" not in table:
        raise SettingsError(say("The settings file has no address of record"))
    values: dict[str, Any] = dict(table)
    return Account(**values)


def _toml_string(value: str) -> str:
    # A TOML basic string: escape backslash, quote and every control character.
    out = ['"']
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _to_toml(account: Account) -> str:
    lines = [
        "# softphone account settings. The password is never stored here:",
        "# it comes from the keyring, or from the variable named by password_env.",
        "[account]",
        f"aor = {_toml_string(account.aor)}",
        f"display_name = {_toml_string(account.display_name)}",
        f"username = {_toml_string(account.username)}",
    ]
    if account.registrar is not None:
        lines.append(f"registrar = {_toml_string(account.registrar)}")
    if account.outbound_proxy is not None:
        lines.append(f"outbound_proxy = {_toml_string(account.outbound_proxy)}")
    lines += [
        f"transport = {_toml_string(account.transport.value)}",
        f"local_port = {account.local_port:d}",
        f"expires = {account.expires:d}",
    ]
    if account.password_env is not None:
        lines.append(f"password_env = {_toml_string(account.password_env)}")
    if account.dns_server is not None:
        lines.append(f"dns_server = {_toml_string(account.dns_server)}")
    if account.keepalive_interval != DEFAULT_KEEPALIVE_INTERVAL:
        lines.append(f"keepalive_interval = {account.keepalive_interval:d}")
    if not account.send_read_receipts:
        lines.append("send_read_receipts = false")
    if not account.request_read_receipts:
        lines.append("request_read_receipts = false")
    if account.accept_direct:
        lines.append("accept_direct = true")
    return "\n".join(lines) + "\n"


def save_account(account: Account, path: Path | str) -> None:
    """Write *account* to *path* as TOML, replacing the file atomically.

    The directory is created if needed. The password is never written.

    Raises:
        OSError: the file could not be written.
    """
    path = Path(path)
    # Only the user may list or read the settings folder (the file itself
    # is 0600: mkstemp creates it so).
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = _to_toml(account)
    # Write a sibling file and rename it over the old one, so a crash leaves
    # either the old settings or the new ones, never half a file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


# --- password -----------------------------------------------------------------------


def password_for(account: Account) -> str | None:
    """The account's password, or None when there is none to be had.

    The variable named by ``password_env`` wins when it is set; otherwise
    the keyring is asked. A machine without a keyring backend (a headless
    server, a test runner) gives None rather than an error.
    """
    if account.password_env is not None:
        value = os.environ.get(account.password_env)
        if value is not None:
            return value
    try:
        return keyring.get_password(APP_NAME, account.aor)
    except keyring.errors.KeyringError:
        return None


#: Keyring backends that would put the password in a plain file, or keep it
#: nowhere: "never to a file" holds only if these are refused.
_FILE_BACKEND_MODULES = ("keyrings.alt.file", "keyrings.alt.pyfs", "keyring.backends.null")


def plaintext_backend(backend: object) -> str | None:
    """The name of the plain-file (or null) backend *backend* is or chains to, else None."""
    inner = getattr(backend, "backends", None)  # keyring's ChainerBackend
    for candidate in list(inner) if isinstance(inner, list | tuple) else [backend]:
        kind = type(candidate)
        if (
            kind.__module__.startswith(_FILE_BACKEND_MODULES)
            or "plaintext" in kind.__name__.lower()
        ):
            return f"{kind.__module__}.{kind.__name__}"
    return None


def keyring_usable() -> bool:
    """True when the operating system offers a keyring that can keep a password.

    A backend that writes a plain file, or keeps nothing (the null and the
    "fail" backends), does not count: the password never goes to a file.
    """
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is "no keyring", not a crash
        return False
    if plaintext_backend(backend) is not None:
        return False
    inner = getattr(backend, "backends", None)  # keyring's ChainerBackend
    if isinstance(inner, list | tuple) and not inner:
        return False
    return type(backend).__module__ not in ("keyring.backends.fail", "keyring.backends.null")


def store_password(account: Account, password: str) -> None:
    """Keep *password* for *account* in the operating system's keyring.

    A backend that would write the password to a plain file (keyrings.alt's
    file backends) or drop it (the null backend) is refused, so the
    password never reaches a file.

    Raises:
        SettingsError: no keyring is available, it is a plain-file backend,
            or it refused the password.
    """
    unsafe = plaintext_backend(keyring.get_keyring())
    if unsafe is not None:
        raise SettingsError(
            say(
                "The keyring backend {backend} would keep the password in a plain file or"
                " not at all, so it is not stored; use the desktop's keyring (Secret"
                " Service, KWallet, macOS Keychain, Windows Credential Locker), or keep"
                " the password in an environment variable",
                backend=unsafe,
            )
        )
    try:
        keyring.set_password(APP_NAME, account.aor, password)
    except keyring.errors.NoKeyringError:
        raise SettingsError(
            say(
                "No keyring is available to keep the password; keep it in an environment"
                " variable instead"
            )
        ) from None
    except keyring.errors.KeyringError as exc:
        # The backend's message may be all the user gets to know; it never
        # contains the password (keyring only reports its own failure).
        raise SettingsError(
            say("The keyring refused to keep the password: {error}", error=str(exc))
        ) from None
