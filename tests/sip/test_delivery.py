"""The response-to-delivery-state table, checked over every status code."""

from __future__ import annotations

import pytest

from softphone.sip.delivery import (
    TIMER_F_SECONDS,
    DeliveryState,
    FailureKind,
    describe,
    failure_reason,
    from_failure,
    from_response,
)


def _expected(status: int) -> DeliveryState:
    # Written from the DESIGN table row by row, independently of the
    # implementation's order of checks.
    table = {
        1: DeliveryState.SENDING,
        2: DeliveryState.DELIVERED,
        3: DeliveryState.FAILED,
        4: DeliveryState.FAILED,
        5: DeliveryState.FAILED,
        6: DeliveryState.DECLINED,
    }
    if status == 202:
        return DeliveryState.ACCEPTED
    if status in (401, 407):
        return DeliveryState.SENDING
    return table[status // 100]


@pytest.mark.parametrize("status", range(100, 700))
def test_every_status_code_maps_as_the_table_says(status: int) -> None:
    assert from_response(status) is _expected(status)


def test_table_covers_each_state_reachable_from_a_response() -> None:
    reached = {from_response(status) for status in range(100, 700)}
    # READ exists only because a receipt said so (RFC 5438): never from a response.
    assert reached == set(DeliveryState) - {DeliveryState.QUEUED, DeliveryState.READ}


def test_only_200_class_except_202_is_delivered() -> None:
    delivered = [s for s in range(100, 700) if from_response(s) is DeliveryState.DELIVERED]
    assert delivered == [s for s in range(200, 300) if s != 202]


def test_challenges_keep_message_sending_and_other_4xx_fail() -> None:
    assert from_response(401) is DeliveryState.SENDING
    assert from_response(407) is DeliveryState.SENDING
    # A 408 from a server is a remote failure like any other 4xx.
    assert from_response(408) is DeliveryState.FAILED
    assert from_response(403) is DeliveryState.FAILED


@pytest.mark.parametrize("status", [-1, 0, 1, 99, 700, 701, 999, 1000, 10_000])
def test_codes_outside_100_to_699_raise(status: int) -> None:
    with pytest.raises(ValueError, match=str(status)):
        from_response(status)


@pytest.mark.parametrize("kind", list(FailureKind))
def test_every_local_failure_is_failed(kind: FailureKind) -> None:
    assert from_failure(kind) is DeliveryState.FAILED


@pytest.mark.parametrize("kind", list(FailureKind))
def test_every_local_failure_has_its_own_sentence_without_a_code(kind: FailureKind) -> None:
    sentence = failure_reason(kind)
    assert sentence
    assert sentence == kind.reason
    # No local failure may look like a remote status code.
    for word in sentence.replace("(", " ").split():
        assert not (word.isdigit() and 100 <= int(word) <= 699), sentence


def test_failure_sentences_are_distinct() -> None:
    sentences = [failure_reason(kind) for kind in FailureKind]
    assert len(set(sentences)) == len(sentences)


def test_timeout_sentence_names_the_timer_length() -> None:
    assert TIMER_F_SECONDS == 32.0
    assert failure_reason(FailureKind.TIMEOUT) == ("no answer from the server after 32 s")
    assert "after 4 s" in failure_reason(FailureKind.TIMEOUT, timeout=4.0)
    assert "after 0.5 s" in failure_reason(FailureKind.TIMEOUT, timeout=0.5)


def test_closed_before_answer_sentence() -> None:
    assert FailureKind.CLOSED_BEFORE_ANSWER.reason == "closed before the server answered"


@pytest.mark.parametrize(
    ("state", "final"),
    [
        (DeliveryState.QUEUED, False),
        (DeliveryState.SENDING, False),
        (DeliveryState.DELIVERED, True),
        (DeliveryState.ACCEPTED, True),
        (DeliveryState.FAILED, True),
        (DeliveryState.DECLINED, True),
        (DeliveryState.READ, True),
    ],
)
def test_is_final(state: DeliveryState, final: bool) -> None:
    assert state.is_final is final


def test_state_values_are_stable_text() -> None:
    # Stored in the database and compared by the UI: renaming one is a migration.
    assert {s.value for s in DeliveryState} == {
        "queued",
        "sending",
        "delivered",
        "accepted",
        "failed",
        "declined",
        "read",
    }


@pytest.mark.parametrize(
    ("state", "code", "reason", "text"),
    [
        (DeliveryState.DELIVERED, 200, "OK", "delivered to the recipient's device: 200 OK"),
        (DeliveryState.ACCEPTED, 202, "Accepted", "accepted for later delivery: 202 Accepted"),
        (DeliveryState.DECLINED, 603, "Decline", "declined by recipient: 603 Decline"),
        (DeliveryState.FAILED, 404, "Not Found", "failed: 404 Not Found"),
        (DeliveryState.FAILED, 408, "Request Timeout", "failed: 408 Request Timeout"),
        (DeliveryState.FAILED, 302, "Moved Temporarily", "failed: 302 Moved Temporarily"),
        (DeliveryState.FAILED, 500, "", "failed: 500"),
        (DeliveryState.SENDING, 100, "Trying", "sending: 100 Trying"),
        (DeliveryState.SENDING, None, "", "sending"),
        (DeliveryState.QUEUED, None, "", "waiting to be sent"),
        (
            DeliveryState.QUEUED,
            None,
            "not registered yet",
            "waiting to be sent: not registered yet",
        ),
    ],
)
def test_describe_remote(state: DeliveryState, code: int | None, reason: str, text: str) -> None:
    assert describe(state, code, reason, local=False) == text


@pytest.mark.parametrize("kind", list(FailureKind))
def test_describe_local_failure(kind: FailureKind) -> None:
    text = describe(DeliveryState.FAILED, None, kind.reason, local=True)
    assert text == f"failed: {kind.reason}"


def test_local_timeout_reads_differently_from_remote_408() -> None:
    local = describe(DeliveryState.FAILED, None, FailureKind.TIMEOUT.reason, local=True)
    remote = describe(DeliveryState.FAILED, 408, "Request Timeout", local=False)
    assert local == "failed: no answer from the server after 32 s"
    assert "408" not in local
    assert local != remote


@pytest.mark.parametrize("state", [s for s in DeliveryState if s is not DeliveryState.FAILED])
def test_describe_refuses_local_non_failure(state: DeliveryState) -> None:
    with pytest.raises(ValueError):
        describe(state, None, "x", local=True)


def test_describe_refuses_local_failure_with_a_code() -> None:
    with pytest.raises(ValueError):
        describe(DeliveryState.FAILED, 408, "Request Timeout", local=True)


def test_describe_has_a_distinct_sentence_for_every_state() -> None:
    texts = {describe(state, None, "", local=False) for state in DeliveryState}
    assert len(texts) == len(DeliveryState)
