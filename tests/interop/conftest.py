"""Fixtures that start real SIP peers (Kamailio, SIPp) and always stop them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.interop.harness import KamailioProcess, SippProcess, start_kamailio, start_sipp

# Plain passwords on purpose: the harness writes them to a db_text file.
# One of them holds a ':' to exercise db_text escaping.
USERS = {
    "alice": "alice-secret",
    "bob": "bob:secret",
    "carol": "carol-secret",
    "joe": "joe-secret",
    "welcome": "welcome-secret",
}


@pytest.fixture
def kamailio_users() -> dict[str, str]:
    """Users and passwords of the `kamailio` fixture (override to change)."""
    return dict(USERS)


@pytest.fixture
def kamailio(tmp_path: Path, kamailio_users: dict[str, str]) -> Iterator[KamailioProcess]:
    """A fresh Kamailio on 127.0.0.1 (free port) for one test."""
    kam = start_kamailio(tmp_path, kamailio_users)
    try:
        yield kam
    finally:
        kam.stop()


@pytest.fixture
def sipp_factory(tmp_path: Path) -> Iterator[Callable[..., SippProcess]]:
    """`start_sipp` bound to the test's tmp dir; every SIPp is stopped at teardown."""
    started: list[SippProcess] = []

    def factory(scenario: str | Path, *args: str, **kwargs: object) -> SippProcess:
        sipp = start_sipp(scenario, tmp_path / "sipp", *args, **kwargs)  # type: ignore[arg-type]
        started.append(sipp)
        return sipp

    try:
        yield factory
    finally:
        for sipp in started:
            sipp.stop()
