"""Quitting while the server hangs: unsubscribing and unregistering go at once.

`softphone registrar` runs as a person starts it; Alice (the core, as the
window runs it) registers and watches her own registrations, then the registrar is stopped
(SIGSTOP: alive, silent) and Alice quits. Both farewells (SUBSCRIBE and
REGISTER with Expires: 0) must be on the wire before either gives up
waiting: one after the other, a quit waited for two timeouts.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import qasync

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip import parse
from softphone.store import Store
from softphone.trace import TraceEntry, Traffic
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_quit import DOMAIN, start_registrar
from tests.ui.test_window_registrar_gone import PASSWORDS

ALICE = f"sip:alice@{DOMAIN}"


class Steps(logging.Handler):
    """Log records of the farewells giving up, in the order they came."""

    def __init__(self, steps: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.steps = steps

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "unregistering failed" in text or "unanswered" in text:
            self.steps.append(f"gave up: {text}")


def test_quit_with_the_server_hung_says_both_farewells_at_once(
    loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    steps: list[str] = []

    def farewell(entry: TraceEntry) -> None:
        request = parse(entry.data)
        step = f"sent: {request.method}"
        if request.expires == 0 and step not in steps:  # not its retransmissions
            steps.append(step)

    handler = Steps(steps)
    logging.getLogger("softphone").addHandler(handler)
    try:
        with start_registrar(tmp_path) as (registrar, server):
            account = Account(aor=ALICE, registrar=server, expires=300)
            app = Application(
                account,
                PASSWORDS["alice"],
                Store.open(tmp_path / "alice.db"),
                AppOptions(listen_host="127.0.0.1"),
            )

            async def scenario() -> None:
                await app.start()
                try:
                    await registered(app)
                    # Her own registrations: everyone may watch those (RFC 3680 5).
                    app.presence.watch(ALICE)
                    await wait_until(lambda: app.presence.synced(ALICE), "her own state known")
                    registrar.send_signal(signal.SIGSTOP)
                    app.agent.add_observer(farewell, Traffic.REQUESTS_OUT)
                finally:
                    await app.stop()

            try:
                loop.run_until_complete(scenario())
            finally:
                registrar.send_signal(signal.SIGCONT)
    finally:
        logging.getLogger("softphone").removeHandler(handler)
    sent = [step for step in steps if step.startswith("sent: ")]
    assert sorted(sent) == ["sent: REGISTER", "sent: SUBSCRIBE"], steps
    # Both went before either gave up; the give-up says why.
    assert steps[:2] == sent, steps
    assert any(
        step.startswith("gave up: unregistering failed: no answer within") for step in steps
    ), steps
