"""Message bodies on the wire: Content-Encoding (RFC 3261 20.12) with a cap.

A compressed body is inflated with a hard limit on the output, so a few
hundred bytes of deflate that would expand to gigabytes (a "zip bomb") cost
at most `MAX_DECODED_SIZE` bytes of memory and are refused.
"""

from __future__ import annotations

import zlib

from softphone.sip.errors import ParseError

__all__ = ["ACCEPTED_ENCODINGS", "MAX_DECODED_SIZE", "decode_content"]

#: The largest body we accept once decompressed: far above any chat
#: message (RFC 3428 5 keeps MESSAGE bodies near 1300 bytes over UDP).
MAX_DECODED_SIZE = 64 * 1024

#: Content codings we can decode, as an Accept-Encoding header lists them.
ACCEPTED_ENCODINGS = ("identity", "deflate", "gzip")

# zlib's wbits: 15 plus 32 accepts a zlib or a gzip header; -15 is raw
# deflate, which some clients send for "deflate" although RFC 9110 8.4.1.2
# says zlib format.
_ZLIB_OR_GZIP = 15 + 32
_RAW_DEFLATE = -15


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    # max_length bounds the output of this one call: the input is never
    # expanded further than limit + 1 bytes, whatever its ratio.
    out = inflater.decompress(body, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ParseError(f"compressed body expands to more than {limit // 1024} KiB", status=413)
    if not inflater.eof:
        raise zlib.error("truncated stream")
    return out


def decode_content(body: bytes, encoding: str | None, *, limit: int = MAX_DECODED_SIZE) -> bytes:
    """Undo the Content-Encoding of *body* (a header value, or None).

    Codings are applied in the order listed, so they are undone from the
    last (RFC 9110 8.4). Names are case-insensitive; "x-gzip" is gzip.

    Raises:
        ParseError: 415 for a coding we do not know (the answer carries
            Accept-Encoding, RFC 3261 21.4.13); 413 when the result would
            exceed *limit* bytes; 400 when the data is not what the coding
            says.
    """
    if encoding is None:
        return body
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in ("deflate", "gzip", "x-gzip"):
            raise ParseError(f"unsupported Content-Encoding {coding[:40]!r}", status=415)
        try:
            body = _inflate(body, _ZLIB_OR_GZIP, limit)
        except zlib.error:
            if coding != "deflate":
                raise ParseError("body is not valid gzip data", status=400) from None
            try:
                body = _inflate(body, _RAW_DEFLATE, limit)
            except zlib.error:
                raise ParseError("body is not valid deflate data", status=400) from None
    if len(body) > limit:
        raise ParseError(f"body larger than {limit // 1024} KiB", status=413)
    return body
