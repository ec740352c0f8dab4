"""The `softphone` command: the desktop app by default, and headless tools.

Headless commands print one JSON object per line on standard output (what
scripts and tests read) and log in words on standard error.

Exit codes: 0 success, 1 the message failed or was declined (`send` also
when it could not register: a registrar that refuses or does not answer, in
one sentence, after the first attempt), 2 a usage or settings error (with a
sentence saying what to fix: a bad flag, an unset or empty password
variable, a --db that is a folder or not a message database), 3 (`send
--await`) the message went out but the awaited receipt did not come in time.

`block ADDRESS`, `unblock ADDRESS` and `blocked` change and list the senders
whose messages are declined (603); they touch only the message database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import re
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from softphone import collector
from softphone.account import Account
from softphone.agent import UserAgent
from softphone.app import Application, AppOptions
from softphone.blocking import blocked_addresses, set_blocked
from softphone.config import default_data_dir, password_for
from softphone.launch import (
    UsageError,
    open_store,
    resolve_account,
    resolve_password,
    with_defaults,
)
from softphone.link import LinkError, looks_like_link, parse_link
from softphone.location import HostPort, locate
from softphone.ratelimit import FloodLimits
from softphone.resend_policy import ResendPolicy
from softphone.resolver import Resolver
from softphone.services.messaging import MessageRefused
from softphone.services.presence import BuddyState, Presence
from softphone.services.receipts import ReceiptEvent
from softphone.services.registration import RegistrationState, RegistrationStatus
from softphone.services.welcome import WelcomeServer
from softphone.sip.auth import DigestClient
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageRecord
from softphone.trace import TraceEntry
from softphone.transport.base import Target, TransportKind, parse_nameserver

log = logging.getLogger("softphone")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_RECEIPT = 3

#: `send --await`: the state each choice waits for (READ also satisfies
#: "delivered": a message read was delivered).
AWAITED = {"delivered": DeliveryState.DELIVERED, "read": DeliveryState.READ}
_REACHED = {
    DeliveryState.DELIVERED: (DeliveryState.DELIVERED, DeliveryState.READ),
    DeliveryState.READ: (DeliveryState.READ,),
}

#: How long `send` waits for registration before giving up on the message.
REGISTER_WAIT = 40.0


def _account_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("account (override the settings file)")
    group.add_argument(
        "--config", type=Path, help="settings file (default: %(default)s)", default=None
    )
    group.add_argument("--aor", help="address of record, e.g. sip:alice@example.com")
    group.add_argument("--display-name", help="name shown to others")
    group.add_argument("--username", help="authentication user name (default: the AoR user)")
    group.add_argument(
        "--password-env", metavar="VAR", help="environment variable that holds the password"
    )
    group.add_argument(
        "--registrar",
        metavar="HOST[:PORT]",
        help="registrar to register with (default: found from the address's domain in DNS)",
    )
    group.add_argument("--proxy", metavar="HOST[:PORT]", help="outbound proxy for every request")
    group.add_argument(
        "--transport", choices=[k.value for k in TransportKind], help="transport to the server"
    )
    group.add_argument(
        "--dns-server",
        metavar="HOST[:PORT]",
        type=_nameserver,
        help="DNS server to find SIP servers with (default: the system's)",
    )
    group.add_argument("--local-port", type=int, help="local port to bind (0: any)")
    group.add_argument(
        "--listen-host", default="0.0.0.0", help="local address to bind (default: %(default)s)"
    )
    group.add_argument("--db", type=Path, help="message database (default: in the data directory)")
    group.add_argument("--expires", type=int, help="registration lifetime in seconds")
    group.add_argument("-v", "--verbose", action="store_true", help="log every step")


def _nameserver(text: str) -> str:
    try:
        parse_nameserver(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="softphone", description="A desktop SIP messenger, and its command-line tools."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the app on an embedded local server with demo buddies",
    )
    parser.add_argument(
        "--hidden",
        action="store_true",
        help="start in the tray without showing the window (as at login)",
    )
    parser.add_argument(
        "--lang",
        choices=("ko", "en"),
        help="the window's language (default: the system's)",
    )
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser(
        "gui",
        help="start the desktop app (the default); `softphone sip:bob@example.com` opens a chat",
    )
    _account_flags(gui)
    gui.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    gui.add_argument(
        "--hidden", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    gui.add_argument(
        "--lang", choices=("ko", "en"), default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    gui.add_argument(
        "link",
        nargs="?",
        metavar="sip:ADDRESS",
        help="open the conversation with this address; ?body=TEXT fills the draft, never sends",
    )

    send = sub.add_parser("send", help="send one message and print its delivery state")
    _account_flags(send)
    send.add_argument("to", help="recipient, e.g. sip:bob@example.com")
    send.add_argument("text", help="message text")
    send.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="give up after this many seconds (default: %(default)s)",
    )
    send.add_argument(
        "--await",
        dest="await_state",
        choices=sorted(AWAITED),
        help="keep waiting after the SIP answer for this receipt (RFC 5438);"
        " one JSON line per state; exit 3 when it does not come in time",
    )

    listen = sub.add_parser("listen", help="print each received message as a JSON line")
    _account_flags(listen)
    listen.add_argument(
        "--accept-direct",
        action="store_true",
        help="take messages sent straight to this port, not only through the server",
    )
    listen.add_argument(
        "--no-flood-limits",
        action="store_true",
        help="answer every message however fast it comes (load tests from a trusted sender;"
        " by default one address gets 503 beyond 20 messages a second)",
    )

    watch = sub.add_parser("watch", help="print every buddy-state change as a JSON line")
    _account_flags(watch)
    watch.add_argument("aors", nargs="+", metavar="AOR", help="buddy, e.g. sip:joe@example.com")
    watch.add_argument(
        "--duration", type=float, help="stop after this many seconds (default: until Ctrl-C)"
    )

    welcome = sub.add_parser(
        "welcome", help="Welcome Notice app server (RFC 3680 6): greet newly registered devices"
    )
    _account_flags(welcome)
    welcome.add_argument(
        "--watch",
        dest="watch_aors",
        action="append",
        required=True,
        metavar="AOR",
        help="AoR whose new devices get the welcome message (repeatable)",
    )
    welcome.add_argument("--text", required=True, help="the welcome message")
    welcome.add_argument(
        "--duration", type=float, help="stop after this many seconds (default: until Ctrl-C)"
    )

    desktop = sub.add_parser(
        "desktop", help="add Softphone to the applications menu, or remove it (no root needed)"
    )
    desktop.add_argument(
        "action",
        choices=["install", "uninstall"],
        help="install: the menu entry, icons and sip: links for this user; uninstall: remove them",
    )
    for name, help_text in (
        ("block", "decline (603) every message from ADDRESS from now on"),
        ("unblock", "accept messages from ADDRESS again"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("address", metavar="ADDRESS", help="sender, e.g. bob@example.com")
        _db_flag(cmd)
    _db_flag(sub.add_parser("blocked", help="print each blocked address as a JSON line"))

    _registrar_parser(sub)
    return parser


def _db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="message database (default: in the data directory)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")


def run_block(args: argparse.Namespace) -> int:
    """`softphone block|unblock ADDRESS` and `softphone blocked`."""
    try:
        # The block list is the account's, kept with its history.
        account: Account | None = resolve_account(with_defaults(args))
    except UsageError:
        account = None
    store = open_store(args, account)
    try:
        if args.command == "blocked":
            for address in blocked_addresses(store):
                _print_json({"address": address, "blocked": True})
            return EXIT_OK
        try:
            peer = set_blocked(store, args.address, args.command == "block", now=time.time())
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        _print_json({"address": peer, "blocked": args.command == "block"})
        return EXIT_OK
    finally:
        store.close()


def _log_traffic(app: Application) -> None:
    """With -v, log every SIP message; the trace is redacted (no credentials)."""
    if not log.isEnabledFor(logging.DEBUG):
        return

    def observe(entry: TraceEntry) -> None:
        arrow = "<-" if entry.direction is Direction.IN else "->"
        log.debug("%s %s %s\n%s", arrow, entry.transport.value, entry.remote, entry.text)

    app.agent.add_observer(observe)


#: Direction overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
#: line separators JSON leaves raw: written as \\u escapes, so a sender's
#: text cannot reorder or split what a terminal shows, and a JSON reader
#: still gets the exact characters back.
_JSON_ESCAPED = {
    code: f"\\u{code:04x}"
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029, 0x85)
}


#: Finds any of them: most lines have none, and `str.translate` walks every
#: character through a dict (as costly as the rest of a line's printing).
_JSON_NEEDS_ESCAPES = re.compile("[" + "".join(re.escape(chr(c)) for c in _JSON_ESCAPED) + "]")
#: `json.dumps(obj, ensure_ascii=False)`, without a new encoder per line.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _print_json(obj: dict[str, object]) -> None:
    # The encoder escapes newlines and other control characters already.
    text = _JSON_ENCODER.encode(obj)
    if _JSON_NEEDS_ESCAPES.search(text) is not None:
        text = text.translate(_JSON_ESCAPED)
    _STDOUT.write(text + "\n")


class _MessageLine:
    """The JSON line `softphone listen` prints for a received message.

    The same text `_print_json` gives for ``{"from", "to", "body",
    "content_type", "time"}``, with the constant parts encoded once: a burst
    prints one line per message.
    """

    __slots__ = ("_to",)

    def __init__(self, aor: str) -> None:
        self._to = ', "to": ' + _JSON_ENCODER.encode(aor) + ', "body": '

    def of(self, record: MessageRecord) -> str:
        text = (
            '{"from": '
            + _JSON_STRING(record.peer)
            + self._to
            + _JSON_STRING(record.body)
            + ', "content_type": '
            + _JSON_STRING(record.content_type)
            + ', "time": '
            + _json_number(record.created)
            + "}"
        )
        if _JSON_NEEDS_ESCAPES.search(text) is not None:
            text = text.translate(_JSON_ESCAPED)
        return text + "\n"


#: A string as JSON text, escaped as `_JSON_ENCODER` escapes it (ensure_ascii off).
_JSON_STRING = json.encoder.encode_basestring


def _json_number(value: float) -> str:
    # What the encoder writes for a float: its repr (NaN and the infinities
    # spelt its way).
    return float.__repr__(value) if math.isfinite(value) else _JSON_ENCODER.encode(value)


class _LineOutput:
    """Standard output, written once per turn of the event loop.

    A burst of received messages prints a line each; flushing each line
    cost a system call per message. Lines printed during one turn of the
    loop are flushed together right after it, and at once when no loop runs
    (the line is then the command's answer, read before it exits).
    """

    __slots__ = ("_loop", "_scheduled")

    def __init__(self) -> None:
        self._scheduled: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def write(self, line: str) -> None:
        sys.stdout.write(line)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self._scheduled is None or self._loop is not loop:
            # (A flush scheduled on a loop that has ended never runs.)
            self._loop = loop
            self._scheduled = loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = None
        sys.stdout.flush()


_STDOUT = _LineOutput()


async def run_send(args: argparse.Namespace, account: Account) -> int:
    """`softphone send TO TEXT`: register (the server found automatically), send, report."""
    password = resolve_password(account)
    store = open_store(args, account)
    app = Application(
        account,
        password,
        store,
        # One attempt: a failure is reported, never resent by a later run.
        AppOptions(listen_host=args.listen_host, resend=ResendPolicy(automatic=False)),
    )
    _log_traffic(app)
    await app.start()
    try:
        try:
            record = app.messaging.send(args.to, args.text)
        except MessageRefused as exc:
            raise UsageError(str(exc)) from None
        final = asyncio.get_running_loop().create_future()

        def on_state(changed: MessageRecord) -> None:
            if changed.id == record.id and changed.state.is_final and not final.done():
                final.set_result(changed)

        app.messaging.on_message_state(on_state)
        if app.registration is not None:
            # The first outcome decides: a one-shot command does not wait
            # through back-off for a registrar that refused or is silent.
            status = await app.registration.wait_settled(REGISTER_WAIT)
            if status.state is not RegistrationState.REGISTERED:
                failed = app.messaging.give_up(record.id, _not_registered(status))
                if failed.state.is_final:
                    _print_json(
                        {"state": failed.state.value, "code": failed.code, "reason": failed.reason}
                    )
                    return EXIT_FAILED
        if args.await_state is not None:
            return await _await_receipt(app, record, AWAITED[args.await_state], args.timeout)
        try:
            result: MessageRecord = await asyncio.wait_for(final, args.timeout)
        except TimeoutError:
            current = store.message(record.id)
            _print_json(
                {
                    "state": current.state.value,
                    "code": current.code,
                    "reason": "no final answer in time",
                }
            )
            return EXIT_FAILED
        _print_json({"state": result.state.value, "code": result.code, "reason": result.reason})
        ok = result.state in (DeliveryState.DELIVERED, DeliveryState.ACCEPTED)
        return EXIT_OK if ok else EXIT_FAILED
    finally:
        await app.stop()


def _not_registered(status: RegistrationStatus) -> str:
    """Why a one-shot `send` gave up: the first outcome, without the back-off."""
    # "No answer from example.com after 32 s, trying again in 6 s": the
    # window retries, this command does not.
    text = re.sub(r", (?:re)?trying(?: again)? in \d+ s$", "", status.text)
    return f"not registered: {text}"


async def _await_receipt(
    app: Application, record: MessageRecord, wanted: DeliveryState, timeout: float
) -> int:
    """Print each final state of *record* until *wanted* (or better) is reached.

    Exit 0 when reached, 1 when the message failed or was declined, 3 when
    the time ran out after it went out (the receipt did not come).
    """
    loop = asyncio.get_running_loop()
    changes: asyncio.Queue[MessageRecord] = asyncio.Queue()

    def on_state(changed: MessageRecord) -> None:
        if changed.id == record.id and changed.state.is_final:
            changes.put_nowait(changed)

    app.messaging.on_message_state(on_state)
    current = app.store.message(record.id)
    if current.state.is_final:
        changes.put_nowait(current)
    deadline = loop.time() + timeout
    while True:
        try:
            async with asyncio.timeout(max(0.0, deadline - loop.time())):
                changed = await changes.get()
        except TimeoutError:
            now = app.store.message(record.id)
            _print_json(
                {
                    "state": now.state.value,
                    "code": now.code,
                    "reason": f"no {wanted.value} receipt in time",
                }
            )
            return EXIT_NO_RECEIPT if now.state.is_final else EXIT_FAILED
        _print_json({"state": changed.state.value, "code": changed.code, "reason": changed.reason})
        if changed.state in _REACHED[wanted]:
            return EXIT_OK
        if changed.state in (DeliveryState.FAILED, DeliveryState.DECLINED):
            return EXIT_FAILED


async def run_listen(args: argparse.Namespace, account: Account) -> int:
    """`softphone listen`: register and print every received message."""
    password = resolve_password(account)
    store = open_store(args, account)
    app = Application(
        account,
        password,
        store,
        AppOptions(
            listen_host=args.listen_host,
            register=True,
            accept_direct=args.accept_direct,
            limits=None if args.no_flood_limits else FloodLimits(),
        ),
    )
    _log_traffic(app)

    line = _MessageLine(account.aor)

    def on_added(record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            _STDOUT.write(line.of(record))

    def on_registration(status: object) -> None:
        state = getattr(status, "state", None)
        _print_json(
            {
                "event": "registration",
                "state": state.value if state else None,
                "text": getattr(status, "text", ""),
            }
        )

    def on_receipt(event: ReceiptEvent) -> None:
        # Receipts for messages this account sent (RFC 5438); never chat.
        _print_json(
            {
                "event": "receipt",
                "from": event.message.peer,
                "message_id": event.imdn.message_id,
                "notification": event.imdn.kind.value,
                "status": event.imdn.status.value,
                "applied": event.applied,
                "time": event.received,
            }
        )

    def on_typing(peer: str, typing: bool) -> None:
        _print_json({"event": "typing", "from": peer, "active": typing})

    app.messaging.on_message_added(on_added)
    app.messaging.on_store_problem(lambda text: _print_json({"event": "error", "text": text}))
    app.receipts.on_receipt(on_receipt)
    app.typing.on_change(on_typing)
    app.on_registration(on_registration)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    collector.settle()
    try:
        await stop.wait()
    finally:
        await app.stop()
    return EXIT_OK


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number (0 to 65535)")
    return port


def _registrar_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    registrar = sub.add_parser(
        "registrar",
        help="run the embedded registrar, reg-event notifier and MESSAGE relay",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""\
users file (TOML):
  [users]
  "sip:alice@example.com" = "alice's password"
  "sip:bob@example.com" = "bob's password"

  [watchers]
  # Everyone may watch their own registrations (RFC 3680 section 5);
  # the addresses listed may also watch this user's.
  "sip:bob@example.com" = ["sip:alice@example.com"]

Every MESSAGE and SUBSCRIBE must be authenticated; a MESSAGE is relayed
only when its From is the signed-in address. Failed logins are logged one
per line ("auth failure from HOST port PORT ...", see docs/security.md).

Registered devices are kept in the state file (SQLite) and restored when
the registrar starts again, so a restart does not make them unreachable.

exit status: 0 stopped by SIGINT or SIGTERM; 1 cannot listen (port in use,
no permission); 2 usage error (users file, options, an unreadable state
file)""",
    )
    registrar.add_argument(
        "--users",
        type=Path,
        required=True,
        metavar="FILE",
        help="TOML file with a [users] table of AoR = password and an optional [watchers] table",
    )
    registrar.add_argument("--domain", default="example.com", help="domain and realm")
    registrar.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: loopback only)"
    )
    registrar.add_argument(
        "--port", type=_port, default=5060, help="UDP and TCP port (0: any free one)"
    )
    registrar.add_argument("--min-expires", type=int, default=60, help="shortest registration")
    registrar.add_argument(
        "--max-bindings",
        type=int,
        default=10,
        help="devices one address may register at once (default: %(default)s)",
    )
    state = registrar.add_mutually_exclusive_group()
    state.add_argument(
        "--state",
        metavar="FILE",
        help="where registered devices are kept across restarts"
        " (default: registrar/DOMAIN.sqlite3 in the data directory; '' keeps them in memory)",
    )
    state.add_argument(
        "--no-state",
        action="store_true",
        help="keep registered devices in memory only (a restart forgets them)",
    )
    registrar.add_argument("-v", "--verbose", action="store_true", help="log every step")


def registrar_state_path(args: argparse.Namespace) -> Path | None:
    """The state file `softphone registrar` uses; None to keep bindings in memory."""
    if args.no_state or args.state == "":
        return None
    if args.state is not None:
        return Path(args.state)
    # One file per domain: two registrars for two domains on one machine
    # keep their devices apart.
    name = re.sub(r"[^A-Za-z0-9._-]", "_", args.domain.lower()).lstrip(".") or "domain"
    return default_data_dir() / "registrar" / f"{name}.sqlite3"


async def run_registrar(args: argparse.Namespace) -> int:
    """`softphone registrar`: serve until SIGINT/SIGTERM; prints where it listens.

    Returns EXIT_FAILED when the port cannot be bound.

    Raises:
        UsageError: the users file is missing or invalid, or the state file
            cannot be read (the server does not start).
    """
    from softphone.server import LocalServer
    from softphone.server.state import BindingState, StateError
    from softphone.server.users_file import UsersFileError, load_users_file

    state_path = registrar_state_path(args)
    try:
        config = load_users_file(args.users)
        # An unreadable state file stops the start: starting empty would
        # overwrite the devices it holds at the first REGISTER and leave
        # them unreachable with nothing but a log line to say why. The
        # operator chooses: repair or move it, or --no-state.
        state = None
        if state_path is not None:
            try:
                state = BindingState.open(state_path)
            except StateError as exc:
                raise UsageError(
                    f"{exc}; move it away, give another with --state, or start with --no-state"
                ) from None
        server = LocalServer(
            config.users,
            domain=args.domain,
            min_expires=args.min_expires,
            max_bindings=args.max_bindings,
            watchers=config.watchers,
            state=state,
        )
    except (UsersFileError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    try:
        address = await server.start(args.host, args.port)
    except StateError as exc:
        await server.stop()
        raise UsageError(
            f"{exc}; move it away, give another with --state, or start with --no-state"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        sys.stderr.write(f"softphone: cannot listen on {args.host} port {args.port}: {reason}\n")
        await server.stop()
        return EXIT_FAILED
    _print_json(
        {
            "event": "listening",
            "address": address.sent_by,
            "domain": server.domain,
            "state": None if state_path is None else str(state_path),
            "restored": server.binding_count,
        }
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
    _print_json({"event": "stopped"})
    return EXIT_OK


async def _start_presence(args: argparse.Namespace, account: Account) -> tuple[UserAgent, Presence]:
    """A user agent and a presence service for the headless watch/welcome tools."""
    agent = UserAgent()
    await agent.listen(account.transport, args.listen_host, account.local_port)
    if account.transport is TransportKind.UDP:
        # A device whose contact says transport=tcp is reached over TCP.
        await agent.listen(TransportKind.TCP, args.listen_host, 0)
    password = password_for(account)
    digest = DigestClient(account.username, password) if password is not None else None
    hop = account.outbound_proxy or account.registrar or account.domain
    resolver = Resolver(nameserver=account.dns_server)

    async def locate_server() -> Target:
        return await locate(HostPort.parse(hop), account.transport, resolver)

    return agent, Presence(agent, account, digest, locate_server)


async def _run_until_stopped(duration: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), duration)


def buddy_json(state: BuddyState) -> dict[str, object]:
    """One buddy state as the `watch` command prints it."""
    return {
        "aor": state.aor,
        "state": state.status.value,
        "devices": [
            {
                "uri": d.uri,
                "display_name": d.display_name,
                "expires": d.expires,
                "registered_since": d.registered_since,
            }
            for d in state.devices
        ],
        "last_seen": state.last_seen,
        "detail": state.detail,
    }


async def run_watch(args: argparse.Namespace, account: Account) -> int:
    """`softphone watch AOR...`: print every buddy-state change as a JSON line."""
    agent, presence = await _start_presence(args, account)
    presence.on_change(lambda state: _print_json(buddy_json(state)))
    try:
        for aor in args.aors:
            try:
                presence.watch(aor)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        presence.start()
        await _run_until_stopped(args.duration)
    finally:
        await presence.stop()
        agent.close()
    return EXIT_OK


async def run_welcome(args: argparse.Namespace, account: Account) -> int:
    """`softphone welcome --watch AOR --text TEXT`: the RFC 3680 6 app server."""
    agent, presence = await _start_presence(args, account)
    server = WelcomeServer(presence, agent, account, args.text)
    server.on_step(lambda step: _print_json(step.as_dict()))
    try:
        for aor in args.watch_aors:
            try:
                server.watch(aor)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        presence.start()
        await _run_until_stopped(args.duration)
        await server.drain(timeout=5.0)
    finally:
        await server.stop()
        await presence.stop()
        agent.close()
    return EXIT_OK


def has_terminal() -> bool:
    """Whether a person can read this process's stderr (it is a terminal)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def route_link(argv: Sequence[str], commands: Sequence[str]) -> list[str]:
    """*argv* with ``gui`` put before a leading link (``softphone sip:bob@...``).

    A link is the first argument that is not an option, when it is not a
    command; whether it is a link softphone opens is `parse_link`'s to say.
    """
    routed = list(argv)
    for index, arg in enumerate(routed):
        if arg.startswith("-"):
            continue
        if arg not in commands and looks_like_link(arg):
            routed.insert(index, "gui")
        break
    return routed


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `softphone` command."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(route_link(argv, _commands(parser)))
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command = args.command or "gui"
    try:
        if command == "gui":
            link = getattr(args, "link", None)
            if link is not None:
                try:
                    parse_link(link)
                except LinkError as exc:
                    sys.stderr.write(f"softphone: {exc}\n")
                    if has_terminal():
                        # Checked before anything starts: a refused link starts nothing.
                        return EXIT_USAGE
                    # From a browser or the desktop, where no one reads stderr:
                    # the window (running, or starting now) says it instead.
                    args.link = None
                    args.refused = str(exc)
            from ui.main import run_gui

            return run_gui(args)
        if command == "registrar":
            return asyncio.run(run_registrar(args))
        if command == "desktop":
            # Drawing the PNG icons needs QtSvg: loaded only for this command.
            from ui.desktop import run_desktop_command

            return run_desktop_command(args.action)
        if command in ("block", "unblock", "blocked"):
            return run_block(args)
        account = resolve_account(args)
        if command == "send":
            return asyncio.run(run_send(args, account))
        if command == "listen":
            return asyncio.run(run_listen(args, account))
        if command == "watch":
            return asyncio.run(run_watch(args, account))
        if command == "welcome":
            return asyncio.run(run_welcome(args, account))
    except (UsageError, LinkError) as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    parser.error(f"unknown command {command}")
    return EXIT_USAGE
