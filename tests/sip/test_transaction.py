"""Transactions driven by a fake clock: timers E, F, K, J, G, H, I and loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.sip.errors import LocalProtocolError
from softphone.sip.events import (
    ResponseReceived,
    TransactionTerminated,
    TransactionTimedOut,
    TransportFailed,
)
from softphone.sip.message import Request, Response, parse
from softphone.sip.timers import TimerConfig, TimerName
from softphone.sip.transaction import (
    ClientTransaction,
    InviteServerTransaction,
    ServerTransaction,
    State,
    transaction_key,
)
from tests.helpers import FakeClock, TransactionPair, make_request

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rfc4475"

TERMINATED = TransactionTerminated()


def run_timers(
    tx: ClientTransaction | ServerTransaction | InviteServerTransaction,
    clock: FakeClock,
    until: float = 1000.0,
) -> list[tuple[float, bytes]]:
    """Fire every deadline up to *until*; return (time, datagram) as sent."""
    sent = [(clock.now, data) for data in tx.datagrams_to_send()]
    while (deadline := tx.deadline) is not None and deadline <= until:
        tx.handle_timer(clock.advance_to(deadline))
        sent += [(clock.now, data) for data in tx.datagrams_to_send()]
    return sent


def response_to(request: Request, status: int) -> Response:
    return Response.for_request(request, status, to_tag="srv1")


# --- non-INVITE client transaction ----------------------------------------------


def test_timer_e_doubles_to_t2_then_timer_f_fires_at_64_t1() -> None:
    clock = FakeClock()
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=clock.now)
    sent = run_timers(tx, clock)
    # E: 0.5, 1, 2, 4, 4, ... between sends; F at 64*T1 = 32 s (RFC 3261 17.1.2.2).
    assert [when for when, _ in sent] == [
        0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5
    ]  # fmt: skip
    assert {data for _, data in sent} == {bytes(request)}
    assert clock.now == 32.0
    assert tx.events() == [TransactionTimedOut(timer=TimerName.F), TERMINATED]
    assert tx.state is State.TERMINATED
    assert tx.deadline is None


def test_timers_follow_a_custom_t1() -> None:
    clock = FakeClock()
    tx = ClientTransaction(
        make_request(), reliable=False, now=clock.now, timers=TimerConfig(t1=0.1, t2=0.4)
    )
    sent = run_timers(tx, clock)
    assert [when for when, _ in sent] == pytest.approx(
        [0.0, 0.1, 0.3, 0.7, 1.1, 1.5, 1.9, 2.3, 2.7, 3.1, 3.5, 3.9, 4.3, 4.7, 5.1, 5.5, 5.9, 6.3]
    )
    assert clock.now == pytest.approx(6.4)
    assert tx.events() == [TransactionTimedOut(timer=TimerName.F), TERMINATED]


def test_reliable_transport_sends_once_and_has_no_timer_e() -> None:
    clock = FakeClock(now=100.0)
    tx = ClientTransaction(make_request(), reliable=True, now=clock.now)
    assert tx.deadline == 132.0  # only F
    sent = run_timers(tx, clock)
    assert [when for when, _ in sent] == [100.0]
    assert tx.events() == [TransactionTimedOut(timer=TimerName.F), TERMINATED]


def test_provisional_then_final_then_timer_k() -> None:
    clock = FakeClock()
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=0.0)
    assert tx.state is State.TRYING
    trying, ok = response_to(request, 100), response_to(request, 200)
    tx.receive(trying, clock.advance_to(0.2))
    assert tx.state is State.PROCEEDING
    tx.receive(ok, clock.advance_to(0.3))
    assert tx.state is State.COMPLETED
    assert tx.deadline == pytest.approx(5.3)  # K = T4 after the final response
    assert tx.events() == [ResponseReceived(response=trying), ResponseReceived(response=ok)]
    run_timers(tx, clock)
    assert clock.now == pytest.approx(5.3)
    assert tx.events() == [TERMINATED]
    assert tx.state is State.TERMINATED


def test_timer_e_fires_every_t2_in_proceeding() -> None:
    clock = FakeClock()
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=0.0)
    sent = [(0.0, data) for data in tx.datagrams_to_send()]
    tx.handle_timer(clock.advance_to(0.5))  # first retransmission, next at 1.5
    sent += [(0.5, data) for data in tx.datagrams_to_send()]
    tx.receive(response_to(request, 180), clock.advance_to(1.0))
    sent += run_timers(tx, clock, until=20.0)
    # The E armed in Trying still fires at 1.5; from then on every T2.
    assert [when for when, _ in sent] == [0.0, 0.5, 1.5, 5.5, 9.5, 13.5, 17.5]


def test_final_response_retransmission_is_absorbed_in_completed() -> None:
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=0.0)
    ok = response_to(request, 200)
    tx.receive(ok, 1.0)
    tx.receive(ok, 1.5)
    tx.receive(response_to(request, 100), 1.6)
    tx.receive(response_to(request, 500), 1.7)
    assert tx.state is State.COMPLETED
    assert tx.events() == [ResponseReceived(response=ok)]
    # The retransmissions did not move K: it still ends T4 after the first 200.
    assert tx.deadline == 6.0
    assert tx.datagrams_to_send() == [bytes(request)]


def test_reliable_final_response_terminates_at_once() -> None:
    request = make_request()
    tx = ClientTransaction(request, reliable=True, now=0.0)
    ok = response_to(request, 202)
    tx.receive(ok, 3.0)
    assert tx.state is State.TERMINATED
    assert tx.events() == [ResponseReceived(response=ok), TERMINATED]
    assert tx.deadline is None


def test_handle_timer_before_the_deadline_does_nothing() -> None:
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=0.0)
    tx.datagrams_to_send()
    tx.handle_timer(0.49)
    assert tx.datagrams_to_send() == []
    assert tx.events() == []
    assert tx.deadline == 0.5


def test_late_wake_up_times_out_without_a_burst_of_retransmissions() -> None:
    tx = ClientTransaction(make_request(), reliable=False, now=0.0)
    tx.datagrams_to_send()
    tx.handle_timer(100.0)
    assert tx.datagrams_to_send() == []
    assert tx.events() == [TransactionTimedOut(timer=TimerName.F), TERMINATED]


def test_late_wake_up_retransmits_once_and_rearms_from_now() -> None:
    tx = ClientTransaction(make_request(), reliable=False, now=0.0)
    tx.datagrams_to_send()
    tx.handle_timer(3.0)  # E was due at 0.5; it fires once
    assert len(tx.datagrams_to_send()) == 1
    assert tx.deadline == 4.0


def test_response_after_termination_is_a_local_error() -> None:
    request = make_request()
    tx = ClientTransaction(request, reliable=True, now=0.0)
    tx.receive(response_to(request, 200), 1.0)
    tx.events()
    with pytest.raises(LocalProtocolError, match="TERMINATED"):
        tx.receive(response_to(request, 200), 2.0)
    assert tx.events() == []


def test_transport_failure_while_waiting_is_reported() -> None:
    tx = ClientTransaction(make_request(), reliable=True, now=0.0)
    tx.transport_failed("connection refused", 0.1)
    assert tx.events() == [TransportFailed(reason="connection refused"), TERMINATED]
    assert tx.deadline is None


def test_transport_failure_after_the_final_response_stays_quiet() -> None:
    # One outcome per request: the owner already has the 200.
    request = make_request()
    tx = ClientTransaction(request, reliable=False, now=0.0)
    ok = response_to(request, 200)
    tx.receive(ok, 1.0)
    tx.transport_failed("connection reset", 1.1)
    assert tx.events() == [ResponseReceived(response=ok), TERMINATED]
    with pytest.raises(LocalProtocolError):
        tx.transport_failed("again", 1.2)


@pytest.mark.parametrize("method", ["INVITE", "ACK"])
def test_client_transaction_is_not_for_invite(method: str) -> None:
    with pytest.raises(LocalProtocolError):
        ClientTransaction(make_request(method), reliable=False, now=0.0)


# --- non-INVITE server transaction --------------------------------------------


def test_server_absorbs_retransmission_before_responding() -> None:
    request = make_request()
    stx = ServerTransaction(request, reliable=False, now=0.0)
    stx.receive(request, 0.5)
    assert stx.datagrams_to_send() == []
    assert stx.state is State.TRYING
    assert stx.deadline is None


def test_server_replays_final_response_during_timer_j() -> None:
    clock = FakeClock()
    request = make_request()
    stx = ServerTransaction(request, reliable=False, now=0.0)
    ok = response_to(request, 200)
    stx.respond(ok, clock.advance_to(0.1))
    assert stx.datagrams_to_send() == [bytes(ok)]
    assert stx.state is State.COMPLETED
    assert stx.deadline == pytest.approx(32.1)  # J = 64*T1
    stx.receive(request, clock.advance_to(20.0))
    assert stx.datagrams_to_send() == [bytes(ok)]
    run_timers(stx, clock)
    assert clock.now == pytest.approx(32.1)
    assert stx.state is State.TERMINATED
    assert stx.events() == [TERMINATED]


def test_server_replays_last_provisional_in_proceeding() -> None:
    request = make_request()
    stx = ServerTransaction(request, reliable=False, now=0.0)
    trying = response_to(request, 100)
    stx.respond(trying, 0.0)
    stx.receive(request, 0.5)
    assert stx.state is State.PROCEEDING
    ok = response_to(request, 200)
    stx.respond(ok, 0.6)
    stx.receive(request, 1.0)
    assert stx.datagrams_to_send() == [bytes(trying), bytes(trying), bytes(ok), bytes(ok)]


def test_server_refuses_a_second_final_response() -> None:
    request = make_request()
    stx = ServerTransaction(request, reliable=False, now=0.0)
    stx.respond(response_to(request, 200), 0.0)
    with pytest.raises(LocalProtocolError, match=r"SEND_FINAL.*COMPLETED"):
        stx.respond(response_to(request, 500), 0.1)
    assert stx.state is State.TERMINATED
    assert stx.events() == [TERMINATED]
    assert stx.deadline is None


def test_reliable_server_terminates_after_the_final_response() -> None:
    request = make_request()
    stx = ServerTransaction(request, reliable=True, now=0.0)
    stx.respond(response_to(request, 200), 0.0)
    assert stx.state is State.TERMINATED
    assert stx.events() == [TERMINATED]
    assert len(stx.datagrams_to_send()) == 1


def test_server_transport_failure() -> None:
    request = make_request()
    stx = ServerTransaction(request, reliable=False, now=0.0)
    stx.respond(response_to(request, 200), 0.0)
    stx.transport_failed("unreachable", 0.1)
    assert stx.events() == [TransportFailed(reason="unreachable"), TERMINATED]


@pytest.mark.parametrize("method", ["INVITE", "ACK"])
def test_server_transaction_is_not_for_invite(method: str) -> None:
    with pytest.raises(LocalProtocolError):
        ServerTransaction(make_request(method), reliable=False, now=0.0)


# --- INVITE server transaction (rejections) ------------------------------------


def ack_for(invite: Request, response: Response) -> Request:
    # RFC 3261 17.1.1.3: same branch, To from the response, CSeq method ACK.
    return make_request(
        "ACK",
        branch=invite.via[0].branch,
        to_tag=response.to.tag,
        body=b"",
    )


def test_rejection_is_retransmitted_by_g_until_h() -> None:
    clock = FakeClock()
    invite = make_request("INVITE", body=b"")
    itx = InviteServerTransaction(invite, reliable=False, now=0.0)
    busy = response_to(invite, 486)
    itx.respond(busy, 0.0)
    sent = run_timers(itx, clock)
    assert [when for when, _ in sent] == [
        0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5
    ]  # fmt: skip
    assert {data for _, data in sent} == {bytes(busy)}
    assert itx.events() == [TransactionTimedOut(timer=TimerName.H), TERMINATED]


def test_ack_stops_g_and_timer_i_absorbs_acks() -> None:
    clock = FakeClock()
    invite = make_request("INVITE", body=b"")
    itx = InviteServerTransaction(invite, reliable=False, now=0.0)
    ringing, busy = response_to(invite, 180), response_to(invite, 486)
    itx.respond(ringing, 0.0)
    itx.receive(invite, 0.2)  # a retransmitted INVITE gets the 180 again
    itx.respond(busy, 0.3)
    itx.receive(invite, 0.4)  # ... and now the 486
    assert itx.datagrams_to_send() == [bytes(ringing), bytes(ringing), bytes(busy), bytes(busy)]
    ack = ack_for(invite, busy)
    assert transaction_key(ack) == transaction_key(invite)
    itx.receive(ack, clock.advance_to(0.45))
    assert itx.state is State.CONFIRMED
    assert itx.deadline == pytest.approx(5.45)  # I = T4
    itx.receive(ack, 1.0)
    itx.receive(invite, 1.1)
    assert itx.datagrams_to_send() == []
    run_timers(itx, clock)
    assert itx.events() == [TERMINATED]
    assert itx.state is State.TERMINATED


def test_reliable_rejection_has_no_g_and_ends_on_ack() -> None:
    invite = make_request("INVITE", body=b"")
    itx = InviteServerTransaction(invite, reliable=True, now=0.0)
    busy = response_to(invite, 603)
    itx.respond(busy, 0.0)
    assert itx.deadline == 32.0  # only H
    itx.receive(ack_for(invite, busy), 0.1)
    assert itx.state is State.TERMINATED
    assert itx.events() == [TERMINATED]


def test_invite_2xx_ends_the_server_transaction() -> None:
    invite = make_request("INVITE", body=b"")
    itx = InviteServerTransaction(invite, reliable=False, now=0.0)
    itx.receive(make_request("ACK", branch=invite.via[0].branch, body=b""), 0.0)  # stray
    itx.respond(response_to(invite, 200), 0.1)
    assert itx.state is State.TERMINATED
    assert itx.events() == [TERMINATED]
    assert len(itx.datagrams_to_send()) == 1


def test_invite_server_transaction_needs_an_invite() -> None:
    with pytest.raises(LocalProtocolError):
        InviteServerTransaction(make_request(), reliable=False, now=0.0)


# --- in-memory exchanges with loss --------------------------------------------


@pytest.mark.parametrize(
    ("up", "down", "done_at"),
    [
        ([], [], 5.0),  # no loss: 200 at 0, K at T4
        ([True], [], 5.5),  # request lost once: sent again at 0.5
        ([True, True, True], [], 8.5),  # lost at 0, 0.5 and 1.5; through at 3.5
        ([], [True], 5.5),  # 200 lost; the retransmission at 0.5 gets it replayed
        ([False, True], [True], 6.5),  # 200 lost, next request lost, then through at 1.5
        ([True, False, True], [True, True], 12.5),
    ],
)
def test_lossy_exchange_delivers_exactly_one_response(
    up: list[bool], down: list[bool], done_at: float
) -> None:
    pair = TransactionPair.create(up=up, down=down)
    pair.run()
    responses = [e for e in pair.client_events if isinstance(e, ResponseReceived)]
    assert len(responses) == 1
    assert responses[0].response.status == 200
    assert pair.client_events == [ResponseReceived(response=responses[0].response), TERMINATED]
    assert pair.server_events == [TERMINATED]
    assert pair.server_transactions == 1
    assert pair.client.state is State.TERMINATED
    # The client ends K = T4 after the response got through.
    assert pair.client_terminated_at == done_at


def test_total_loss_times_out_with_timer_f() -> None:
    pair = TransactionPair.create(up=[True] * 20)
    pair.run()
    assert pair.client_events == [TransactionTimedOut(timer=TimerName.F), TERMINATED]
    assert pair.up.lost == 11
    assert pair.server is None


def test_lost_responses_are_replayed_by_the_server() -> None:
    pair = TransactionPair.create(down=[True] * 4)
    pair.run()
    assert pair.down.lost == 4
    assert pair.up.delivered == 5  # original + 4 retransmissions, each answered
    assert [type(e) for e in pair.client_events] == [ResponseReceived, TransactionTerminated]


def test_provisional_then_final_through_the_pair() -> None:
    def responder(request: Request) -> list[Response]:
        return [response_to(request, 100), response_to(request, 202)]

    pair = TransactionPair.create(responder=responder)
    pair.run()
    statuses = [e.response.status for e in pair.client_events if isinstance(e, ResponseReceived)]
    assert statuses == [100, 202]
    assert isinstance(pair.client_events[-1], TransactionTerminated)


def test_after_timer_j_the_same_request_is_a_new_transaction() -> None:
    request = make_request()
    pair = TransactionPair.create(request)
    pair.run()
    assert pair.server is not None and pair.server.state is State.TERMINATED
    assert pair.clock.now == 32.0  # J ended the server transaction
    # A late copy of the request (same branch) arrives after J.
    pair.client = ClientTransaction(request, reliable=False, now=pair.clock.now)
    pair.run()
    assert pair.server_transactions == 2


def test_during_timer_j_the_same_request_gets_the_same_bytes() -> None:
    request = make_request()
    pair = TransactionPair.create(request, down=[True])
    pair.run()
    assert pair.server_transactions == 1
    replies = pair.server_datagrams
    assert len(replies) == 2 and replies[0] == replies[1]


def test_reliable_pair_has_no_retransmissions() -> None:
    pair = TransactionPair.create(reliable=True)
    pair.run()
    assert pair.up.delivered == 1 and pair.down.delivered == 1
    assert pair.clock.now == 0.0
    assert [type(e) for e in pair.client_events] == [ResponseReceived, TransactionTerminated]


# --- transaction keys ----------------------------------------------------------


def test_request_and_response_share_a_key() -> None:
    request = make_request()
    response = parse(bytes(response_to(request, 200)))
    assert transaction_key(response) == transaction_key(request)
    assert transaction_key(request) == (
        request.via[0].branch,
        "client.example.com:5060",
        "MESSAGE",
    )


def test_keys_differ_by_branch_method_and_sent_by() -> None:
    request = make_request(branch="z9hG4bKone")
    other_branch = make_request(branch="z9hG4bKtwo")
    cancel = make_request("CANCEL", branch="z9hG4bKone")
    moved = parse(bytes(request).replace(b"client.example.com:5060", b"other.example.com"))
    upper = parse(bytes(request).replace(b"client.example.com:5060", b"CLIENT.example.com:5060"))
    keys = {transaction_key(m) for m in (request, other_branch, cancel, moved)}
    assert len(keys) == 4
    assert transaction_key(upper) == transaction_key(request)


def test_rfc2543_branch_falls_back_to_17_2_3_matching() -> None:
    # RFC 4475 3.3.14 badbranch: "z9hG4bK" alone is not an RFC 3261 branch.
    data = (CORPUS / "badbranch.dat").read_bytes()
    request = parse(data)
    assert isinstance(request, Request)
    key = transaction_key(request)
    assert len(key) == 6
    assert transaction_key(parse(data)) == key  # a retransmission matches
    assert transaction_key(parse(data.replace(b"CSeq: 8", b"CSeq: 9"))) != key
    assert transaction_key(parse(data.replace(b"tag=33242", b"tag=4"))) != key
    stx = ServerTransaction(request, reliable=False, now=0.0)
    stx.respond(Response.for_request(request, 200, to_tag="x"), 0.0)
    assert stx.state is State.COMPLETED


def test_rfc2543_ack_matches_its_invite() -> None:
    invite = make_request("INVITE", branch="1234", body=b"")
    busy = response_to(invite, 486)
    ack = ack_for(invite, busy)
    assert ack.to.tag == "srv1"
    assert transaction_key(ack) == transaction_key(invite)
    assert transaction_key(make_request("BYE", branch="1234", body=b"")) != transaction_key(invite)
