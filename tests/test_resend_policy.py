"""The automatic resend's table: which failures go again, when, and for how long."""

from __future__ import annotations

import itertools

import pytest

from softphone.resend_policy import BACKOFF, WINDOW, Plan, ResendPolicy
from softphone.sip.delivery import FailureKind

POLICY = ResendPolicy()
HOUR = 3600.0


@pytest.mark.parametrize("code", [408, 503, 504])
def test_answers_that_are_not_the_recipients_are_resent(code: int) -> None:
    assert ResendPolicy.resendable(code=code)


@pytest.mark.parametrize(
    "code",
    # The recipient's side answered: 480 included (RFC 3261 21.4.18, the
    # callee's end system was reached), 415 after the plain-text fallback.
    [300, 400, 403, 404, 405, 410, 413, 415, 480, 481, 486, 488, 500, 501, 502, 505, 513],
)
def test_the_recipients_answer_is_never_resent(code: int) -> None:
    assert not ResendPolicy.resendable(code=code)


@pytest.mark.parametrize("code", [600, 603, 604, 606])
def test_a_global_failure_is_never_resent(code: int) -> None:
    assert not ResendPolicy.resendable(code=code)


def test_every_local_failure_is_classified() -> None:
    resent = {kind for kind in FailureKind if ResendPolicy.resendable(failure=kind)}
    assert resent == {
        FailureKind.TIMEOUT,
        FailureKind.TRANSPORT_ERROR,
        FailureKind.NO_ROUTE,
        FailureKind.CLOSED_BEFORE_ANSWER,
    }
    # Never going to fit, or the password is wrong until the user says.
    assert set(FailureKind) - resent == {FailureKind.TOO_LARGE, FailureKind.AUTH_FAILED}


def test_either_a_code_or_a_failure() -> None:
    with pytest.raises(ValueError):
        ResendPolicy.resendable()
    with pytest.raises(ValueError):
        ResendPolicy.resendable(code=408, failure=FailureKind.TIMEOUT)


def test_only_a_local_failure_goes_as_soon_as_the_connection_is_back() -> None:
    assert ResendPolicy.when_connected(local_failure=True)
    assert not ResendPolicy.when_connected(local_failure=False)


def test_back_off_grows_then_stays_at_an_hour() -> None:
    pauses = []
    attempts, now = 0, 1000.0
    for _ in range(10):
        plan = POLICY.plan(now=now, attempts=attempts, first_attempt=1000.0)
        assert plan.resend_at is not None
        pauses.append(plan.resend_at - now)
        attempts, now = plan.attempts, plan.resend_at
    assert pauses == [30, 60, 120, 300, 900, 1800, 3600, 3600, 3600, 3600]
    assert BACKOFF[-1] == HOUR


def test_whole_schedule_ends_a_day_after_the_first_attempt() -> None:
    # Every failure at once on its planned time: the last resend is at the
    # end of the day, and its failure gives up.
    first = 0.0
    plan = POLICY.plan(now=first, attempts=0, first_attempt=first)
    history = [plan]
    for _ in range(100):  # bounded: a policy that never gives up fails below
        if plan.resend_at is None:
            break
        plan = POLICY.plan(now=plan.resend_at, attempts=plan.attempts, first_attempt=first)
        history.append(plan)
    times = [p.resend_at for p in history[:-1]]
    assert times[:4] == [30, 90, 210, 510]
    assert times[-1] == WINDOW
    assert all(b > a for a, b in itertools.pairwise(times))
    assert history[-1] == Plan(attempts=len(history), resend_at=None)
    assert history[-1].gave_up
    # 24 h of it: 7 growing pauses (6,810 s), 22 of an hour, one cut short
    # at the end of the day: 30 resends, then the give-up.
    assert len(times) == 7 + 22 + 1
    assert len(history) == 31


def test_retry_after_is_honoured() -> None:
    plan = POLICY.plan(now=100.0, attempts=0, first_attempt=100.0, retry_after=600)
    assert plan == Plan(attempts=1, resend_at=700.0)
    # Shorter than the back-off: the back-off wins.
    plan = POLICY.plan(now=100.0, attempts=0, first_attempt=100.0, retry_after=5)
    assert plan.resend_at == 130.0


def test_retry_after_past_the_day_gives_up() -> None:
    plan = POLICY.plan(now=WINDOW - 60, attempts=5, first_attempt=0.0, retry_after=120)
    assert plan.gave_up


def test_the_pause_is_cut_at_the_end_of_the_day() -> None:
    plan = POLICY.plan(now=WINDOW - 10, attempts=20, first_attempt=0.0)
    assert plan.resend_at == WINDOW


def test_never_sent_counts_from_now() -> None:
    plan = POLICY.plan(now=50.0, attempts=0, first_attempt=None)
    assert plan == Plan(attempts=1, resend_at=80.0)


def test_short_tables_for_tests_and_bad_tables_refused() -> None:
    quick = ResendPolicy(backoff=(0.1, 0.2), window=1.0)
    assert [quick.delay(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.2]
    with pytest.raises(ValueError):
        ResendPolicy(backoff=())
    with pytest.raises(ValueError):
        ResendPolicy(backoff=(-1.0,))
    with pytest.raises(ValueError):
        ResendPolicy(window=-1.0)


def test_readme_tells_the_table() -> None:
    from pathlib import Path

    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text().split())
    assert BACKOFF == (30, 60, 120, 300, 900, 1800, 3600)
    assert "after 30 s, 1, 2, 5, 15 and 30 minutes, then every hour" in readme
    assert f"for {WINDOW / 3600:g} hours after it first went out" in readme
