"""The usual-shape readers added for speed give what the general grammar gives.

Each test writes values in the shape a fast path reads and checks the result
against the step-by-step reader of the same grammar, which is the reference
(and gives every error).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.parse_corpus import REALISTIC
from softphone.sip import parse, parse_challenges, parse_credentials
from softphone.sip.auth import _scan_auth_line

SETTINGS = settings(max_examples=300, deadline=None)
TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=8)
# A quoted value without escapes: anything but DQUOTE, backslash, CR and LF,
# commas, "=", spaces and UTF-8 included.
quoted = st.text(
    st.characters(blacklist_characters='"\\\r\n', blacklist_categories=("Cs",)), max_size=12
).map(lambda text: f'"{text}"')
# A bare value: anything but whitespace, comma and DQUOTE ("=" and ":" too).
bare = st.text(TOKEN_CHARS + "=:@;/?<>[]", min_size=1, max_size=12)
params = st.lists(st.tuples(tokens, st.one_of(quoted, bare)), min_size=1, max_size=10)
separators = st.sampled_from([",", ", "])


@SETTINGS
@given(tokens, params, st.data())
def test_usual_digest_values_read_as_the_general_reader_reads_them(
    scheme: str, pairs: list[tuple[str, str]], data: st.DataObject
) -> None:
    text = scheme + " "
    for index, (name, value) in enumerate(pairs):
        if index:
            text += data.draw(separators)
        text += f"{name}={value}"
    ((expected_scheme, expected_params),) = _scan_auth_line(text)
    credentials = parse_credentials(text)
    assert (credentials.scheme, credentials.params) == (expected_scheme, expected_params)
    (challenge,) = parse_challenges([text])
    assert (challenge.scheme, challenge.params) == (expected_scheme, expected_params)


def test_usual_digest_values_drop_quotes_and_keep_empty_values() -> None:
    text = 'Digest realm="a, b=c", opaque="", nonce=n=1,qop="auth,auth-int"'
    assert parse_credentials(text).params == (
        ("realm", "a, b=c"),
        ("opaque", ""),
        ("nonce", "n=1"),
        ("qop", "auth,auth-int"),
    )


def test_absent_list_views_are_fresh_lists_per_message() -> None:
    first, second = parse(REALISTIC[0]), parse(REALISTIC[1])
    first.allow.append("MESSAGE")
    first.contact.append(first.contact)
    assert second.allow == [] and second.contact == []
    assert parse(REALISTIC[0]).allow == []
