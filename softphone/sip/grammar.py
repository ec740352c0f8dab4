"""Precompiled regular expressions for the RFC 3261 section 25 grammar.

Each pattern cites the ABNF rule it implements. Patterns work on ``str``
(header blocks are decoded once, as UTF-8 with ``surrogateescape`` so that
arbitrary octets survive a round trip).
"""

from __future__ import annotations

import re

__all__ = [
    "ALPHANUM",
    "CALL_ID",
    "LINE_BREAK",
    "LIST_ELEMENT",
    "METHOD",
    "PARAM",
    "QUOTED_STRING",
    "SIP_VERSION",
    "TOKEN",
    "TOKEN_CHARS",
    "UNSAFE_VALUE",
    "is_token",
    "quote",
    "unquote",
]

# token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
TOKEN_CHARS = r"A-Za-z0-9\-.!%*_+`'~"
TOKEN = re.compile(rf"[{TOKEN_CHARS}]+")
ALPHANUM = re.compile(r"[A-Za-z0-9]+")

# Method = INVITEm / ... / extension-method; extension-method = token
METHOD = TOKEN

# SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
SIP_VERSION = re.compile(r"SIP/[0-9]+\.[0-9]+")

# quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
# qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
# quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
QUOTED_STRING = re.compile(r'"(?:[^"\\\r\n]|\\[^\r\n])*"')

# callid = word [ "@" word ]; word = 1*(alphanum / "-" / "." / "!" / "%" / "*" /
#   "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE /
#   "/" / "[" / "]" / "?" / "{" / "}" )
_WORD = r"[A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}]++"
# Possessive: "@" is no word character, so no backtracking could match
# otherwise, and the engine saves no positions to try.
CALL_ID = re.compile(rf"{_WORD}(?:@{_WORD})?+")

# generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string
# (LWS is allowed around SEMI and EQUAL; host adds "[" "]" ":" for IPv6.)
PARAM = re.compile(
    rf"[ \t]*;[ \t]*([{TOKEN_CHARS}]+)"
    rf"(?:[ \t]*=[ \t]*(\"(?:[^\"\\\r\n]|\\[^\r\n])*\"|[{TOKEN_CHARS}\[\]:]+))?[ \t]*"
)

# One element of a comma-separated header list: commas inside quoted strings
# and inside <...> do not separate elements (RFC 3261 7.3.1).
LIST_ELEMENT = re.compile(r'(?:[^,"<]+|"(?:[^"\\]|\\.)*"|<[^>]*>)*', re.DOTALL)

# Anything that would let a value break out of its header line.
UNSAFE_VALUE = re.compile(r"[\r\n\x00]")

# CRLF followed by whitespace is folded LWS, equivalent to one SP (RFC 3261 7.3.1).
LINE_BREAK = re.compile(r"\r\n[ \t]+")

_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_NEEDS_ESCAPE = re.compile(r'(["\\])')


def is_token(text: str) -> bool:
    """Return whether *text* is a non-empty RFC 3261 ``token``."""
    return TOKEN.fullmatch(text) is not None


def unquote(text: str) -> str:
    """Remove the quotes and quoted-pair escapes of a ``quoted-string``."""
    inner = text[1:-1]
    if "\\" in inner:
        return _QUOTED_PAIR.sub(r"\1", inner)
    return inner


def quote(text: str) -> str:
    """Make a ``quoted-string`` of *text*, escaping ``"`` and ``\\``."""
    return '"' + _NEEDS_ESCAPE.sub(r"\\\1", text) + '"'
