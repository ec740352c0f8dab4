"""What a start needs before anything runs: the account, its password, the store.

The command-line tools (`softphone.cli`) and the window (`ui.main`) both
start from parsed arguments; this module turns them into an `Account`
(the settings file overridden by flags), a password and the message
database, the same way for both. It imports neither side, so the window
never has to import the command line to start.
"""

from __future__ import annotations

import argparse
import sqlite3
from dataclasses import replace
from pathlib import Path

from softphone.account import Account, SettingsError
from softphone.config import default_config_path, default_data_dir, load_account, password_for
from softphone.store import Store, StoreError

__all__ = [
    "UsageError",
    "open_store",
    "resolve_account",
    "resolve_password",
    "with_defaults",
]


class UsageError(Exception):
    """A command-line or settings problem, said in words."""


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
            raise UsageError(f"There is no settings file at {path}") from None
    except SettingsError as exc:
        raise UsageError(f"The settings file {path} is not usable: {exc}") from None
    overrides: dict[str, object] = {}
    for flag, field in _OVERRIDES:
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    try:
        if base is None:
            if "aor" not in overrides:
                raise UsageError(
                    "No account is set up: give --aor sip:alice@example.com (and"
                    " --password-env), or set one up in the app"
                )
            return Account(**overrides)  # type: ignore[arg-type]
        return replace(base, **overrides)  # type: ignore[arg-type]
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


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
            f"The environment variable {account.password_env} (named by --password-env or"
            " password_env) is empty; put the account's password in it"
        )
    if password is None and account.password_env is not None:
        raise UsageError(
            f"The environment variable {account.password_env} (named by --password-env or"
            " password_env) is not set, and the keyring holds no password for"
            f" {account.aor}"
        )
    return password


def open_store(args: argparse.Namespace) -> Store:
    """The message database the flags name, or the one in the data directory.

    Raises:
        UsageError: the path is a folder, a file that is not a softphone
            database, or cannot be opened or created (said in one sentence).
    """
    path = Path(getattr(args, "db", None) or default_data_dir() / "history.sqlite3")
    if path.is_dir():
        raise UsageError(f"The message database {path} is a folder; give a file with --db")
    try:
        return Store.open(path)
    except StoreError as exc:
        raise UsageError(f"{exc}; give another file with --db") from None
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"The message database {path} cannot be opened: {exc}") from None
