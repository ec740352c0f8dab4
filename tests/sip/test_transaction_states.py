"""Every (state, input) pair follows the table or raises LocalProtocolError.

The first half checks the tables themselves (as h2 checks its connection
state machine); the second drives real transactions with arbitrary
sequences of public calls and checks the invariants their owners rely on.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softphone.sip.errors import LocalProtocolError
from softphone.sip.events import (
    Event,
    ResponseReceived,
    TransactionTerminated,
    TransactionTimedOut,
    TransportFailed,
)
from softphone.sip.message import Response
from softphone.sip.transaction import (
    _CLIENT_TRANSITIONS,
    _INVITE_SERVER_TRANSITIONS,
    _SERVER_TRANSITIONS,
    ClientTransaction,
    Input,
    InviteServerTransaction,
    ServerTransaction,
    State,
    TransactionStateMachine,
)
from tests.helpers import make_request

TABLES: dict[str, Mapping[tuple[State, Input], State]] = {
    "client": _CLIENT_TRANSITIONS,
    "server": _SERVER_TRANSITIONS,
    "invite-server": _INVITE_SERVER_TRANSITIONS,
}

FEW = settings(max_examples=150, deadline=None)


def check_pair(table: Mapping[tuple[State, Input], State], state: State, input_: Input) -> None:
    machine = TransactionStateMachine(table, state)
    expected = table.get((state, input_))
    if expected is None:
        with pytest.raises(LocalProtocolError) as info:
            machine.process(input_)
        # The message names both, so a log line says what went wrong.
        assert state.name in str(info.value) and input_.name in str(info.value)
        assert machine.state is State.TERMINATED
    else:
        assert machine.process(input_) is expected
        assert machine.state is expected


@FEW
@given(
    name=st.sampled_from(sorted(TABLES)),
    state=st.sampled_from(State),
    input_=st.sampled_from(Input),
)
def test_every_pair_follows_the_table_or_raises(name: str, state: State, input_: Input) -> None:
    check_pair(TABLES[name], state, input_)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_pair_exhaustively(name: str) -> None:
    for state, input_ in product(State, Input):
        check_pair(TABLES[name], state, input_)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_terminated_is_final_and_every_state_leads_there(name: str) -> None:
    table = TABLES[name]
    assert not [pair for pair in table if pair[0] is State.TERMINATED]
    states = {state for state, _ in table} | set(table.values())
    for state in states - {State.TERMINATED}:
        reachable, frontier = {state}, [state]
        while frontier:
            current = frontier.pop()
            for (source, _), target in table.items():
                if source is current and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        assert State.TERMINATED in reachable


def test_completed_client_absorbs_responses() -> None:
    # RFC 3261 17.1.2.2: responses in Completed are absorbed, not errors.
    for input_ in (Input.RECV_1XX, Input.RECV_FINAL):
        assert _CLIENT_TRANSITIONS[(State.COMPLETED, input_)] is State.COMPLETED


# --- real transactions under arbitrary call sequences ---------------------------

STATUSES = st.sampled_from([100, 180, 200, 202, 401, 486, 500, 603])
CLIENT_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), STATUSES),
        st.tuples(st.just("wait"), st.floats(min_value=0, max_value=40)),
        st.tuples(st.just("fail"), st.just(0)),
    ),
    max_size=12,
)
SERVER_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("respond"), STATUSES),
        st.tuples(st.just("retransmit"), st.just(0)),
        st.tuples(st.just("ack"), st.just(0)),
        st.tuples(st.just("wait"), st.floats(min_value=0, max_value=40)),
        st.tuples(st.just("fail"), st.just(0)),
    ),
    max_size=12,
)


def check_history(events: list[Event], state: State, deadline: float | None) -> None:
    """Invariants every owner relies on."""
    terminated = [i for i, e in enumerate(events) if isinstance(e, TransactionTerminated)]
    if state is State.TERMINATED:
        # Exactly one Terminated, and it is the last event.
        assert terminated == [len(events) - 1]
        assert deadline is None
    else:
        assert terminated == []
        assert deadline is not None or state in (State.TRYING, State.PROCEEDING)
    finals = [e for e in events if isinstance(e, ResponseReceived) and e.response.status >= 200]
    assert len(finals) <= 1
    # One outcome per request: a final response, a timeout or a transport failure.
    outcomes = finals + [e for e in events if isinstance(e, TransactionTimedOut | TransportFailed)]
    assert len(outcomes) <= 1


@FEW
@given(ops=CLIENT_OPS, reliable=st.booleans())
def test_client_transaction_under_any_sequence(
    ops: list[tuple[str, float]], reliable: bool
) -> None:
    request = make_request()
    now = 0.0
    tx = ClientTransaction(request, reliable=reliable, now=now)
    events: list[Event] = []
    for op, arg in ops:
        before = tx.state
        try:
            if op == "receive":
                tx.receive(Response.for_request(request, int(arg), to_tag="t"), now)
            elif op == "wait":
                now += arg
                tx.handle_timer(now)
            else:
                tx.transport_failed("down", now)
        except LocalProtocolError:
            # Only misuse raises: feeding a transaction that already ended.
            assert before is State.TERMINATED
        events += tx.events()
        check_history(events, tx.state, tx.deadline)
        if tx.deadline is not None:
            assert tx.deadline > now or op != "wait"


@FEW
@given(ops=SERVER_OPS, reliable=st.booleans(), invite=st.booleans())
def test_server_transactions_under_any_sequence(
    ops: list[tuple[str, float]], reliable: bool, invite: bool
) -> None:
    request = make_request("INVITE" if invite else "MESSAGE", branch="z9hG4bKfixed")
    ack = make_request("ACK", branch="z9hG4bKfixed", to_tag="t", body=b"")
    now = 0.0
    tx: ServerTransaction | InviteServerTransaction
    if invite:
        tx = InviteServerTransaction(request, reliable=reliable, now=now)
    else:
        tx = ServerTransaction(request, reliable=reliable, now=now)
    events: list[Event] = []
    sent_final = responded = False
    for op, arg in ops:
        before = tx.state
        try:
            if op == "respond":
                tx.respond(Response.for_request(request, int(arg), to_tag="t"), now)
                sent_final = sent_final or arg >= 200
                responded = True
            elif op == "retransmit":
                tx.receive(request, now)
            elif op == "ack":
                if invite:
                    tx.receive(ack, now)
            elif op == "wait":
                now += arg
                tx.handle_timer(now)
            else:
                tx.transport_failed("down", now)
        except LocalProtocolError:
            # Misuse: a second final response, or feeding a finished transaction.
            assert before is State.TERMINATED or (op == "respond" and sent_final)
            assert tx.state is State.TERMINATED
        events += tx.events()
        check_history(events, tx.state, tx.deadline)
        datagrams = tx.datagrams_to_send()
        if op == "retransmit" and not responded:
            # Before any response, a retransmission is absorbed silently.
            assert datagrams == []
        assert all(d.startswith(b"SIP/2.0 ") for d in datagrams)
