"""The registrar's bindings in a file, so a restart does not forget devices.

A device that registered keeps its flow (and its keep-alive answered) across
a restart of the registrar and has no reason to register again before its
refresh; until then only this file lets the relay reach it. The file is a
SQLite database holding every binding with its absolute expiry (wall-clock
seconds), Call-ID and CSeq (RFC 3261 10.3 step 7 still orders a refresh
after the restart) and its contact id (reg-event documents keep naming the
same contact).

Only REGISTER and expiry change bindings, so only they write, and the
server groups the changes of one turn of its event loop into one
transaction (`LocalServer`); relaying a MESSAGE never touches the file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from softphone.server.bindings import Binding

__all__ = ["BindingState", "StateError"]

#: PRAGMA user_version of the layout below.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE bindings (
    aor TEXT NOT NULL,
    id TEXT NOT NULL,
    uri TEXT NOT NULL,
    expires_at REAL NOT NULL,
    call_id TEXT NOT NULL,
    cseq INTEGER NOT NULL,
    registered_at REAL NOT NULL,
    PRIMARY KEY (aor, id)
)
"""


class StateError(Exception):
    """The state file cannot be used; the message is one sentence for a person."""


class BindingState:
    """The bindings file of one registrar. Times in it are wall-clock seconds."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @classmethod
    def open(cls, path: Path) -> BindingState:
        """Open (creating if needed, readable by the user only) the file at *path*.

        Raises:
            StateError: it is a folder, not a database, not a registrar
                state file, written by a newer version, or cannot be read.
        """
        if path.is_dir():
            raise StateError(f"the registrar state file {path} is a folder")
        try:
            _create_private(path)
            db = sqlite3.connect(str(path), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"the registrar state file {path} cannot be opened: {exc}") from None
        try:
            # The first read of the file's header: a file that is not a
            # database fails here.
            db.execute("PRAGMA journal_mode = WAL")
            # A commit is in the operating system's hands once written:
            # it survives the process being killed. Power loss may take the
            # last few, and those devices register again at their refresh.
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if version == 0 and not tables:
                db.executescript(
                    f"BEGIN; {_SCHEMA}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )
            elif version > SCHEMA_VERSION:
                raise StateError(
                    f"the registrar state file {path} was written by a newer softphone"
                )
            elif version != SCHEMA_VERSION or "bindings" not in tables:
                raise StateError(f"{path} is not a registrar state file")
        except sqlite3.Error as exc:
            db.close()
            raise StateError(f"the registrar state file {path} is unreadable ({exc})") from None
        except StateError:
            db.close()
            raise
        return cls(db, path)

    def load(self, now: float) -> list[Binding]:
        """Every binding that has not expired at *now* (wall clock), oldest first.

        The expired ones are deleted from the file.

        Raises:
            StateError: a row cannot be read (the file is damaged).
        """
        try:
            # Bindings that ran out while the server was down go for good.
            self._db.execute("DELETE FROM bindings WHERE expires_at <= ?", (now,))
            rows = self._db.execute(
                "SELECT aor, uri, id, expires_at, call_id, cseq, registered_at"
                " FROM bindings WHERE expires_at > ? ORDER BY registered_at",
                (now,),
            ).fetchall()
            return [
                Binding(
                    aor=str(aor),
                    uri=str(uri),
                    id=str(id_),
                    expires_at=float(expires_at),
                    call_id=str(call_id),
                    cseq=int(cseq),
                    registered_at=float(registered_at),
                )
                for aor, uri, id_, expires_at, call_id, cseq, registered_at in rows
            ]
        except (sqlite3.Error, TypeError, ValueError) as exc:
            raise StateError(
                f"the registrar state file {self.path} is unreadable ({exc})"
            ) from None

    def save(self, changed: Mapping[str, Iterable[Binding]]) -> None:
        """Replace the bindings of each AoR in *changed* with the ones given, in one commit.

        Raises:
            sqlite3.Error: the write failed (disk full, file removed...).
        """
        db = self._db
        db.execute("BEGIN")
        try:
            for aor, bindings in changed.items():
                db.execute("DELETE FROM bindings WHERE aor = ?", (aor,))
                db.executemany(
                    "INSERT INTO bindings VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (b.aor, b.id, b.uri, b.expires_at, b.call_id, b.cseq, b.registered_at)
                        for b in bindings
                    ],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()


def _create_private(path: Path) -> None:
    # Contact addresses say where each person's devices are: the folder is
    # made 0700 and the file 0600 before SQLite opens it, whatever the
    # umask. An existing file or folder is left as the operator made it.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
