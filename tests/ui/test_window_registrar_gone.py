"""The window when `softphone registrar` dies: the truth within a second, not after timer F.

`softphone registrar` and Bob's `softphone listen` run as the commands a
person starts; Alice is the window, registered over UDP on loopback. The
registrar answered Alice moments before it is killed, so the probe at send
time skips it (heard from within 30 s): only the silence after her next
request says it is gone. Its first retransmission probes the address, the
kernel's "port unreachable" fails the message as "connection refused", and
the keep-alive hears of it, so the status bar says the connection is lost.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import qasync

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.resend_policy import HELD
from softphone.sip.delivery import DeliveryState
from softphone.store import Store
from tests.commands import command as softphone_command
from tests.commands import read_json
from tests.helpers import cli_env
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_memory import window
from tests.ui.test_window_resend import row_of, status_bar_history

D = DeliveryState
DOMAIN = "example.com"
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret"}


@contextmanager
def command(tmp_path: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`softphone ARGS` as a person runs it, stopped (or killed) after the test."""
    with softphone_command(cli_env(tmp_path, PW_BOB=PASSWORDS["bob"]), *args) as process:
        yield process


def test_registrar_killed_message_fails_refused_and_status_bar_says_lost_before_timer_f(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    users = tmp_path / "users.toml"
    users.write_text(
        "[users]\n"
        + "".join(f'"sip:{user}@{DOMAIN}" = "{pw}"\n' for user, pw in PASSWORDS.items()),
        encoding="utf-8",
    )
    with command(
        tmp_path,
        *("registrar", "--users", str(users), "--domain", DOMAIN),
        *("--host", "127.0.0.1", "--port", "0"),
    ) as registrar:
        server = str(read_json(registrar, lambda line: line.get("event") == "listening")["address"])
        with command(
            tmp_path,
            *("listen", "--aor", f"sip:bob@{DOMAIN}", "--registrar", server),
            *("--password-env", "PW_BOB", "--listen-host", "127.0.0.1"),
            *("--db", str(tmp_path / "bob.sqlite3")),
        ) as bob:
            read_json(bob, lambda line: line.get("state") == "registered")
            account = Account(aor=f"sip:alice@{DOMAIN}", registrar=server, expires=300)
            # The product's options: default timers (timer F 32 s) and keep-alive.
            app = Application(
                account,
                PASSWORDS["alice"],
                Store.open(tmp_path / "alice.db"),
                AppOptions(listen_host="127.0.0.1"),
            )
            ui = window(app, qtbot)
            shown = status_bar_history(ui)
            timer_f = app.agent.timers.timeout
            assert app.keepalive is not None

            async def scenario() -> None:
                await app.start()
                try:
                    await registered(app)
                    ui.window.add_buddy(f"bob@{DOMAIN}", "Bob")
                    ui.window.open_conversation(f"sip:bob@{DOMAIN}")
                    hello = ui.type_and_enter("hello")
                    await wait_until(lambda: ui.shown_state(hello.id) is D.DELIVERED, "delivered")
                    # Heard from a moment ago, then gone: the kernel closes its port.
                    registrar.kill()
                    registrar.wait()
                    one = ui.type_and_enter("one")
                    two = ui.type_and_enter("two")
                    # Long before timer F, and before the keep-alive's next
                    # tick (80 % of its interval at the earliest).
                    bound = min(timer_f, 0.8 * account.keepalive_interval) / 4
                    await wait_until(
                        lambda: ui.shown_state(one.id) is D.FAILED, "one failed", timeout=bound
                    )
                    await wait_until(
                        lambda: any(", trying again in " in text for text in shown[2:]),
                        "the status bar says when it tries again",
                        timeout=bound,
                    )
                    ids.append(one.id)
                    # "two" is never sent while "one" waits for its resend:
                    # it stays queued behind it, so they arrive in order.
                    await wait_until(
                        lambda: app.store.message(two.id).reason == HELD,
                        "two kept back",
                        timeout=bound,
                    )
                    chat = ui.window.chat
                    lines.append(chat.status_text(row_of(ui, one)))
                    kept_back.append(chat.status_text(row_of(ui, two)))
                    kept_back.append(list(ui.history[int(two.id)]))
                finally:
                    await app.stop()

            ids: list[int] = []
            lines: list[str] = []
            kept_back: list[object] = []
            loop.run_until_complete(scenario())
            ui.window.hide()
    me = f"alice@{DOMAIN}"
    # Each failure's reason is the refusal, never timer F's "no answer", and
    # the automatic resend is planned.
    for line in lines:
        assert re.fullmatch(
            r"Not sent: could not reach the server \(connection refused\)\."
            r" Will try again at \d\d:\d\d",
            line,
        ), lines
    for message_id in ids:
        assert ui.history[int(message_id)] == [D.QUEUED, D.SENDING, D.FAILED]
    assert kept_back == ["Waiting for the connection", [D.QUEUED, D.QUEUED]]
    # The status bar said the connection was lost, with the reason.
    assert shown[:3] == [
        f"Registering as {me}…",
        f"Registered as {me}",
        f"Connection to {server} lost (connection refused), trying again…",
    ], shown
    assert re.fullmatch(rf"Connection to {server} lost, trying again in \d+ s", shown[3]), shown
    assert not any(text.startswith("Registered") for text in shown[2:]), shown
