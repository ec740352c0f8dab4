"""The registrar's users file: who may log in, and who may watch whom.

```toml
[users]
"sip:alice@example.com" = "alice's password"
"sip:bob@example.com" = "bob's password"

[watchers]
# RFC 3680 section 5: everyone may watch their own registrations; the
# addresses listed here may also watch this user's.
"sip:bob@example.com" = ["sip:alice@example.com"]
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["UsersFile", "UsersFileError", "load_users_file", "parse_users_file"]


class UsersFileError(ValueError):
    """The users file cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class UsersFile:
    """What a users file says."""

    #: AoR → password.
    users: Mapping[str, str]
    #: Watched AoR → AoRs allowed to watch it.
    watchers: Mapping[str, list[str]] = field(default_factory=dict)


def parse_users_file(text: str, name: str = "the users file") -> UsersFile:
    """Read a users file's TOML *text*.

    Raises:
        UsersFileError: not TOML, or the tables are not shaped as above.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsersFileError(f"{name} is not valid TOML: {exc}") from None
    users = document.get("users")
    if (
        not isinstance(users, dict)
        or not users
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in users.items())
    ):
        raise UsersFileError(
            f'{name} needs a [users] table like "sip:bob@example.com" = "password"'
        )
    watchers = document.get("watchers", {})
    if not isinstance(watchers, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)
        for k, v in watchers.items()
    ):
        raise UsersFileError(
            f'the [watchers] table of {name} needs lists like "sip:bob@example.com" ='
            ' ["sip:alice@example.com"]'
        )
    return UsersFile(users=dict(users), watchers={k: list(v) for k, v in watchers.items()})


def load_users_file(path: Path) -> UsersFile:
    """Read and parse the users file at *path*.

    Raises:
        UsersFileError: it cannot be read or is not shaped as above.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsersFileError(f"Cannot read the users file {path}: {reason}") from None
    return parse_users_file(text, f"the users file {path}")
