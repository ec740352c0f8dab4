"""The core's English sentences, as stored or handed over, shown in Korean, values kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from softphone.phrase import say
from softphone.sip.delivery import DeliveryState, FailureKind, describe, failure_reason
from ui.core_text import delivery_text, from_english, translated
from ui.i18n import install_translator


@pytest.fixture
def in_korean(qapp: QApplication) -> Iterator[None]:
    install_translator(qapp, "ko")
    yield
    install_translator(qapp, "en")


@pytest.mark.usefixtures("in_korean")
@pytest.mark.parametrize(
    ("english", "korean"),
    [
        # A message's timeline, as softphone/services/timeline.py stores it.
        ("written and stored, waiting to be sent", "저장함, 보내기를 기다리는 중"),
        (
            "MESSAGE as text/plain (CSeq 2) to 127.0.0.1:5060 over UDP",
            "127.0.0.1:5060(으)로 UDP를 통해 MESSAGE 보냄 (text/plain, CSeq 2)",
        ),
        (
            "480 Temporarily Unavailable from 127.0.0.1:5060 over UDP",
            "127.0.0.1:5060에서 UDP로 받은 응답: 480 Temporarily Unavailable",
        ),
        (
            "receipt: delivery delivered (sent 2026-11-30 14:02:03); state unchanged",
            "수신 확인: delivery delivered (보낸 시각 2026-11-30 14:02:03). 상태는 그대로",
        ),
        ("receipt: display displayed", "수신 확인: display displayed"),
        # A state step: the prefix and a local reason translated, a server's reason kept.
        ("failed: 404 Not Found", "실패: 404 Not Found"),
        (
            describe(
                DeliveryState.FAILED,
                None,
                failure_reason(FailureKind.TIMEOUT, timeout=16.5),
                local=True,
            ),
            "실패: 서버에서 16.5초 동안 응답이 없음",
        ),
        # What another launch said in English.
        (
            "Softphone opens only sip: and sips: links, not mailto: links.",
            "Softphone은 sip:과 sips: 링크만 엽니다. mailto: 링크는 열지 않습니다.",
        ),
        # Not a sentence of ours: as it is.
        ("Temporarily Unavailable", "Temporarily Unavailable"),
    ],
)
def test_stored_english_is_shown_in_korean(english: str, korean: str) -> None:
    assert from_english(english) == korean


@pytest.mark.usefixtures("in_korean")
def test_phrases_translate_nested_values_and_keep_the_server_s_words() -> None:
    lost = say(
        "{problem}, trying again in {seconds} s",
        problem=say("Wrong credentials ({code} {reason})", code="403", reason="Forbidden"),
        seconds="20",
    )
    assert str(lost) == "Wrong credentials (403 Forbidden), trying again in 20 s"
    assert translated(lost) == "계정 정보가 틀렸습니다 (403 Forbidden), 20초 뒤 다시 시도"
    reason = failure_reason(FailureKind.NO_ROUTE) + " (sip2.example.com: NXDOMAIN)"
    assert (
        delivery_text(DeliveryState.FAILED, None, reason, local=True)
        == "실패: 서버 주소를 찾을 수 없음 (sip2.example.com: NXDOMAIN)"
    )


@pytest.mark.usefixtures("in_korean")
def test_the_core_s_own_reasons_inside_a_phrase_are_korean_a_server_s_are_kept() -> None:
    lost = say(
        "Connection to {server} lost ({reason}), trying again…",
        server="example.test",
        reason="no answer to a keep-alive within 10 s",
    )
    assert translated(lost) == (
        "example.test 연결이 끊겼습니다 (10초 안에 연결 유지 신호에 응답이 없음). 다시 시도하는 중…"
    )
    # Why a buddy's server is not known: the resolver's sentence, in Korean.
    unknown = say(
        "unknown: {why}", why="No SIP server found for x.test: the domain has no SIP records"
    )
    assert translated(unknown) == (
        "알 수 없음: x.test의 SIP 서버를 찾지 못했습니다: 이 도메인에는 SIP 레코드가 없음"
    )
    # A server's reason phrase is the server's, even when it reads like ours.
    refused = say("Unknown user ({code} {reason})", code="404", reason="connection refused")
    assert translated(refused) == "없는 사용자입니다 (404 connection refused)"


@pytest.mark.usefixtures("in_korean")
def test_a_message_that_could_not_reach_the_server_says_why_once() -> None:
    sentence = failure_reason(FailureKind.TRANSPORT_ERROR)
    refused = f"{sentence} (connection refused)"
    assert refused == "could not reach the server (connection refused)"
    assert (
        delivery_text(DeliveryState.FAILED, None, refused, local=True)
        == "실패: 서버에 연결할 수 없음 (연결이 거부됨)"
    )
    # Without a word from the transport, and as rows stored before said it.
    unknown = f"{sentence} (connection error)"
    assert (
        delivery_text(DeliveryState.FAILED, None, unknown, local=True)
        == "실패: 서버에 연결할 수 없음 (연결 오류)"
    )
