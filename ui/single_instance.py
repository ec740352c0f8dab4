"""One window per profile: a second launch hands its link to the first and ends.

The first `softphone` for a profile (a settings file, or the demo) takes a
lock file and listens on a local socket, both named from the user id and a
hash of the profile, so two users or two profiles never meet. A later
launch connects, sends one JSON line (``{"link": "sip:..."}`` or
``{"link": null}``) and waits for ``ok``; the first raises its window and
opens the conversation. A launch whose link the command refused (a browser
handed over a bad one, and no terminal shows the sentence) sends
``{"link": null, "refused": "<the sentence>"}``: the window says it.

A crashed first instance (SIGKILL) leaves both behind. `QLockFile` sees
that the process holding the lock is gone and takes the lock over; the
socket that no longer answers is then removed (`QLocalServer.removeServer`)
before listening again. Two launches at the same moment are ordered by the
lock: the loser waits for the winner's socket and hands over.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["HandOverError", "Instance", "claim_or_hand_over", "instance_name"]

log = logging.getLogger(__name__)

#: A request longer than this is not a launch's (a link is at most 1 KB).
MAX_REQUEST = 4096
#: Characters of a refusal's sentence handed over (its JSON stays under MAX_REQUEST).
MAX_SENTENCE = 600
#: How long a launch waits for the running instance to answer, in seconds.
ANSWER_TIMEOUT = 5.0
#: How long a launch that lost the lock waits for the winner's socket.
STARTUP_WAIT = 10.0


class HandOverError(Exception):
    """A running instance holds the profile but did not take the request."""


def instance_name(profile: str, uid: int | None = None) -> str:
    """The socket and lock name for *profile* (a path or ``demo:...``) and a user."""
    uid = os.getuid() if uid is None else uid
    digest = hashlib.sha256(profile.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"softphone-{uid}-{digest}"


def _lock_path(name: str) -> Path:
    # $XDG_RUNTIME_DIR is the user's own (0700) and emptied at logout.
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) if runtime and os.path.isdir(runtime) else Path(tempfile.gettempdir())
    return folder / f"{name}.lock"


class Instance(QObject):
    """The running instance's end: the lock, and the server that takes requests."""

    #: A later launch asked to be shown; the link it carried, or None.
    requested = Signal(object)
    #: A later launch refused its link: the sentence saying why.
    refused = Signal(str)

    def __init__(self, name: str, lock: QLockFile) -> None:
        super().__init__()
        self.name = name
        self._lock = lock
        self.server = QLocalServer(self)
        # Only this user may connect (the socket file is made 0700).
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> None:
        """Listen on the socket, replacing one a crashed instance left.

        Raises:
            HandOverError: the socket cannot be made.
        """
        # We hold the lock, so a socket file under the name is a crashed
        # instance's (its connect just failed): remove it. (With
        # UserAccessOption Qt also binds privately and renames over the name.)
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            raise HandOverError(f"Cannot listen for other launches ({self.server.errorString()})")

    def close(self) -> None:
        """Stop listening and give the profile up."""
        self.server.close()
        self._lock.unlock()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST:
                socket.abort()
                self._forget(socket)
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        try:
            request = json.loads(line.decode("utf-8")) if len(line) <= MAX_REQUEST else None
        except ValueError:
            request = None
        if (
            not isinstance(request, dict)
            or not isinstance(request.get("link"), str | None)
            or not isinstance(request.get("refused"), str | None)
        ):
            log.warning("ignored a malformed request on %s", self.name)
            socket.write(b"refused\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        if request.get("refused") is not None:
            self.refused.emit(request["refused"])
        else:
            self.requested.emit(request["link"])


async def _send(name: str, link: str | None, refused: str | None = None) -> bool | None:
    """Hand *link* (or the *refused* sentence) to the instance at *name*.

    Returns True when taken, None when nobody is there.

    Raises:
        HandOverError: someone is there but did not take it in time.
    """
    loop = asyncio.get_running_loop()
    socket = QLocalSocket()
    connected: asyncio.Future[bool] = loop.create_future()

    def settle(ok: bool) -> None:
        if not connected.done():
            connected.set_result(ok)

    socket.connected.connect(lambda: settle(True))
    socket.errorOccurred.connect(lambda _error: settle(False))
    socket.connectToServer(name)
    try:
        ok = await asyncio.wait_for(connected, ANSWER_TIMEOUT)
    except TimeoutError:
        ok = False
    if not ok:
        socket.abort()
        return None
    answer: asyncio.Future[bytes] = loop.create_future()
    received = bytearray()

    def read() -> None:
        received.extend(bytes(socket.readAll().data()))
        if b"\n" in received and not answer.done():
            answer.set_result(bytes(received).split(b"\n", 1)[0])

    def closed() -> None:
        if not answer.done():
            answer.set_result(bytes(received).split(b"\n", 1)[0])

    socket.readyRead.connect(read)
    socket.disconnected.connect(closed)
    request: dict[str, str | None] = {"link": link}
    if refused is not None:
        # A sentence, bounded so the request stays one short line.
        request["refused"] = refused[:MAX_SENTENCE]
    socket.write(json.dumps(request).encode("utf-8") + b"\n")
    socket.flush()
    try:
        reply = await asyncio.wait_for(answer, ANSWER_TIMEOUT)
    except TimeoutError:
        reply = b""
    finally:
        socket.abort()
    if reply != b"ok":
        raise HandOverError(
            "Softphone is already running for this profile but did not answer; quit it"
            " or end its process, then try again"
        )
    return True


async def claim_or_hand_over(
    profile: str, link: str | None, refused: str | None = None
) -> Instance | None:
    """Become the instance for *profile*, or hand *link* to the running one.

    *refused* is the sentence of a link the command refused: the running
    window shows it (and opens nothing).

    Returns the `Instance` to keep while running, or None when a running
    instance took the request (this launch should end with success).

    Raises:
        HandOverError: a running instance did not answer, or the socket
            cannot be made.
    """
    name = instance_name(profile)
    deadline = asyncio.get_running_loop().time() + STARTUP_WAIT
    while True:
        if await _send(name, link, refused):
            return None
        lock = QLockFile(str(_lock_path(name)))
        # Only a dead owner makes the lock stale, never its age: a window
        # may run for weeks.
        lock.setStaleLockTime(0)
        if lock.tryLock(0):
            instance = Instance(name, lock)
            instance.listen()
            return instance
        # Another launch holds the lock and is still starting: wait for its socket.
        if asyncio.get_running_loop().time() > deadline:
            raise HandOverError(
                "Another Softphone for this profile is starting but not listening;"
                " try again in a moment"
            )
        await asyncio.sleep(0.1)
