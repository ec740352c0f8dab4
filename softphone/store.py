"""SQLite storage: message history, the outbox, conversations and contacts.

One connection, used from the event-loop thread (and a second one for
group commits, see below). Every call is one short,
indexed statement or transaction. Writes that the protocol depends on are
committed before the call returns:

- a message the user sends is on disk before it goes on the wire, so no
  typed message is lost whatever the network or a crash does;
- a received message is on disk before it is answered with 200 OK.

Writes that arrive together (a burst of incoming messages, the state
changes of messages on their way) share one transaction and one sync of the
log through `commit_group` (see `softphone.groupcommit`): the disk is then
paid once per group, not once per row. `prepare_group` splits that in two:
the writes on the loop's thread, on a second connection to the file, and
the commit (the wait for the disk) on another thread, while the loop goes
on reading the network.

The schema is versioned with ``PRAGMA user_version``; `_MIGRATIONS` lists
the steps from version 0 (an empty file) to the current version, each
applied in its own transaction.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NewType

from softphone.direction import Direction
from softphone.listeners import Listeners
from softphone.sip.delivery import DeliveryState, FailureKind, describe

__all__ = [
    "PRESENCE_CHANGES_KEPT",
    "SCHEMA_VERSION",
    "ContactRecord",
    "ConversationRecord",
    "Direction",
    "InvalidTransition",
    "MessageEvent",
    "MessageId",
    "MessageRecord",
    "NotFound",
    "PreparedGroup",
    "PresenceChange",
    "ResendSchedule",
    "Store",
    "StoreError",
    "Write",
]

MessageId = NewType("MessageId", int)

#: One write, run inside a transaction the store opened (see `Store.commit_group`).
Write = Callable[[sqlite3.Connection], Any]

#: The content type of a message the user types (RFC 3428 9: text/plain is
#: the one type every endpoint must support).
DEFAULT_CONTENT_TYPE = "text/plain;charset=UTF-8"

log = logging.getLogger(__name__)


class StoreError(Exception):
    """Base of the errors the store raises on purpose."""


class NotFound(StoreError, LookupError):
    """No message or contact with that identity."""


class InvalidTransition(StoreError):
    """A state change the delivery table does not allow (a bug in the caller)."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One message as stored.

    For an outgoing message, *state* is where it is on its way; *code* and
    *reason* are the last response's status code and reason phrase, or, when
    *local_failure* is true, *code* is None and *reason* is the sentence for
    a failure found here (see `softphone.sip.delivery.FailureKind`). An
    incoming message is stored as DELIVERED with no code.
    """

    id: MessageId
    peer: str
    direction: Direction
    body: str
    content_type: str
    created: float
    updated: float
    state: DeliveryState
    code: int | None
    reason: str
    local_failure: bool
    call_id: str | None
    cseq: int | None
    from_tag: str | None
    #: RFC 5438 ``imdn.Message-ID``: the sender's identity for the message
    #: (ours for an outgoing one); None for plain-text messages.
    imdn_id: str | None = None
    #: Incoming: the receipts the sender asked for, comma-separated
    #: (``positive-delivery,display``); empty when none.
    disposition: str = ""
    #: Outgoing: when it first went on the wire (None: not yet); automatic
    #: resends stop a day after it (`softphone.resend_policy`).
    first_attempt: float | None = None
    #: Outgoing: failures that were not the recipient's answer, so far.
    attempts: int = 0
    #: Outgoing, FAILED: when it is sent again on its own (None: it is not).
    resend_at: float | None = None
    #: Outgoing, FAILED: automatic resends ran out (24 h after the first attempt).
    gave_up: bool = False

    @property
    def detail(self) -> str:
        """The sentence a tooltip shows, e.g. "failed: 404 Not Found"."""
        return describe(self.state, self.code, self.reason, local=self.local_failure)


@dataclass(frozen=True, slots=True)
class MessageEvent:
    """One step in a message's timeline (the details view)."""

    #: When it happened here (seconds since the epoch).
    at: float
    #: What happened: queued, sent, response, state, receipt.
    kind: str
    #: The SIP status code of a response, else None.
    code: int | None
    #: The sentence shown ("MESSAGE to 192.0.2.1:5060 over UDP").
    detail: str


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A peer the user has exchanged messages with."""

    peer: str
    display_name: str
    unread: int
    last_activity: float


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """An address of record in the user's contact list."""

    aor: str
    display_name: str
    added: float
    blocked: bool


@dataclass(frozen=True, slots=True)
class ResendSchedule:
    """An outgoing message's automatic-resend bookkeeping (see `softphone.resend_policy`)."""

    #: Failures that were not the recipient's answer, so far.
    attempts: int
    #: When it goes again (seconds since the epoch); None: not on its own.
    resend_at: float | None = None
    #: Automatic resends ran out.
    gave_up: bool = False
    #: Forget when it first went out (the user's own retry starts the day over).
    restart: bool = False

    @classmethod
    def fresh(cls) -> ResendSchedule:
        """The schedule of a message the user sends again: nothing counted."""
        return cls(attempts=0, restart=True)


def _write_schedule(db: sqlite3.Connection, message_id: MessageId, resend: ResendSchedule) -> None:
    db.execute(
        """
        UPDATE messages SET attempts = ?, resend_at = ?, gave_up = ?,
                            first_attempt = CASE WHEN ? THEN NULL ELSE first_attempt END
        WHERE id = ?
        """,
        (resend.attempts, resend.resend_at, int(resend.gave_up), int(resend.restart), message_id),
    )


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """A buddy going online or offline, as the window saw it."""

    aor: str
    #: When it was seen (seconds since the epoch).
    at: float
    #: The buddy's status then (`softphone.buddy.BuddyStatus` value).
    status: str
    #: The words shown then, in English ("online on 2 devices").
    detail: str


#: Presence changes kept per buddy: the details pane shows a short history.
PRESENCE_CHANGES_KEPT = 50


# --- schema ------------------------------------------------------------------


def _migrate_v1(db: sqlite3.Connection) -> None:
    # Version 1: conversations and messages.
    db.execute(
        """
        CREATE TABLE conversations (
            peer TEXT PRIMARY KEY,
            display_name TEXT NOT NULL DEFAULT '',
            unread INTEGER NOT NULL DEFAULT 0,
            last_activity REAL NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX conversations_by_activity ON conversations (last_activity)")
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            peer TEXT NOT NULL REFERENCES conversations (peer),
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            body TEXT NOT NULL,
            content_type TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            state TEXT NOT NULL,
            code INTEGER,
            reason TEXT NOT NULL DEFAULT '',
            call_id TEXT,
            cseq INTEGER,
            from_tag TEXT
        )
        """
    )
    # History paging reads one peer's messages by id.
    db.execute("CREATE INDEX messages_by_peer ON messages (peer, id)")
    # The outbox and crash recovery read messages by state.
    db.execute("CREATE INDEX messages_by_state ON messages (state, id)")
    # Incoming dedupe: a request is identified by Call-ID, CSeq and From tag
    # (RFC 3261 8.2.2.2), never by Call-ID alone, since some stacks reuse a
    # Call-ID for every MESSAGE they send.
    db.execute(
        """
        CREATE UNIQUE INDEX messages_remote_id
        ON messages (peer, call_id, cseq, from_tag) WHERE direction = 'in'
        """
    )


def _migrate_v2(db: sqlite3.Connection) -> None:
    # Version 2: keep where a failure came from (a local timeout is not a
    # remote 408), and the contact list with its blocked flag.
    db.execute("ALTER TABLE messages ADD COLUMN local_failure INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        CREATE TABLE contacts (
            aor TEXT PRIMARY KEY,
            display_name TEXT NOT NULL DEFAULT '',
            added REAL NOT NULL,
            blocked INTEGER NOT NULL DEFAULT 0
        )
        """
    )


def _migrate_v3(db: sqlite3.Connection) -> None:
    # Version 3: what the user typed and has not sent, per conversation, so
    # a draft survives quitting.
    db.execute(
        """
        CREATE TABLE drafts (
            peer TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            updated REAL NOT NULL
        )
        """
    )


def _migrate_v4(db: sqlite3.Connection) -> None:
    # Version 4: RFC 5438 message identity. A message that carries an
    # imdn.Message-ID is the same message when it comes again under a new
    # Call-ID (a resend after a lost 200), beside the transaction identity.
    db.execute("ALTER TABLE messages ADD COLUMN imdn_id TEXT")
    db.execute("ALTER TABLE messages ADD COLUMN disposition TEXT NOT NULL DEFAULT ''")
    # Incoming: set once a "displayed" receipt went out, so it goes only once.
    db.execute("ALTER TABLE messages ADD COLUMN display_reported INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        CREATE UNIQUE INDEX messages_imdn_in
        ON messages (peer, imdn_id) WHERE direction = 'in' AND imdn_id IS NOT NULL
        """
    )
    # A receipt names the Message-ID we sent.
    db.execute(
        """
        CREATE INDEX messages_imdn_out
        ON messages (imdn_id) WHERE direction = 'out' AND imdn_id IS NOT NULL
        """
    )
    # A message's whole story for its details view: queued, each request
    # sent (server, transport), each response, each receipt.
    db.execute(
        """
        CREATE TABLE message_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id INTEGER NOT NULL REFERENCES messages (id),
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            code INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX message_events_by_message ON message_events (message_id, id)")
    # The timeline finds an outgoing message by the Call-ID it went with.
    db.execute("CREATE INDEX messages_out_call_id ON messages (call_id) WHERE direction = 'out'")
    # Peers that refused CPIM (415/488): later messages go as text/plain
    # until the entry is old enough to try CPIM again.
    db.execute(
        """
        CREATE TABLE peer_formats (
            peer TEXT PRIMARY KEY,
            plain_only_since REAL NOT NULL
        )
        """
    )


def _migrate_v5(db: sqlite3.Connection) -> None:
    # Version 5: automatic resend. A message that failed for a reason that
    # is not the recipient's answer keeps its schedule on disk, so a restart
    # neither forgets it nor starts its back-off (or its day) over.
    db.execute("ALTER TABLE messages ADD COLUMN first_attempt REAL")
    db.execute("ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE messages ADD COLUMN resend_at REAL")
    db.execute("ALTER TABLE messages ADD COLUMN gave_up INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX messages_resend ON messages (resend_at) WHERE resend_at IS NOT NULL")


def _migrate_v6(db: sqlite3.Connection) -> None:
    # Version 6: each buddy's recent online/offline changes, so the details
    # pane still shows them after a restart (the last PRESENCE_CHANGES_KEPT
    # per buddy).
    db.execute(
        """
        CREATE TABLE presence_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            aor TEXT NOT NULL,
            at REAL NOT NULL,
            status TEXT NOT NULL,
            detail TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX presence_changes_by_aor ON presence_changes (aor, id)")


#: Migration *i* takes the database from version *i* to version *i* + 1.
#: Append only: a released step is never edited.
_MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_v1,
    _migrate_v2,
    _migrate_v3,
    _migrate_v4,
    _migrate_v5,
    _migrate_v6,
]

#: The schema version this code reads and writes.
SCHEMA_VERSION = len(_MIGRATIONS)

#: The state of every incoming row (an enum's value is a property call).
_DELIVERED = DeliveryState.DELIVERED.value

#: Above every message id (SQLite's largest integer): "written before anything".
_NO_ID_ABOVE = 2**63 - 1

_MESSAGE_COLUMNS = (
    "id, peer, direction, body, content_type, created, updated, state, code, reason,"
    " local_failure, call_id, cseq, from_tag, imdn_id, disposition,"
    " first_attempt, attempts, resend_at, gave_up"
)


#: Each `MessageRecord` field's slot, in field order. A frozen dataclass's
#: __init__ stores each field by name through object.__setattr__; the
#: record of every received message is built through its slots instead
#: (`_new_record`), in half the time.
_RECORD_SLOTS = tuple(getattr(MessageRecord, field.name).__set__ for field in fields(MessageRecord))


def _new_record(*values: object) -> MessageRecord:
    """A `MessageRecord` of every field's value, in field order."""
    record: MessageRecord = object.__new__(MessageRecord)
    for store, value in zip(_RECORD_SLOTS, values, strict=True):
        store(record, value)
    return record


def _message(row: sqlite3.Row) -> MessageRecord:
    return MessageRecord(
        id=MessageId(row["id"]),
        peer=row["peer"],
        direction=Direction(row["direction"]),
        body=row["body"],
        content_type=row["content_type"],
        created=row["created"],
        updated=row["updated"],
        state=DeliveryState(row["state"]),
        code=row["code"],
        reason=row["reason"],
        local_failure=bool(row["local_failure"]),
        call_id=row["call_id"],
        cseq=row["cseq"],
        from_tag=row["from_tag"],
        imdn_id=row["imdn_id"],
        disposition=row["disposition"],
        first_attempt=row["first_attempt"],
        attempts=row["attempts"],
        resend_at=row["resend_at"],
        gave_up=bool(row["gave_up"]),
    )


def _contact(row: sqlite3.Row) -> ContactRecord:
    return ContactRecord(
        aor=row["aor"],
        display_name=row["display_name"],
        added=row["added"],
        blocked=bool(row["blocked"]),
    )


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) readable by the user only.

    The history is private: the folder is made 0700 and the file 0600
    before SQLite opens it, whatever the umask; SQLite gives its -wal and
    -shm files the database file's permissions. An existing file or folder
    is left as it is (it may be one the user chose with --db).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except IsADirectoryError:
        return  # sqlite3 says what is wrong with it
    os.close(fd)


def _casefold(text: object) -> object:
    return text.casefold() if isinstance(text, str) else text


def _connect(path: str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    # isolation_level=None: the store issues BEGIN/COMMIT itself, so a
    # commit happens exactly where the code says and nowhere else.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
    db.row_factory = sqlite3.Row
    return db


def _configure(db: sqlite3.Connection) -> None:
    # In WAL mode, synchronous=NORMAL does not sync the log on
    # commit: the last transactions may vanish on power loss. A
    # message answered 200 OK must survive that, so every commit
    # waits for the log to be synced (FULL).
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    # Case-insensitive search for every script: SQLite's LIKE and
    # lower() fold ASCII only.
    db.create_function("casefold", 1, _casefold, deterministic=True)


_TOUCH_CONVERSATION = """
    INSERT INTO conversations (peer, display_name, unread, last_activity)
    VALUES (?, ?, ?, ?)
    ON CONFLICT (peer) DO UPDATE SET
        unread = unread + excluded.unread,
        last_activity = max(last_activity, excluded.last_activity),
        display_name = CASE WHEN display_name = ''
            THEN excluded.display_name ELSE display_name END
"""


class _Touches:
    """A group's conversation updates, summed per peer and written once at its end.

    Twenty messages from one peer in a group make one update of its
    conversation (unread + 20, the latest activity, the first name given),
    the same row as twenty updates would leave.
    """

    __slots__ = ("db", "known", "pending")

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        #: Peers whose conversation row exists in this transaction.
        self.known: set[str] = set()
        #: peer -> [display name, unread, latest activity]
        self.pending: dict[str, list[Any]] = {}

    def add(self, peer: str, now: float, unread: int, display_name: str) -> None:
        found = self.pending.get(peer)
        if found is None:
            self.pending[peer] = [display_name, unread, now]
            return
        if not found[0]:
            found[0] = display_name  # the first name given, as one by one would keep
        found[1] += unread
        found[2] = max(found[2], now)

    def flush(self) -> None:
        if self.pending:
            self.db.executemany(
                _TOUCH_CONVERSATION,
                [(peer, name, unread, now) for peer, (name, unread, now) in self.pending.items()],
            )
            self.pending.clear()


def _blocked_addresses(db: sqlite3.Connection) -> frozenset[str]:
    return frozenset(row[0] for row in db.execute("SELECT aor FROM contacts WHERE blocked = 1"))


def _stored_incoming(
    db: sqlite3.Connection,
    peer: str,
    call_id: str,
    cseq: int,
    from_tag: str,
    imdn_id: str | None,
) -> MessageRecord:
    """The incoming row a duplicate matched: same request identity, else same Message-ID."""
    row = db.execute(
        f"""
        SELECT {_MESSAGE_COLUMNS} FROM messages
        WHERE direction = 'in' AND peer = ? AND call_id = ? AND cseq = ? AND from_tag = ?
        """,
        (peer, call_id, cseq, from_tag),
    ).fetchone()
    if row is None and imdn_id is not None:
        row = db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages
            WHERE direction = 'in' AND peer = ? AND imdn_id = ?
            """,
            (peer, imdn_id),
        ).fetchone()
    if row is None:
        raise StoreError("an incoming message was refused by the database")
    return _message(row)


class PreparedGroup:
    """Writes done in an open transaction, waiting for `commit` (`Store.prepare_group`)."""

    def __init__(self, store: Store, db: sqlite3.Connection, results: list[Any]) -> None:
        self._store = store
        self._db = db
        #: Each write's result, or the exception it raised (its savepoint undone).
        self.results = results

    def commit(self) -> None:
        """Commit the group: when this returns, every successful write is on disk.

        May run on any one thread while the preparing thread goes on.

        Raises:
            sqlite3.Error: the commit failed; the group was rolled back and
                nothing of it is on disk.
        """
        try:
            self._store._commit(self._db)
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def announce(self) -> None:
        """Tell `Store.on_commit` listeners (on the store's thread, after `commit`)."""
        if self._store._commit_listeners:
            self._store._committed(len(self.results))


class Store:
    """The application's database. Build with `Store.open`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Wrap an open connection; use `Store.open` instead."""
        self._db = connection
        self._commit_listeners: Listeners[[int]] = Listeners("commit", log)
        # The file, when there is one: groups are committed on a second
        # connection to it (`prepare_group`), so their sync can run on
        # another thread while this connection serves reads.
        self._path: str | None = None
        self._group_db: sqlite3.Connection | None = None
        # While a group's writes run: its conversation updates, one per peer.
        self._touches: _Touches | None = None
        # Blocked addresses per connection, with the `PRAGMA data_version`
        # they were read at: kept while no other connection commits (e.g.
        # `softphone block` in another process) and this store's own writes
        # leave them (`_blocked_on`).
        self._blocked_seen: dict[sqlite3.Connection, tuple[int, frozenset[str]]] = {}
        # The set the open group's transaction saw (None until one of its
        # writes asks).
        self._group_blocked: frozenset[str] | None = None

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) and migrate the database at *path*.

        ``":memory:"`` gives a private in-memory database. The file's
        directory is created if missing.

        Raises:
            StoreError: the file was written by a newer version of the
                application, or is not a database.
            sqlite3.Error: a migration failed; it was rolled back, so the
                file is left at the last version that completed.
        """
        if str(path) != ":memory:":
            _create_private(Path(path))
        db = _connect(str(path))
        try:
            # WAL lets a reader (a second process, a backup) see committed
            # rows while we write, and makes a commit one sequential append.
            # This is also the first read of the file's header.
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{path} is not a softphone database: {exc}") from exc
        try:
            _configure(db)
            store = cls(db)
            store._migrate()
        except BaseException:
            db.close()
            raise
        if str(path) != ":memory:":
            store._path = str(path)
        return store

    def close(self) -> None:
        """Close the connection. Everything returned so far is already committed."""
        if self._group_db is not None:
            self._group_db.close()
            self._group_db = None
        self._db.close()

    @property
    def schema_version(self) -> int:
        """The database's ``user_version``."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self, writes: int = 1) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock at once, so a read-then-write (the
        # dedupe check) cannot interleave with another writer.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._commit(self._db)
        if self._commit_listeners:
            self._committed(writes)

    def _commit(self, db: sqlite3.Connection) -> None:
        # The one place a transaction is committed (the sync of the log).
        db.execute("COMMIT")

    def on_commit(self, callback: Callable[[int], None]) -> None:
        """Call *callback* after every commit with the number of writes it held."""
        self._commit_listeners.add(callback)

    def _committed(self, writes: int) -> None:
        self._commit_listeners(writes)

    def commit_group(self, writes: Sequence[Write]) -> list[Any]:
        """Run *writes* in one transaction: one commit (one sync of the log) for all.

        Each write runs in its own savepoint, so one that raises (a refused
        state change) is undone alone and the others still commit. Returns,
        in order, each write's result or the exception it raised; when this
        returns, every successful write is on disk.

        Raises:
            sqlite3.Error: the transaction itself could not be committed;
                nothing of it is on disk.
        """
        group = self._prepare(self._db, writes)
        group.commit()
        group.announce()
        return group.results

    def prepare_group(self, writes: Sequence[Write]) -> PreparedGroup:
        """Run *writes* in one open transaction; `PreparedGroup.commit` ends it.

        `commit_group` in two halves, so that the commit (the wait for the
        disk) can run on another thread while the event loop goes on: the
        writes run here, on the caller's thread, on the store's group
        connection (a second connection to the same file; the store's own
        for an in-memory database). Until the group is committed, no other
        group may be prepared, and the store's own writes wait for its lock.

        Raises:
            sqlite3.Error: the transaction could not be opened.
        """
        return self._prepare(self._group_connection(), writes)

    @property
    def commits_off_thread(self) -> bool:
        """True when a prepared group may be committed on another thread."""
        return self._path is not None

    def _group_connection(self) -> sqlite3.Connection:
        if self._path is None:
            return self._db
        if self._group_db is None:
            # Used by one thread at a time: the loop's while writing, the
            # committing thread while it commits.
            db = _connect(self._path, check_same_thread=False)
            try:
                _configure(db)
            except BaseException:
                db.close()
                raise
            self._group_db = db
        return self._group_db

    def _prepare(self, db: sqlite3.Connection, writes: Sequence[Write]) -> PreparedGroup:
        db.execute("BEGIN IMMEDIATE")
        self._group_blocked = None  # read again if a write of this group asks
        try:
            try:
                # The usual case, every write succeeding: no savepoints, and
                # each conversation's counters updated once for the group.
                self._touches = _Touches(db)
                try:
                    results = [write(db) for write in writes]
                    self._touches.flush()
                finally:
                    self._touches = None
                return PreparedGroup(self, db, results)
            except Exception:  # undo them all, then again one savepoint each
                db.execute("ROLLBACK")
                db.execute("BEGIN IMMEDIATE")
                self._group_blocked = None
            results: list[Any] = []
            for write in writes:
                db.execute("SAVEPOINT write")
                try:
                    results.append(write(db))
                except Exception as exc:
                    db.execute("ROLLBACK TO write")
                    results.append(exc)
                db.execute("RELEASE write")
            return PreparedGroup(self, db, results)
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _one(self, write: Write) -> Any:
        # A write committed on its own, raising what it raised.
        with self._transaction() as db:
            self._group_blocked = None  # a group of one
            return write(db)

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The database is at schema version {version}, newer than this"
                f" version of the application understands ({SCHEMA_VERSION})."
            )
        for target, step in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                step(db)
                # user_version lives in the database header and is written
                # in the same transaction: a failed step leaves both as they were.
                db.execute(f"PRAGMA user_version = {target:d}")

    # --- messages --------------------------------------------------------------

    def _touch_conversation(
        self, db: sqlite3.Connection, peer: str, now: float, *, unread: int, display_name: str
    ) -> None:
        touches = self._touches
        if touches is not None and touches.db is db:
            touches.add(peer, now, unread, display_name)  # written once, at the group's end
            return
        db.execute(_TOUCH_CONVERSATION, (peer, display_name, unread, now))

    def _ensure_conversation(
        self, db: sqlite3.Connection, peer: str, now: float, display_name: str
    ) -> None:
        # A message row needs its conversation first (the foreign key).
        touches = self._touches
        if touches is not None and touches.db is db:
            if peer in touches.known:
                return
            touches.known.add(peer)
        db.execute(
            """
            INSERT INTO conversations (peer, display_name, unread, last_activity)
            VALUES (?, ?, 0, ?) ON CONFLICT (peer) DO NOTHING
            """,
            (peer, display_name, now),
        )

    def _get_message(self, db: sqlite3.Connection, message_id: int) -> MessageRecord:
        row = db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no message with id {message_id}")
        return _message(row)

    def insert_outgoing(
        self,
        peer: str,
        body: str,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        now: float,
    ) -> MessageRecord:
        """Store a message the user wrote, in state QUEUED.

        The row is committed before this returns, so the message is on disk
        before it goes on the wire.
        """
        with self._transaction() as db:
            self._touch_conversation(db, peer, now, unread=0, display_name="")
            cursor = db.execute(
                """
                INSERT INTO messages (peer, direction, body, content_type, created, updated,
                                      state, code, reason, local_failure)
                VALUES (?, 'out', ?, ?, ?, ?, ?, NULL, '', 0)
                """,
                (peer, body, content_type, now, now, DeliveryState.QUEUED.value),
            )
            assert cursor.lastrowid is not None
            return self._get_message(db, cursor.lastrowid)

    def insert_incoming(
        self,
        peer: str,
        body: str,
        *,
        content_type: str,
        call_id: str,
        cseq: int,
        from_tag: str,
        now: float,
        display_name: str = "",
        imdn_id: str | None = None,
        disposition: str = "",
    ) -> tuple[MessageRecord, bool]:
        """Store a received message unless it is already stored.

        The identity of a request is (*peer*, *call_id*, *cseq*, *from_tag*)
        (RFC 3261 8.2.2.2); pass ``""`` as *from_tag* when the From header
        had none. A retransmission or a retry with the same identity returns
        the stored record and ``False``, and changes nothing; so does a
        message whose *imdn_id* (RFC 5438 Message-ID) this peer already sent
        under another Call-ID. A new message
        counts as unread in its conversation; a non-empty *display_name*
        (from the From header) names a conversation that has no name yet,
        and never renames one: the sender chooses that text.

        The row is committed before this returns, so the 200 OK that follows
        is only sent for a message that is on disk. `incoming_write` is the
        same write for `commit_group`.
        """
        result: tuple[MessageRecord, bool] = self._one(
            self.incoming_write(
                peer,
                body,
                content_type=content_type,
                call_id=call_id,
                cseq=cseq,
                from_tag=from_tag,
                now=now,
                display_name=display_name,
                imdn_id=imdn_id,
                disposition=disposition,
            )
        )
        return result

    def incoming_write(
        self,
        peer: str,
        body: str,
        *,
        content_type: str,
        call_id: str,
        cseq: int,
        from_tag: str,
        now: float,
        display_name: str = "",
        imdn_id: str | None = None,
        disposition: str = "",
        unless_blocked: bool = False,
    ) -> Write:
        """The write of `insert_incoming`, for `commit_group`; it returns (record, created).

        With *unless_blocked*, a *peer* blocked when the write runs (as its
        transaction sees the contacts, `softphone block` in another process
        included) writes nothing and returns None. The list is read once per
        group, not once per message.
        """

        def write(db: sqlite3.Connection) -> tuple[MessageRecord, bool] | None:
            if unless_blocked and peer in self._blocked_in_group(db):
                return None
            self._ensure_conversation(db, peer, now, display_name)
            # The unique indexes on the request's identity and on the IMDN
            # Message-ID turn a duplicate into no row; only then is the
            # stored one read (one statement per new message, not two).
            cursor = db.execute(
                """
                INSERT INTO messages (peer, direction, body, content_type, created, updated,
                                      state, code, reason, local_failure,
                                      call_id, cseq, from_tag, imdn_id, disposition)
                VALUES (?, 'in', ?, ?, ?, ?, ?, NULL, '', 0, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """,
                (
                    peer,
                    body,
                    content_type,
                    now,
                    now,
                    _DELIVERED,
                    call_id,
                    cseq,
                    from_tag,
                    imdn_id,
                    disposition,
                ),
            )
            if cursor.rowcount != 1:
                return _stored_incoming(db, peer, call_id, cseq, from_tag, imdn_id), False
            self._touch_conversation(db, peer, now, unread=1, display_name=display_name)
            assert cursor.lastrowid is not None
            # The row as written: no second read of what was just inserted
            # (id, peer, direction, body, content_type, created, updated,
            # state, code, reason, local_failure, call_id, cseq, from_tag,
            # imdn_id, disposition, first_attempt, attempts, resend_at,
            # gave_up: MessageRecord's fields in order).
            record = _new_record(
                cursor.lastrowid,
                peer,
                Direction.IN,
                body,
                content_type,
                now,
                now,
                DeliveryState.DELIVERED,
                None,
                "",
                False,
                call_id,
                cseq,
                from_tag,
                imdn_id,
                disposition,
                None,
                0,
                None,
                False,
            )
            return record, True

        return write

    def update_state(
        self,
        message_id: MessageId,
        state: DeliveryState,
        *,
        code: int | None = None,
        reason: str = "",
        local_failure: bool = False,
        now: float,
        resend: ResendSchedule | None = None,
    ) -> MessageRecord:
        """Record a new delivery state for an outgoing message.

        *code* and *reason* replace the stored ones (a retry back to QUEUED
        clears them). A message has one final outcome per attempt: once it
        is DELIVERED or ACCEPTED nothing changes it, and a FAILED or
        DECLINED message may only go back to QUEUED (the user retries).
        `state_write` is the same write for `commit_group`.

        The first SENDING stamps `first_attempt`. *resend* (FAILED only)
        stores the automatic resend's schedule; without it any planned
        resend is cleared and the failure count kept. QUEUED with
        ``ResendSchedule.restart()`` (the user's own retry) starts the count
        and the day over.

        Raises:
            NotFound: no message has that id.
            InvalidTransition: the message is incoming, the change leaves a
                final state other than by a retry, or *local_failure* is set
                on a state other than FAILED or together with a code.
            ValueError: *code* is outside 100..699.
        """
        write = self.state_write(
            message_id,
            state,
            code=code,
            reason=reason,
            local_failure=local_failure,
            now=now,
            resend=resend,
        )
        record: MessageRecord = self._one(write)
        return record

    def state_write(
        self,
        message_id: MessageId,
        state: DeliveryState,
        *,
        code: int | None = None,
        reason: str = "",
        local_failure: bool = False,
        now: float,
        resend: ResendSchedule | None = None,
    ) -> Write:
        """The write of `update_state`, for `commit_group`; it returns the record.

        Raises:
            InvalidTransition: *local_failure* on a state other than FAILED
                or with a code, a schedule on a state other than FAILED or
                QUEUED (the write itself raises the others).
            ValueError: *code* is outside 100..699.
        """
        if code is not None and not 100 <= code <= 699:
            raise ValueError(f"{code} is not a SIP status code (100..699)")
        if local_failure and (state is not DeliveryState.FAILED or code is not None):
            raise InvalidTransition("a local failure is FAILED and carries no status code")
        if resend is not None and state not in (DeliveryState.FAILED, DeliveryState.QUEUED):
            raise InvalidTransition("only a failed or queued message has a resend schedule")

        def write(db: sqlite3.Connection) -> MessageRecord:
            current = self._get_message(db, message_id)
            if current.direction is Direction.IN:
                raise InvalidTransition(f"message {message_id} is incoming; it has no outbox state")
            if current.state.is_final and not (
                state is DeliveryState.QUEUED
                and current.state in (DeliveryState.FAILED, DeliveryState.DECLINED)
            ):
                raise InvalidTransition(
                    f"message {message_id} is already {current.state.value};"
                    f" it cannot become {state.value}"
                )
            db.execute(
                """
                UPDATE messages
                SET state = ?, code = ?, reason = ?, local_failure = ?, updated = ?,
                    resend_at = NULL, gave_up = 0
                WHERE id = ?
                """,
                (state.value, code, reason, int(local_failure), now, message_id),
            )
            if state is DeliveryState.SENDING:
                db.execute(
                    "UPDATE messages SET first_attempt = coalesce(first_attempt, ?) WHERE id = ?",
                    (now, message_id),
                )
            elif resend is not None:
                _write_schedule(db, message_id, resend)
            return self._get_message(db, message_id)

        return write

    def reschedule(self, message_id: MessageId, resend: ResendSchedule) -> MessageRecord:
        """Store a new resend schedule for a FAILED message (its state stays).

        Raises:
            NotFound: no message has that id.
            InvalidTransition: the message is not an outgoing FAILED one.
        """
        with self._transaction() as db:
            current = self._get_message(db, message_id)
            if current.direction is not Direction.OUT or current.state is not DeliveryState.FAILED:
                raise InvalidTransition(
                    f"message {message_id} is {current.state.value}; only a failed one is resent"
                )
            _write_schedule(db, message_id, resend)
            return self._get_message(db, message_id)

    def resend_planned(self) -> list[MessageRecord]:
        """Every FAILED message with an automatic resend planned, soonest first."""
        rows = self._db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages
            WHERE resend_at IS NOT NULL AND state = ? ORDER BY resend_at, id
            """,
            (DeliveryState.FAILED.value,),
        ).fetchall()
        return [_message(row) for row in rows]

    def resend_waiting(self, peer: str, *, before: MessageId | None = None) -> MessageRecord | None:
        """The oldest message to *peer* waiting for its automatic resend, else None.

        Only one written before message *before* counts when it is given: a
        message waits behind such a one, so the peer reads them in the
        order written (`softphone.services.messaging`).
        """
        row = self._db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages
            WHERE resend_at IS NOT NULL AND state = ? AND peer = ? AND direction = 'out'
                  AND id < ?
            ORDER BY id LIMIT 1
            """,
            (DeliveryState.FAILED.value, peer, _NO_ID_ABOVE if before is None else before),
        ).fetchone()
        return None if row is None else _message(row)

    def advance_state(
        self, message_id: MessageId, state: DeliveryState, *, reason: str = "", now: float
    ) -> MessageRecord:
        """Move an outgoing message forward after a receipt (RFC 5438).

        The caller decided with `softphone.sip.delivery.after_receipt`; this
        refuses anything but ACCEPTED/DELIVERED/READ moving to DELIVERED,
        READ or FAILED. The code is cleared (a receipt has none), *reason*
        replaces the stored one.

        Raises:
            NotFound: no message has that id.
            InvalidTransition: the message is incoming or the move is not
                one a receipt can make.
        """
        receipt_states = (DeliveryState.DELIVERED, DeliveryState.READ, DeliveryState.FAILED)
        answered = (DeliveryState.ACCEPTED, DeliveryState.DELIVERED, DeliveryState.READ)
        with self._transaction() as db:
            current = self._get_message(db, message_id)
            if (
                current.direction is Direction.IN
                or current.state not in answered
                or state not in receipt_states
            ):
                raise InvalidTransition(
                    f"a receipt cannot move message {message_id} from"
                    f" {current.state.value} to {state.value}"
                )
            db.execute(
                """
                UPDATE messages SET state = ?, code = NULL, reason = ?, local_failure = 0,
                                    updated = ?
                WHERE id = ?
                """,
                (state.value, reason, now, message_id),
            )
            return self._get_message(db, message_id)

    def set_imdn_id(self, message_id: MessageId, imdn_id: str) -> MessageRecord:
        """Give an outgoing message its RFC 5438 Message-ID (once; kept on retries).

        Raises:
            NotFound: no message has that id.
        """
        with self._transaction() as db:
            db.execute(
                "UPDATE messages SET imdn_id = ? WHERE id = ? AND imdn_id IS NULL",
                (imdn_id, message_id),
            )
            return self._get_message(db, message_id)

    def mark_display_reported(self, message_id: MessageId) -> bool:
        """Note that a "displayed" receipt goes out for this incoming message.

        Returns True the first time, False when it was already noted (so a
        receipt is sent at most once, across restarts too).
        """
        with self._transaction() as db:
            cursor = db.execute(
                """
                UPDATE messages SET display_reported = 1
                WHERE id = ? AND direction = 'in' AND display_reported = 0
                """,
                (message_id,),
            )
            return cursor.rowcount == 1

    def outgoing_by_imdn_id(self, imdn_id: str) -> MessageRecord | None:
        """The outgoing message we sent with that Message-ID, if any."""
        row = self._db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages
            WHERE direction = 'out' AND imdn_id = ?
            """,
            (imdn_id,),
        ).fetchone()
        return None if row is None else _message(row)

    def add_event(
        self,
        message_id: MessageId,
        kind: str,
        detail: str,
        *,
        code: int | None = None,
        now: float,
    ) -> None:
        """Append one step to a message's timeline.

        Committed without waiting for the disk (synchronous=NORMAL for this
        one transaction): a timeline step is worth no fsync of its own (one
        cost 7.6 ms against 0.65 ms here), and the next message write, which
        does wait, makes it durable too.
        """
        self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO message_events (message_id, at, kind, code, detail)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (message_id, now, kind, code, detail),
                )
        finally:
            self._db.execute("PRAGMA synchronous = FULL")

    def events(self, message_id: MessageId) -> list[MessageEvent]:
        """A message's timeline, oldest first."""
        rows = self._db.execute(
            "SELECT at, kind, code, detail FROM message_events WHERE message_id = ? ORDER BY id",
            (message_id,),
        ).fetchall()
        return [MessageEvent(row[0], row[1], row[2], row[3]) for row in rows]

    def outgoing_by_call_id(self, call_id: str) -> MessageRecord | None:
        """The outgoing message last sent with *call_id*, if any."""
        row = self._db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages
            WHERE direction = 'out' AND call_id = ? ORDER BY id DESC LIMIT 1
            """,
            (call_id,),
        ).fetchone()
        return None if row is None else _message(row)

    def plain_only_since(self, peer: str) -> float | None:
        """When *peer* last refused CPIM (415/488), or None."""
        row = self._db.execute(
            "SELECT plain_only_since FROM peer_formats WHERE peer = ?", (peer,)
        ).fetchone()
        return None if row is None else float(row[0])

    def set_plain_only(self, peer: str, since: float | None) -> None:
        """Remember that *peer* takes plain text only (None forgets it)."""
        with self._transaction() as db:
            if since is None:
                db.execute("DELETE FROM peer_formats WHERE peer = ?", (peer,))
            else:
                db.execute(
                    """
                    INSERT INTO peer_formats (peer, plain_only_since) VALUES (?, ?)
                    ON CONFLICT (peer) DO UPDATE SET plain_only_since = excluded.plain_only_since
                    """,
                    (peer, since),
                )

    def set_wire_identity(
        self, message_id: MessageId, call_id: str, cseq: int, from_tag: str | None = None
    ) -> None:
        """Remember the Call-ID, CSeq (and From tag) an outgoing message was sent with.

        A resend goes with the same identity, so the recipient knows it.

        Raises:
            NotFound: no message has that id.
        """
        self._one(self.wire_identity_write(message_id, call_id, cseq, from_tag))

    def wire_identity_write(
        self, message_id: MessageId, call_id: str, cseq: int, from_tag: str | None = None
    ) -> Write:
        """The write of `set_wire_identity`, for `commit_group`."""

        def write(db: sqlite3.Connection) -> None:
            cursor = db.execute(
                """
                UPDATE messages SET call_id = ?, cseq = ?, from_tag = coalesce(?, from_tag)
                WHERE id = ?
                """,
                (call_id, cseq, from_tag, message_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no message with id {message_id}")

        return write

    def message(self, message_id: MessageId) -> MessageRecord:
        """The message with that id.

        Raises:
            NotFound: no message has that id.
        """
        return self._get_message(self._db, message_id)

    def messages(
        self, peer: str, *, before_id: MessageId | None = None, limit: int = 50
    ) -> list[MessageRecord]:
        """One page of a conversation's history, for paging into a view.

        Returns the newest *limit* messages with an id below *before_id*
        (all of them when it is None), in the order they were stored
        (oldest first), so a page can be put above the rows already shown.
        The next older page is ``messages(peer, before_id=page[0].id)``; an
        empty list means the start of the history.
        """
        if limit <= 0:
            return []
        if before_id is None:
            rows = self._db.execute(
                f"""
                SELECT {_MESSAGE_COLUMNS} FROM messages WHERE peer = ?
                ORDER BY id DESC LIMIT ?
                """,
                (peer, limit),
            ).fetchall()
        else:
            rows = self._db.execute(
                f"""
                SELECT {_MESSAGE_COLUMNS} FROM messages WHERE peer = ? AND id < ?
                ORDER BY id DESC LIMIT ?
                """,
                (peer, before_id, limit),
            ).fetchall()
        return [_message(row) for row in reversed(rows)]

    def find_message(
        self,
        peer: str,
        text: str,
        *,
        before_id: MessageId | None = None,
        after_id: MessageId | None = None,
    ) -> MessageId | None:
        """The message of the conversation whose body contains *text*, ignoring case.

        Searches the whole conversation on disk, not just what a view has
        loaded. With *after_id* the oldest match newer than it is returned;
        otherwise the newest match older than *before_id* (or the newest
        match of all when it is None). None when nothing matches.
        """
        needle = text.casefold()
        if not needle:
            return None
        if after_id is not None:
            row = self._db.execute(
                """
                SELECT id FROM messages WHERE peer = ? AND id > ?
                  AND instr(casefold(body), ?) > 0 ORDER BY id LIMIT 1
                """,
                (peer, after_id, needle),
            ).fetchone()
        else:
            row = self._db.execute(
                """
                SELECT id FROM messages WHERE peer = ? AND id < ?
                  AND instr(casefold(body), ?) > 0 ORDER BY id DESC LIMIT 1
                """,
                (peer, before_id if before_id is not None else 1 << 62, needle),
            ).fetchone()
        return None if row is None else MessageId(row[0])

    def messages_after(
        self, peer: str, *, after_id: MessageId, limit: int = 50
    ) -> list[MessageRecord]:
        """The oldest *limit* messages of the conversation newer than *after_id*, oldest first.

        The page below a view's last row, when the view shows an older part
        of the history (a find far back).
        """
        rows = self._db.execute(
            f"""
            SELECT {_MESSAGE_COLUMNS} FROM messages WHERE peer = ? AND id > ?
            ORDER BY id LIMIT ?
            """,
            (peer, after_id, max(0, limit)),
        ).fetchall()
        return [_message(row) for row in rows]

    def count_messages(self, peer: str) -> int:
        """How many messages the conversation with *peer* holds."""
        row = self._db.execute("SELECT count(*) FROM messages WHERE peer = ?", (peer,)).fetchone()
        return int(row[0])

    def pending_outgoing(self, peer: str | None = None) -> list[MessageRecord]:
        """Every QUEUED message (to *peer* when given), oldest first: what to send."""
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages"
            " WHERE state = ? AND (? IS NULL OR peer = ?) ORDER BY id",
            (DeliveryState.QUEUED.value, peer, peer),
        ).fetchall()
        return [_message(row) for row in rows]

    def recover_after_restart(self, now: float) -> list[MessageRecord]:
        """Fail the messages a previous run left in SENDING, and return them.

        Whether such a message arrived is unknown: it is marked FAILED as a
        local failure ("closed before the server answered") rather than sent
        again blindly, and the service may offer or perform a retry.
        Call once, at start, before anything is sent.
        """
        with self._transaction() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM messages WHERE state = ? ORDER BY id",
                    (DeliveryState.SENDING.value,),
                )
            ]
            db.execute(
                """
                UPDATE messages
                SET state = ?, code = NULL, reason = ?, local_failure = 1, updated = ?
                WHERE state = ?
                """,
                (
                    DeliveryState.FAILED.value,
                    FailureKind.CLOSED_BEFORE_ANSWER.reason,
                    now,
                    DeliveryState.SENDING.value,
                ),
            )
            return [self._get_message(db, message_id) for message_id in ids]

    # --- conversations -----------------------------------------------------------

    def conversations(self) -> list[ConversationRecord]:
        """Every conversation, most recently active first."""
        rows = self._db.execute(
            """
            SELECT peer, display_name, unread, last_activity FROM conversations
            ORDER BY last_activity DESC, peer
            """
        ).fetchall()
        return [
            ConversationRecord(
                peer=row["peer"],
                display_name=row["display_name"],
                unread=row["unread"],
                last_activity=row["last_activity"],
            )
            for row in rows
        ]

    def mark_read(self, peer: str) -> None:
        """Set the conversation's unread count to zero (no-op for an unknown peer)."""
        with self._transaction() as db:
            db.execute("UPDATE conversations SET unread = 0 WHERE peer = ?", (peer,))

    def delete_message(self, message_id: MessageId) -> None:
        """Delete one message from this computer's history (the peer is not told).

        Raises:
            NotFound: no message has that id.
        """
        with self._transaction() as db:
            # Its timeline goes with it (the events refer to the message).
            db.execute("DELETE FROM message_events WHERE message_id = ?", (message_id,))
            if db.execute("DELETE FROM messages WHERE id = ?", (message_id,)).rowcount == 0:
                raise NotFound(f"no message {message_id}")

    def delete_conversation(self, peer: str) -> None:
        """Delete every message, the draft and the conversation with *peer*.

        A contact stays a contact. Deleting a conversation that does not
        exist does nothing.
        """
        with self._transaction() as db:
            db.execute(
                "DELETE FROM message_events"
                " WHERE message_id IN (SELECT id FROM messages WHERE peer = ?)",
                (peer,),
            )
            db.execute("DELETE FROM messages WHERE peer = ?", (peer,))
            db.execute("DELETE FROM drafts WHERE peer = ?", (peer,))
            db.execute("DELETE FROM conversations WHERE peer = ?", (peer,))

    # --- drafts ------------------------------------------------------------------

    def set_draft(self, peer: str, body: str, *, now: float) -> None:
        """Keep *body* as the unsent text for *peer*; blank text removes the draft."""
        with self._transaction() as db:
            if body.strip():
                db.execute(
                    """
                    INSERT INTO drafts (peer, body, updated) VALUES (?, ?, ?)
                    ON CONFLICT (peer) DO UPDATE SET
                        body = excluded.body, updated = excluded.updated
                    """,
                    (peer, body, now),
                )
            else:
                db.execute("DELETE FROM drafts WHERE peer = ?", (peer,))

    def draft(self, peer: str) -> str:
        """The unsent text kept for *peer* ("" when none)."""
        row = self._db.execute("SELECT body FROM drafts WHERE peer = ?", (peer,)).fetchone()
        return "" if row is None else str(row[0])

    def drafts(self) -> dict[str, str]:
        """Every kept draft, by peer."""
        rows = self._db.execute("SELECT peer, body FROM drafts").fetchall()
        return {row["peer"]: row["body"] for row in rows}

    # --- presence history -----------------------------------------------------------

    def add_presence_change(
        self,
        aor: str,
        status: str,
        detail: str,
        *,
        now: float,
        keep: int = PRESENCE_CHANGES_KEPT,
    ) -> bool:
        """Note that *aor*'s status became *status*; False when it already was.

        Only a change of status is kept, so a restart that finds a buddy as
        it was writes nothing; past *keep* changes per buddy the oldest go.
        """
        return self.add_presence_changes([(aor, status, detail, now)], keep=keep)[0]

    def add_presence_changes(
        self,
        changes: Sequence[tuple[str, str, str, float]],
        *,
        keep: int = PRESENCE_CHANGES_KEPT,
    ) -> list[bool]:
        """`add_presence_change` for each (aor, status, detail, at), in one transaction.

        In order: a buddy that went online and offline again in one burst
        has both changes kept. One True or False per change, as
        `add_presence_change` would have said.
        """
        kept: list[bool] = []
        if not changes:
            return kept
        # The last status of each buddy, read once per buddy in the batch.
        last: dict[str, str | None] = {}
        trimmed: set[str] = set()
        with self._transaction(len(changes)) as db:
            for aor, status, detail, at in changes:
                if aor not in last:
                    row = db.execute(
                        "SELECT status FROM presence_changes WHERE aor = ?"
                        " ORDER BY id DESC LIMIT 1",
                        (aor,),
                    ).fetchone()
                    last[aor] = row[0] if row is not None else None
                if last[aor] == status:
                    kept.append(False)
                    continue
                db.execute(
                    "INSERT INTO presence_changes (aor, at, status, detail) VALUES (?, ?, ?, ?)",
                    (aor, at, status, detail),
                )
                last[aor] = status
                trimmed.add(aor)
                kept.append(True)
            for aor in trimmed:
                db.execute(
                    """
                    DELETE FROM presence_changes WHERE aor = ? AND id <= (
                        SELECT id FROM presence_changes WHERE aor = ?
                        ORDER BY id DESC LIMIT 1 OFFSET ?
                    )
                    """,
                    (aor, aor, keep),
                )
        return kept

    def presence_changes(self, aor: str) -> list[PresenceChange]:
        """*aor*'s kept online/offline changes, oldest first."""
        rows = self._db.execute(
            "SELECT aor, at, status, detail FROM presence_changes WHERE aor = ? ORDER BY id",
            (aor,),
        ).fetchall()
        return [PresenceChange(row[0], row[1], row[2], row[3]) for row in rows]

    # --- contacts ----------------------------------------------------------------

    def add_contact(self, aor: str, display_name: str = "", *, now: float) -> ContactRecord:
        """Add *aor* to the contact list.

        Adding an address that is already there (for instance one blocked
        before it was added) keeps its blocked flag and sets the name.
        """
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO contacts (aor, display_name, added, blocked) VALUES (?, ?, ?, 0)
                ON CONFLICT (aor) DO UPDATE SET display_name = excluded.display_name
                """,
                (aor, display_name, now),
            )
            return self._get_contact(db, aor)

    def _get_contact(self, db: sqlite3.Connection, aor: str) -> ContactRecord:
        row = db.execute(
            "SELECT aor, display_name, added, blocked FROM contacts WHERE aor = ?", (aor,)
        ).fetchone()
        if row is None:
            raise NotFound(f"{aor} is not a contact")
        return _contact(row)

    def rename_contact(self, aor: str, display_name: str) -> ContactRecord:
        """Change a contact's display name.

        Raises:
            NotFound: *aor* is not in the contact list.
        """
        with self._transaction() as db:
            db.execute("UPDATE contacts SET display_name = ? WHERE aor = ?", (display_name, aor))
            return self._get_contact(db, aor)

    def remove_contact(self, aor: str) -> None:
        """Remove *aor* from the contact list; its history stays.

        Raises:
            NotFound: *aor* is not in the contact list.
        """
        with self._transaction() as db:
            self._forget_blocked()
            if db.execute("DELETE FROM contacts WHERE aor = ?", (aor,)).rowcount == 0:
                raise NotFound(f"{aor} is not a contact")

    def contacts(self) -> list[ContactRecord]:
        """Every contact, by display name then address."""
        rows = self._db.execute(
            """
            SELECT aor, display_name, added, blocked FROM contacts
            ORDER BY display_name COLLATE NOCASE, aor
            """
        ).fetchall()
        return [_contact(row) for row in rows]

    def contact(self, aor: str) -> ContactRecord:
        """The contact with that address.

        Raises:
            NotFound: *aor* is not in the contact list.
        """
        return self._get_contact(self._db, aor)

    def set_blocked(self, aor: str, blocked: bool, *, now: float) -> ContactRecord:
        """Block or unblock *aor*.

        Blocking an address not in the contact list adds it (with no name),
        so a stranger can be blocked and later found to unblock.
        """
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO contacts (aor, display_name, added, blocked) VALUES (?, '', ?, ?)
                ON CONFLICT (aor) DO UPDATE SET blocked = excluded.blocked
                """,
                (aor, now, int(blocked)),
            )
            self._forget_blocked()
            return self._get_contact(db, aor)

    def is_blocked(self, aor: str) -> bool:
        """True when *aor* is blocked."""
        return aor in self._blocked_on(self._db)

    def _blocked_on(self, db: sqlite3.Connection) -> frozenset[str]:
        """The blocked addresses as *db* sees them: read again only when they may differ.

        `PRAGMA data_version` moves when another connection (this store's
        other one, or another process's) committed since the last read.
        """
        version = db.execute("PRAGMA data_version").fetchone()[0]
        seen = self._blocked_seen.get(db)
        if seen is None or seen[0] != version:
            seen = self._blocked_seen[db] = (version, _blocked_addresses(db))
        return seen[1]

    def _forget_blocked(self) -> None:
        # This store changed a contact: its own connection's data_version
        # does not move for its own commits.
        self._blocked_seen.clear()

    def _blocked_in_group(self, db: sqlite3.Connection) -> frozenset[str]:
        """The blocked addresses as the open group transaction on *db* sees them.

        Asked once per group (`_blocked_on`, inside the transaction).
        """
        if self._group_blocked is None:
            self._group_blocked = self._blocked_on(db)
        return self._group_blocked
