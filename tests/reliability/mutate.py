"""Byte-level mutations of real messages, shared by the fuzzers."""

from __future__ import annotations

import random

#: Bytes that break SIP framing or header boundaries when they land anywhere.
INTERESTING = (
    b"\r\n",
    b"\r",
    b"\n",
    b"\x00",
    b"\r\n\r\n",
    b";",
    b",",
    b":",
    b'"',
    b"<",
    b">",
    b"%00",
    b"\xff\xfe",
    b"Content-Length: 99999999\r\n",
    b"Content-Length: -1\r\n",
    b"Via: SIP/2.0/UDP x;branch=z9hG4bK1\r\n",
    b"To: <sip:bob@example.test>;tag=x\r\n",
    b'<!DOCTYPE r [<!ENTITY a "aaaa">]>',
    b"\xc3\x28",
    b" " * 64,
)


def mutate(seed: bytes, rng: random.Random, rounds: int) -> bytes:
    """Apply *rounds* random edits (flip, insert, delete, repeat, splice) to *seed*."""
    data = bytearray(seed)
    for _ in range(rounds):
        op = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[at:at] = rng.choice(INTERESTING)
        elif op == 2:
            del data[at : at + rng.randrange(1, 32)]
        elif op == 3 and data:
            start = rng.randrange(len(data))
            chunk = data[start : start + rng.randrange(1, 64)]
            data[at:at] = chunk * rng.randrange(1, 8)
        elif op == 4:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        else:
            # Swap two lines: headers out of order, body above headers.
            lines = bytes(data).split(b"\r\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\r\n".join(lines))
    return bytes(data)
