"""What a start needs before anything runs: the account, its password, the store.

The command-line tools (`softphone.cli`) and the window (`ui.main`) both
start from parsed arguments; this module turns them into an `Account`
(the settings file overridden by flags), a password and the message
database, the same way for both. It imports neither side, so the window
never has to import the command line to start.
"""

from __future__ import annotations

import argparse
import enum
import os
import sqlite3
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import keyring
import keyring.errors

from softphone.account import Account, SettingsError
from softphone.config import (
    APP_NAME,
    account_folder_name,
    default_config_path,
    default_data_dir,
    keyring_usable,
    load_account,
    password_for,
)
from softphone.phrase import Phrase, say
from softphone.store import Store, StoreError

__all__ = [
    "LEGACY_HISTORY",
    "NO_ACCOUNT",
    "PasswordLookup",
    "PasswordSource",
    "UsageError",
    "history_path",
    "lookup_password",
    "open_store",
    "resolve_account",
    "resolve_password",
    "settings_aor",
    "store_path",
    "with_defaults",
]


class UsageError(Exception):
    """A command-line or settings problem, said in words.

    `phrase` is the sentence (the window translates it); ``str()`` is the
    same sentence in English, for the command line.
    """

    def __init__(self, phrase: Phrase | str) -> None:
        super().__init__(str(phrase))
        #: The sentence: an English template and its values, or plain text.
        self.phrase = phrase


#: No settings file and no address given: nothing is wrong, nothing is set up yet.
NO_ACCOUNT = say(
    "No account is set up: give --aor sip:alice@example.com (and --password-env),"
    " or set one up in the app"
)


#: Every flag the account resolution reads, with its value when absent
#: (`softphone --demo` has no subcommand, so it has none of them).
_DEFAULTS: dict[str, object] = {
    "config": None,
    "aor": None,
    "display_name": None,
    "username": None,
    "password_env": None,
    "registrar": None,
    "proxy": None,
    "transport": None,
    "dns_server": None,
    "local_port": None,
    "listen_host": "0.0.0.0",
    "db": None,
    "expires": None,
    "demo": False,
    "hidden": False,
    "link": None,
}

#: Command-line flag -> `Account` field it overrides.
_OVERRIDES = (
    ("aor", "aor"),
    ("display_name", "display_name"),
    ("username", "username"),
    ("password_env", "password_env"),
    ("registrar", "registrar"),
    ("proxy", "outbound_proxy"),
    ("transport", "transport"),
    ("local_port", "local_port"),
    ("expires", "expires"),
    ("dns_server", "dns_server"),
)


def with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """*args* with every account flag present (None when not given)."""
    values = dict(_DEFAULTS)
    values.update(vars(args))
    return argparse.Namespace(**values)


def resolve_account(args: argparse.Namespace) -> Account:
    """The account from the settings file, overridden by flags.

    Raises:
        UsageError: no address of record anywhere, or a setting is invalid.
    """
    base: Account | None = None
    config = getattr(args, "config", None)
    path = config or default_config_path()
    try:
        base = load_account(path)
    except FileNotFoundError:
        if config is not None:
            raise UsageError(say("There is no settings file at {path}", path=str(path))) from None
    except SettingsError as exc:
        raise UsageError(
            say(
                "The settings file {path} is not usable: {problem}",
                path=str(path),
                problem=exc.phrase,
            )
        ) from None
    overrides: dict[str, object] = {}
    for flag, field in _OVERRIDES:
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    try:
        if base is None:
            if "aor" not in overrides:
                raise UsageError(NO_ACCOUNT)
            return Account(**overrides)  # type: ignore[arg-type]
        return replace(base, **overrides)  # type: ignore[arg-type]
    except SettingsError as exc:
        raise UsageError(exc.phrase) from None


def resolve_password(account: Account) -> str | None:
    """The account's password, from the named variable or the keyring.

    Raises:
        UsageError: a password variable is named but not set, and the
            keyring has no password either (the value is never printed).
    """
    password = password_for(account)
    if password == "" and account.password_env is not None:
        # An empty password is always a mistake (an unset secret in a
        # script); sent, it would only earn a 403 from the registrar.
        raise UsageError(
            say(
                "The environment variable {name}, which should hold the password for {address},"
                " is empty; put the password in it",
                name=account.password_env,
                address=_address(account),
            )
        )
    if password is None and account.password_env is not None:
        raise UsageError(
            say(
                "The environment variable {name}, which should hold the password for {address},"
                " is not set, and the keyring holds no password for it either",
                name=account.password_env,
                address=_address(account),
            )
        )
    return password


def _address(account: Account) -> str:
    """*account*'s address as people write it (bob@example.com)."""
    return account.aor.removeprefix("sip:")


class PasswordSource(enum.Enum):
    """Where the password came from, or why there is none."""

    VARIABLE = "variable"
    KEYRING = "keyring"
    #: An environment variable is named for it but is not set (nor the keyring).
    VARIABLE_UNSET = "variable unset"
    #: An environment variable is named for it but is empty (nor the keyring).
    VARIABLE_EMPTY = "variable empty"
    #: No usable keyring on this computer, and no variable.
    NO_KEYRING = "no keyring"
    #: A keyring, but it holds no password for the account.
    NOT_STORED = "not stored"


@dataclass(frozen=True, slots=True)
class PasswordLookup:
    """The account's password if one was found, and where from (or why not)."""

    password: str | None
    source: PasswordSource
    #: The environment variable named for the password, if any.
    variable: str | None = None


def lookup_password(account: Account) -> PasswordLookup:
    """The account's password from its variable or the keyring, saying why when there is none.

    A set, non-empty variable wins; otherwise the keyring is asked. An empty
    variable never counts as a password: sent, it would only earn a 403.
    """
    name = account.password_env
    value = os.environ.get(name) if name is not None else None
    if value:
        return PasswordLookup(value, PasswordSource.VARIABLE, name)
    try:
        stored = keyring.get_password(APP_NAME, account.aor)
    except keyring.errors.KeyringError:
        stored = None
    if stored:
        return PasswordLookup(stored, PasswordSource.KEYRING, name)
    if name is not None:
        source = PasswordSource.VARIABLE_EMPTY if value == "" else PasswordSource.VARIABLE_UNSET
        return PasswordLookup(None, source, name)
    usable = keyring_usable()
    return PasswordLookup(
        None, PasswordSource.NOT_STORED if usable else PasswordSource.NO_KEYRING, None
    )


# -- the message database: one per account ---------------------------------------------

#: The history from before each account had its own: it stays where it is and
#: belongs to the account that was set up then, named in `LEGACY_OWNER`.
LEGACY_HISTORY = "history.sqlite3"
LEGACY_OWNER = "history.account"


def settings_aor(args: argparse.Namespace) -> str | None:
    """The address of record in the settings file, if there is a usable one."""
    path = getattr(args, "config", None) or default_config_path()
    try:
        return load_account(path).aor
    except (OSError, SettingsError):
        return None


def history_path(
    account: Account, data_dir: Path | None = None, *, configured: str | None = None
) -> Path:
    """Where *account*'s history is kept: a folder of its own in the data directory.

    A history kept before histories were per account (``history.sqlite3``
    in the data directory) is left in place, never moved or copied: it is
    given to the account that was set up then (*configured*, the settings
    file's address, else *account*), once, and stays that account's.
    """
    data = Path(data_dir) if data_dir is not None else Path(default_data_dir())
    legacy = data / LEGACY_HISTORY
    if legacy.exists():
        owner_file = data / LEGACY_OWNER
        try:
            owner = owner_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            owner = configured or account.aor
            _write_private(owner_file, owner + "\n")
        if account_folder_name(owner) == account_folder_name(account.aor):
            return legacy
    accounts = data / "accounts"
    accounts.mkdir(mode=0o700, parents=True, exist_ok=True)
    return accounts / account_folder_name(account.aor) / LEGACY_HISTORY


def store_path(args: argparse.Namespace, account: Account | None) -> Path:
    """The database the flags name (--db), else *account*'s own, else the shared default."""
    db = getattr(args, "db", None)
    if db:
        return Path(db)
    if account is None:
        return Path(default_data_dir()) / LEGACY_HISTORY
    return history_path(account, configured=settings_aor(args))


def _write_private(path: Path, text: str) -> None:
    """Write *text* to *path* (0600), replacing it atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_store(args: argparse.Namespace, account: Account | None = None) -> Store:
    """The message database the flags name, or *account*'s in the data directory.

    Raises:
        UsageError: the path is a folder, a file that is not a softphone
            database, or cannot be opened or created (said in one sentence).
    """
    try:
        path = store_path(args, account)
    except OSError as exc:
        raise UsageError(say("The data folder cannot be used: {error}", error=str(exc))) from None
    if path.is_dir():
        raise UsageError(
            say("The message database {path} is a folder; give a file with --db", path=str(path))
        )
    try:
        return Store.open(path)
    except StoreError as exc:
        raise UsageError(say("{problem}; give another file with --db", problem=str(exc))) from None
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(
            say(
                "The message database {path} cannot be opened: {error}",
                path=str(path),
                error=str(exc),
            )
        ) from None
