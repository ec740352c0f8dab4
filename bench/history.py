"""A long conversation on disk for the chat view benchmark.

`build(path, count)` writes *count* messages with one peer: mixed Korean
and English texts of realistic lengths, both directions, every delivery
state. `Store.open` creates and migrates the file; the rows then go in
with one `executemany` in one transaction, since 100,000 committed
`insert_outgoing` calls would take minutes and measure the disk, not the
view. The result is read back through `Store` to check it.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from softphone.sip.delivery import DeliveryState
from softphone.store import DEFAULT_CONTENT_TYPE, Store

PEER = "sip:minji@example.test"

_SHORT = [
    "ㅋㅋㅋ",
    "ok!",
    "네 알겠어요",
    "lol",
    "좋아요 👍",
    "on my way",
    "잠깐만요",
    "sure, 7 works",
    "고마워!",
    "brb",
]
_MEDIUM = [
    "안녕하세요! 오늘 회의 몇 시에 시작해요?",
    "Did you see the new build? The chat list scrolls much better now.",
    "점심 뭐 먹을래? 김치찌개 어때?",
    "I'll send the slides after lunch, 발표 자료는 거의 다 됐어요.",
    "지하철이 늦게 와서 10분 정도 늦을 것 같아요 😅",
    "Can you check whether the SUBSCRIBE got a 407 or a 200?",
    "내일 날씨 맑대요. Let's go hiking at Bukhansan!",
    "The registrar answered 423 Interval Too Brief, so I raised Expires.",
]
_LONG = [
    "어제 얘기한 거 정리해 봤어요. 첫째, 메시지가 오프라인일 때는 서버에 저장되고 "
    "202 Accepted가 오니까 시계 아이콘을 보여 줘야 해요. 둘째, 603 Declined는 "
    "빨간 표시가 아니라 금지 표시로. 셋째, 재전송 버튼은 실패한 메시지에만. "
    "Let me know if I missed anything, 특히 408 처리 부분!",
    "So here is the plan for the weekend: we leave Seoul at 8, stop in Gangneung "
    "for coffee (그 바다 보이는 카페), then drive down the coast. If it rains we "
    "skip the beach and go to the market instead. Bring a jacket, it gets cold "
    "at night. https://example.test/maps/route?from=seoul&to=gangneung&via=coast",
    "긴 메시지 테스트입니다. " * 12,
]
_STATES = [
    (DeliveryState.DELIVERED, 200, "OK", 0),
    (DeliveryState.DELIVERED, 200, "OK", 0),
    (DeliveryState.DELIVERED, 200, "OK", 0),
    (DeliveryState.READ, None, "", 0),
    (DeliveryState.ACCEPTED, 202, "Accepted", 0),
    (DeliveryState.FAILED, 404, "Not Found", 0),
    (DeliveryState.FAILED, None, "no response (Timer F)", 1),
    (DeliveryState.DECLINED, 603, "Decline", 0),
    (DeliveryState.SENDING, None, "", 0),
    (DeliveryState.QUEUED, None, "", 0),
]


def _text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(_SHORT)
    if pick < 0.93:
        return rng.choice(_MEDIUM)
    return rng.choice(_LONG)


def rows(count: int, *, start: float = 1.7e9, seed: int = 7) -> list[tuple[object, ...]]:
    """*count* message rows for `build`, oldest first (deterministic)."""
    rng = random.Random(seed)
    out: list[tuple[object, ...]] = []
    for n in range(count):
        created = start + n * 37.0
        body = _text(rng)
        if rng.random() < 0.5:
            out.append(
                (PEER, "in", body, DEFAULT_CONTENT_TYPE, created, created,
                 DeliveryState.DELIVERED.value, None, "", 0, f"bench-{n}@peer", 1, "t")
            )  # fmt: skip
        else:
            state, code, reason, local = rng.choice(_STATES)
            out.append(
                (PEER, "out", body, DEFAULT_CONTENT_TYPE, created, created + 0.2,
                 state.value, code, reason, local, f"bench-{n}@us", 1, None)
            )  # fmt: skip
    return out


def build(path: Path, count: int) -> Path:
    """Write a database at *path* holding *count* messages with `PEER`.

    Raises:
        RuntimeError: the store does not read back *count* messages.
    """
    Store.open(path).close()
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(
                "INSERT INTO conversations (peer, display_name, unread, last_activity)"
                " VALUES (?, ?, 0, ?)",
                (PEER, "Minji", 1.7e9 + count * 37.0),
            )
            db.executemany(
                "INSERT INTO messages (peer, direction, body, content_type, created, updated,"
                " state, code, reason, local_failure, call_id, cseq, from_tag)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows(count),
            )
    finally:
        db.close()
    store = Store.open(path)
    try:
        stored = store.count_messages(PEER)
    finally:
        store.close()
    if stored != count:
        raise RuntimeError(f"the store holds {stored} messages, not {count}")
    return path
