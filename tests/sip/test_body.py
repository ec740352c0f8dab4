"""Content-Encoding with a hard cap: a deflate bomb costs nothing."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from softphone.sip.body import MAX_DECODED_SIZE, decode_content
from softphone.sip.errors import ParseError


def test_identity_and_none() -> None:
    assert decode_content(b"abc", None) == b"abc"
    assert decode_content(b"abc", "identity") == b"abc"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("deflate", zlib.compress),
        ("DEFLATE", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, as some clients send
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
    ],
)
def test_decodes(encoding: str, compress: object) -> None:
    text = "안녕하세요! 밥".encode() * 10
    assert decode_content(compress(text), encoding) == text  # type: ignore[operator]


def test_layered_codings_are_undone_last_first() -> None:
    data = gzip.compress(zlib.compress(b"hello"))
    assert decode_content(data, "deflate, gzip") == b"hello"


def test_deflate_bomb_is_refused_without_expanding_it() -> None:
    # 1 GiB of zeros compresses to about 1 MB; ten MB is enough to show it.
    bomb = zlib.compress(b"\0" * (10 * 1024 * 1024), 9)
    assert len(bomb) < 20_000
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as info:
            decode_content(bomb, "deflate")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (info.value.status, info.value.reason) == (
        413,
        "compressed body expands to more than 64 KiB",
    )
    # It never expanded beyond the cap (plus the bookkeeping).
    assert peak < 4 * MAX_DECODED_SIZE


def test_exactly_the_cap_is_accepted() -> None:
    data = b"a" * MAX_DECODED_SIZE
    assert decode_content(zlib.compress(data), "deflate") == data
    with pytest.raises(ParseError):
        decode_content(zlib.compress(data + b"a"), "deflate")


def test_uncompressed_over_the_cap() -> None:
    with pytest.raises(ParseError) as info:
        decode_content(b"a" * (MAX_DECODED_SIZE + 1), "identity")
    assert info.value.status == 413


@pytest.mark.parametrize(
    ("data", "encoding", "status"),
    [
        (b"abc", "br", 415),
        (b"not deflate", "deflate", 400),
        (b"not gzip", "gzip", 400),
        (zlib.compress(b"hello")[:-6], "deflate", 400),  # truncated
    ],
)
def test_bad_input(data: bytes, encoding: str, status: int) -> None:
    with pytest.raises(ParseError) as info:
        decode_content(data, encoding)
    assert info.value.status == status
