"""The `softphone` command: the desktop app by default, and headless tools.

Headless commands print one JSON object per line on standard output (what
scripts and tests read) and log in words on standard error.

Exit codes: 0 success, 1 the message failed or was declined, 2 a usage or
settings error (with a sentence saying what to fix).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from softphone.app import Application, AppOptions
from softphone.config import (
    Account,
    SettingsError,
    default_config_path,
    default_data_dir,
    load_account,
    password_for,
)
from softphone.services.messaging import MessageRefused
from softphone.services.registration import RegistrationState
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import TransportKind

log = logging.getLogger("softphone")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: How long `send` waits for registration before giving up on the message.
REGISTER_WAIT = 40.0


class UsageError(Exception):
    """A command-line or settings problem, said in words."""


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
    group.add_argument("--registrar", metavar="HOST[:PORT]", help="registrar to register with")
    group.add_argument("--proxy", metavar="HOST[:PORT]", help="outbound proxy for every request")
    group.add_argument(
        "--transport", choices=[k.value for k in TransportKind], help="transport to the server"
    )
    group.add_argument("--local-port", type=int, help="local port to bind (0: any)")
    group.add_argument(
        "--listen-host", default="0.0.0.0", help="local address to bind (default: %(default)s)"
    )
    group.add_argument("--db", type=Path, help="message database (default: in the data directory)")
    group.add_argument("--expires", type=int, help="registration lifetime in seconds")
    group.add_argument("-v", "--verbose", action="store_true", help="log every step")


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
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser("gui", help="start the desktop app (the default)")
    _account_flags(gui)
    gui.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)

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

    listen = sub.add_parser("listen", help="print each received message as a JSON line")
    _account_flags(listen)
    return parser


def resolve_account(args: argparse.Namespace) -> Account:
    """The account from the settings file, overridden by flags.

    Raises:
        UsageError: no address of record anywhere, or a setting is invalid.
    """
    base: Account | None = None
    path = args.config or default_config_path()
    try:
        base = load_account(path)
    except FileNotFoundError:
        if args.config is not None:
            raise UsageError(f"There is no settings file at {path}") from None
    except SettingsError as exc:
        raise UsageError(f"The settings file {path} is not usable: {exc}") from None
    overrides: dict[str, object] = {}
    for flag, field in (
        ("aor", "aor"),
        ("display_name", "display_name"),
        ("username", "username"),
        ("password_env", "password_env"),
        ("registrar", "registrar"),
        ("proxy", "outbound_proxy"),
        ("transport", "transport"),
        ("local_port", "local_port"),
        ("expires", "expires"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    try:
        if base is None:
            if "aor" not in overrides:
                raise UsageError(
                    "No account is set up: give --aor sip:alice@example.com (and --registrar,"
                    " --password-env), or set one up in the app"
                )
            return Account(**overrides)  # type: ignore[arg-type]
        return replace(base, **overrides)  # type: ignore[arg-type]
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def open_store(args: argparse.Namespace) -> Store:
    """The message database the flags or the platform name."""
    path = args.db or default_data_dir() / "history.sqlite3"
    return Store.open(path)


def _print_json(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


async def run_send(args: argparse.Namespace, account: Account) -> int:
    """`softphone send TO TEXT`: register if there is a registrar, send, report."""
    store = open_store(args)
    app = Application(
        account,
        password_for(account),
        store,
        AppOptions(listen_host=args.listen_host, register=account.registrar is not None),
    )
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
            registered = await app.registration.wait_registered(REGISTER_WAIT)
            if not registered:
                status = app.registration.status
                _print_json(
                    {
                        "state": DeliveryState.FAILED.value,
                        "code": status.code,
                        "reason": f"not registered: {status.text}",
                    }
                )
                return EXIT_FAILED
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


async def run_listen(args: argparse.Namespace, account: Account) -> int:
    """`softphone listen`: register and print every received message."""
    store = open_store(args)
    app = Application(
        account,
        password_for(account),
        store,
        AppOptions(listen_host=args.listen_host, register=True),
    )

    def on_added(record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            _print_json(
                {
                    "from": record.peer,
                    "to": account.aor,
                    "body": record.body,
                    "content_type": record.content_type,
                    "time": record.created,
                }
            )

    def on_registration(status: object) -> None:
        state = getattr(status, "state", None)
        _print_json(
            {
                "event": "registration",
                "state": state.value if state else None,
                "text": getattr(status, "text", ""),
            }
        )

    app.messaging.on_message_added(on_added)
    app.on_registration(on_registration)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
    assert (
        app.registration is None or app.registration.status.state is RegistrationState.UNREGISTERED
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `softphone` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command = args.command or "gui"
    try:
        if command == "gui":
            from ui.main import run_gui

            return run_gui(args)
        account = resolve_account(args)
        if command == "send":
            return asyncio.run(run_send(args, account))
        if command == "listen":
            return asyncio.run(run_listen(args, account))
    except UsageError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    parser.error(f"unknown command {command}")
    return EXIT_USAGE
