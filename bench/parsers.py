"""Parser throughput: ours against pyVoIP, sippy and a bare CRLF split.

Every parser gets the same bytes and must leave every header in its parsed
form. What each one does, exactly:

- softphone: `parse(data)` validates the start line, every header line and
  Content-Length; then every typed view is read (Via list, From/To/Contact
  name-addrs with their SIP URIs, CSeq, Content-Type, Event,
  Subscription-State, Allow, Supported, digest challenges and credentials,
  Expires, Max-Forwards ...).
- sippy 2.5.0: `SipRequest(buf=text)` / `SipResponse(buf=text)` split the
  headers and check the body length; then `getBody()` on every header parses
  its body (Via, From/To/Contact with `SipURL`, CSeq, Authorization,
  WWW-Authenticate, Allow, Supported, Expires; Event and Subscription-State
  stay generic strings). sippy decodes UTF-8 and compares Content-Length with
  the *character* count, so it rejects the Korean MESSAGE as "Truncated SIP
  body"; the adapter decodes Latin-1 (one character per byte) so the message
  parses and the work is the same.
- pyVoIP 1.6.8: `SIPMessage(data)` parses eagerly: Via into dicts, From/To
  split into user/host/tag (no URI parameters), CSeq, Allow/Supported split
  on ", ", the first Authorization/WWW-Authenticate into a dict; Contact,
  Event and the rest stay strings, and only the first of repeated headers is
  kept. It accepts only INVITE, ACK, BYE and CANCEL, so the adapter adds
  MESSAGE, REGISTER, SUBSCRIBE and NOTIFY to `pyVoIP.SIPCompatibleMethods`.
  Its body parser splits lines on "=" and raises IndexError on a text body
  without one (the Korean MESSAGE) after every header was parsed; the
  adapter counts that as done.
- floor: split head and body on CRLFCRLF, lines on CRLF, each line once on
  ":". No validation and no header body parsed: the least any parser does.

A parser's ratio is the median of ours ÷ its rate taken round by round
(each round runs every parser once, seconds apart): on a shared machine
whose speed moves by half between rounds, the ratio of two medians would
compare rates taken at different speeds.

Two corpora (bench.parse_corpus): the six messages repeated as they are,
and the same six with fresh branches, tags, Call-IDs, CSeqs, nonces and
digest responses in every round. Ours remembers the values a peer repeats
(softphone.sip.recent), so only the second says what a live account gets.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from bench.parse_corpus import REALISTIC, fresh_traffic, full_parse, lenient_parse, rfc4475_valid
from bench.table import Row

Parser = Callable[[bytes], object]


@dataclass(frozen=True)
class Subject:
    """One parser under test; `parse` is None when its package is missing."""

    name: str
    parse: Parser | None
    note: str = ""


def split_floor(data: bytes) -> object:
    """The floor: split on CRLF and ':' and nothing else."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return lines[0], [line.split(b":", 1) for line in lines[1:]], body


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def sippy_subject() -> Subject:
    """sippy's parser with every header body parsed, or a missing-peer row."""
    version = _version("sippy")
    try:
        from sippy.SipRequest import SipRequest  # type: ignore[import-not-found]
        from sippy.SipResponse import SipResponse  # type: ignore[import-not-found]
    except ImportError:
        return Subject("sippy", None, "peer not installed")

    def parse(data: bytes) -> object:
        text = data.decode("latin-1")
        message: Any = SipResponse(buf=text) if text.startswith("SIP/") else SipRequest(buf=text)
        for header in message.headers:
            header.getBody()
        return message

    return Subject(f"sippy {version}", parse, "getBody() on every header; Latin-1 decode")


def pyvoip_subject() -> Subject:
    """pyVoIP's eager parser, or a missing-peer row."""
    version = _version("pyVoIP")
    try:
        import pyVoIP  # type: ignore[import-not-found]

        # pyVoIP.SIP and pyVoIP.VoIP import each other; VoIP must load first.
        import pyVoIP.VoIP  # type: ignore[import-not-found]
        from pyVoIP.SIP import SIPMessage  # type: ignore[import-not-found]
    except ImportError:
        return Subject("pyVoIP", None, "peer not installed")
    for method in ("MESSAGE", "REGISTER", "SUBSCRIBE", "NOTIFY"):
        if method not in pyVoIP.SIPCompatibleMethods:
            pyVoIP.SIPCompatibleMethods.append(method)

    def parse(data: bytes) -> object:
        try:
            return SIPMessage(data)
        except IndexError:
            # Raised by its body parser after all headers were parsed.
            return None

    return Subject(
        f"pyVoIP {version}", parse, "eager; methods list extended; Korean body raises IndexError"
    )


def subjects() -> list[Subject]:
    """Ours, the peers (installed or not) and the floor, in table order."""
    return [
        Subject("softphone", full_parse, "parse() + every typed view"),
        sippy_subject(),
        pyvoip_subject(),
        Subject("split on CRLF (floor)", split_floor, "no validation, no header bodies"),
    ]


def rate(parse: Parser, messages: Sequence[bytes], seconds: float) -> float:
    """Messages parsed per second, looping over `messages` for about `seconds`."""
    count = 0
    start = time.perf_counter()
    while True:
        for data in messages:
            parse(data)
        count += len(messages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def measure_rounds(
    parsers: dict[str, Parser], messages: Sequence[bytes], *, repeats: int, seconds: float
) -> dict[str, list[float]]:
    """Each parser's rate in each of `repeats` rounds.

    A round runs every parser once, one after another, so a shift in the
    machine's speed (load, a shared host) hits all of them alike.
    """
    rates: dict[str, list[float]] = {name: [] for name in parsers}
    for _ in range(repeats):
        for name, parse in parsers.items():
            rates[name].append(rate(parse, messages, seconds))
    return rates


def measure(
    parsers: dict[str, Parser], messages: Sequence[bytes], *, repeats: int, seconds: float
) -> dict[str, float]:
    """Median rate of each parser over interleaved rounds (see measure_rounds)."""
    rounds = measure_rounds(parsers, messages, repeats=repeats, seconds=seconds)
    return {name: statistics.median(values) for name, values in rounds.items()}


def round_ratios(ours: Sequence[float], theirs: Sequence[float]) -> list[float]:
    """Ours ÷ theirs within each round: the two rates were taken seconds apart,
    so the machine's speed, which may move by half between rounds, cancels."""
    return [mine / other for mine, other in zip(ours, theirs, strict=True)]


#: Rounds of fresh_traffic() in the fresh-values corpus (six messages each).
FRESH_ROUNDS = 200


def _peer_rows(
    benchmark: str, corpus: list[bytes], detail: str, *, repeats: int, seconds: float
) -> list[Row]:
    every = subjects()
    for data in corpus:  # fail loudly before timing anything
        full_parse(data)
    for subject in every:
        if subject.parse is not None:
            for data in corpus:
                subject.parse(data)
    present = {s.name: s.parse for s in every if s.parse is not None}
    rounds = measure_rounds(present, corpus, repeats=repeats, seconds=seconds)
    ours = rounds["softphone"]
    rows: list[Row] = []
    for subject in every:
        theirs = rounds.get(subject.name)
        if theirs is None:
            rows.append(Row(benchmark, subject.name, None, "msg/s", detail, None, subject.note))
            continue
        value = statistics.median(theirs)
        if subject.name == "softphone":
            rows.append(Row(benchmark, subject.name, value, "msg/s", detail, None, subject.note))
            continue
        ratios = round_ratios(ours, theirs)
        spread = f"{detail}; ratio by round {min(ratios):.2f}x–{max(ratios):.2f}x"
        ratio = statistics.median(ratios)
        rows.append(Row(benchmark, subject.name, value, "msg/s", spread, ratio, subject.note))
    return rows


def run(*, repeats: int, seconds: float) -> list[Row]:
    """The parser rows of the table.

    The same six messages twice: repeated as they are, and with the values
    each request, dialog or challenge makes new (branch, tags, Call-ID,
    CSeq, nonce, digest response) fresh in every round, as a live account
    sees them. The second is the fair one for a parser that remembers the
    values a peer repeats (softphone.sip.recent): there only what really
    repeats (URIs, sent-by, Content-Type, Event) is seen again.

    Raises:
        softphone.sip.ParseError: a corpus message no longer parses (ours).
    """
    rows = _peer_rows(
        "parse: messenger traffic",
        REALISTIC,
        f"{len(REALISTIC)} messages, median of {repeats}",
        repeats=repeats,
        seconds=seconds,
    )
    fresh = fresh_traffic(FRESH_ROUNDS)
    rows += _peer_rows(
        "parse: fresh tags, branches, Call-IDs",
        fresh,
        f"{len(fresh):,} messages, median of {repeats}",
        repeats=repeats,
        seconds=seconds,
    )
    torture = rfc4475_valid()
    tortured = measure({"softphone": lenient_parse}, torture, repeats=repeats, seconds=seconds)
    rows.append(
        Row(
            "parse: RFC 4475 valid set",
            "softphone",
            tortured["softphone"],
            "msg/s",
            f"{len(torture)} messages, median of {repeats}",
            None,
            "ours only: peers reject many",
        )
    )
    return rows
