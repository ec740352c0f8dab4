"""Hostile reginfo bodies: each is refused with a 4xx ParseError, nothing leaks.

Invariant for every test here: ``parse_reginfo`` either returns a
``ReginfoDocument`` or raises ``ParseError`` with a 4xx status, and never
reads a file, a URL or a DTD.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from softphone.sip import reginfo as reginfo_module
from softphone.sip.errors import ParseError
from softphone.sip.reginfo import MAX_REGINFO_SIZE, ReginfoDocument, parse_reginfo

NS = "urn:ietf:params:xml:ns:reginfo"
SECRET = "s3cr3t-7f1c9a-must-never-leak"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def refuse(body: bytes) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_reginfo(body)
    error = info.value
    assert 400 <= error.status < 500
    assert "\r" not in error.reason and "\n" not in error.reason
    return error


def assert_no_secret(error: ParseError) -> None:
    for text in (error.reason, str(error), repr(error), repr(error.__cause__)):
        assert SECRET not in text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
 <registration aor="sip:a@x" id="&lol9;" state="active"/>
</reginfo>
"""


def xxe_body(path: Path) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE reginfo [ <!ENTITY xxe SYSTEM "file://{path}"> ]>\n'
        f'<reginfo xmlns="{NS}" version="0" state="full">'
        '<registration aor="sip:a@x" id="r" state="active">'
        '<contact id="c" state="active" event="registered"><uri>&xxe;</uri></contact>'
        "</registration></reginfo>"
    ).encode()


def test_billion_laughs_refused() -> None:
    error = refuse(BILLION_LAUGHS)
    assert error.status == 400
    assert "DOCTYPE" in error.reason


def test_external_entity_to_local_file_refused(secret_file: Path) -> None:
    error = refuse(xxe_body(secret_file))
    assert error.status == 400
    assert_no_secret(error)


def test_external_entity_in_attribute_refused(secret_file: Path) -> None:
    body = (
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret_file}">]>'
        f'<reginfo xmlns="{NS}" version="0" state="full">'
        '<registration aor="&x;" id="r" state="init"/></reginfo>'
    ).encode()
    assert_no_secret(refuse(body))


def test_external_dtd_and_parameter_entity_refused(secret_file: Path) -> None:
    body = (
        f'<!DOCTYPE reginfo SYSTEM "file://{secret_file}" [<!ENTITY % p SYSTEM '
        f'"file://{secret_file}"> %p;]><reginfo xmlns="{NS}" version="0" state="full"/>'
    ).encode()
    assert_no_secret(refuse(body))


def test_doctype_with_internal_subset_refused() -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE reginfo [<!ELEMENT reginfo ANY>'
        '<!ATTLIST reginfo version CDATA "0">]>'
        f'<reginfo xmlns="{NS}" state="full"/>'
    ).encode()
    error = refuse(body)
    assert (error.status, error.reason) == (400, "reginfo document with a DOCTYPE refused")


@pytest.mark.parametrize("spelling", [b"<!doctype", b"<!DocType", b"<!DOCTYPE"])
def test_doctype_spelling_does_not_matter(spelling: bytes) -> None:
    body = spelling + f' reginfo><reginfo xmlns="{NS}" version="0" state="full"/>'.encode()
    assert refuse(body).status == 400


def test_utf16_document_cannot_smuggle_a_doctype(secret_file: Path) -> None:
    body = xxe_body(secret_file).decode().replace('<?xml version="1.0"?>', "")
    encoded = ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16")
    error = refuse(encoded)
    assert error.status == 415
    assert_no_secret(error)


def test_ten_megabyte_body_refused_with_413() -> None:
    filler = b"<!-- " + b"x" * (10 * 1024 * 1024) + b" -->"
    body = f'<reginfo xmlns="{NS}" version="0" state="full">'.encode() + filler + b"</reginfo>"
    error = refuse(body)
    assert error.status == 413
    assert str(MAX_REGINFO_SIZE) in error.reason


def test_body_just_under_the_limit_is_parsed() -> None:
    head = f'<reginfo xmlns="{NS}" version="4" state="full">'.encode()
    tail = b"</reginfo>"
    padding = b" " * (MAX_REGINFO_SIZE - len(head) - len(tail))
    parsed = parse_reginfo(head + padding + tail)
    assert parsed.version == 4


@pytest.mark.parametrize(
    "body",
    [
        b"<reginfo",
        b'<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">',
        b"<reginfo></registration>",
        b"not xml at all",
        b"   ",
        b"",
        b'<?xml version="1.0" encoding="x-no-such-charset"?><reginfo version="0" state="full"/>',
        b'<reginfo version="0" state="full">&undefined;</reginfo>',
        b"\xff\xfe\xfd",
        b'<reginfo version="0" state="full"/><second/>',
    ],
)
def test_broken_xml_is_400(body: bytes) -> None:
    assert refuse(body).status in (400, 415)


def test_xinclude_is_never_processed(secret_file: Path) -> None:
    body = (
        f'<reginfo xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude" '
        'version="0" state="full"><registration aor="sip:a@x" id="r" state="active">'
        '<contact id="c" state="active" event="registered">'
        f'<uri>sip:a@h<xi:include href="{secret_file}" parse="text"/></uri>'
        "</contact></registration></reginfo>"
    ).encode()
    parsed = parse_reginfo(body)
    assert SECRET not in repr(parsed)
    assert parsed.registrations[0].contacts[0].uri == "sip:a@h"


def test_deep_nesting_does_not_crash() -> None:
    depth = 5000
    body = (
        f'<reginfo xmlns="{NS}" version="0" state="full">'.encode()
        + b"<x>" * depth
        + b"</x>" * depth
        + b"</reginfo>"
    )
    # Without huge_tree libxml2 refuses documents deeper than 256 levels.
    error = refuse(body)
    assert error.status == 400
    # The parser's message ("excessive depth ...") stays here, not on the wire.
    assert error.reason == "malformed reginfo XML"


def test_hardened_parser_alone_does_not_resolve_external_entities(secret_file: Path) -> None:
    # Defence in depth: even if the DOCTYPE pre-check were bypassed, the
    # parser the module builds must not read the file.
    parser, _resolver = reginfo_module._make_parser()
    try:
        root = etree.fromstring(xxe_body(secret_file), parser)
    except etree.XMLSyntaxError as exc:
        assert SECRET not in str(exc)
    else:
        assert SECRET not in etree.tostring(root).decode()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_fuzz_bytes_only_parse_error(data: bytes) -> None:
    try:
        result = parse_reginfo(data)
    except ParseError as error:
        assert 400 <= error.status < 500
    else:
        assert isinstance(result, ReginfoDocument)


_attr = st.sampled_from(["0", "1", "-1", "x", "", "active", "full", "partial", "init", "99999"])


@settings(max_examples=150, deadline=None)
@given(
    version=_attr,
    state=_attr,
    reg_state=_attr,
    contact_state=_attr,
    event=_attr,
    expires=_attr,
)
def test_fuzz_structured_only_parse_error(
    version: str, state: str, reg_state: str, contact_state: str, event: str, expires: str
) -> None:
    body = (
        f'<reginfo xmlns="{NS}" version="{version}" state="{state}">'
        f'<registration aor="sip:a@x" id="r" state="{reg_state}">'
        f'<contact id="c" state="{contact_state}" event="{event}" expires="{expires}">'
        "<uri>sip:a@h</uri></contact></registration></reginfo>"
    ).encode()
    try:
        result = parse_reginfo(body)
    except ParseError as error:
        assert error.status == 400
    else:
        assert result.version == int(version)
        assert result.state.value == state


GOOD = (
    f'<reginfo xmlns="{NS}" version="3" state="full">'
    '<registration aor="sip:a@x" id="r" state="active">'
    '<contact id="c" state="active" event="registered"><uri>sip:a@h</uri></contact>'
    "</registration></reginfo>"
).encode()


def test_the_reused_parser_refuses_each_hostile_document_and_no_good_one(
    secret_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parsers are reused from one document to the next. With the DOCTYPE
    # pre-check out of the way, the parser's own guards (the DOCTYPE seen in
    # the tree, the resolver's record of external loads) must refuse every
    # hostile document, and a refusal must not stick to the next good one.
    monkeypatch.setattr(reginfo_module, "_check_raw", lambda body: None)
    external = (
        f'<!DOCTYPE reginfo SYSTEM "file://{secret_file}" [<!ENTITY % p SYSTEM '
        f'"file://{secret_file}"> %p;]><reginfo xmlns="{NS}" version="0" state="full"/>'
    ).encode()
    for _ in range(3):
        for hostile in (xxe_body(secret_file), BILLION_LAUGHS, external):
            assert_no_secret(refuse(hostile))
        parsed = parse_reginfo(GOOD)
        assert parsed.version == 3
        assert parsed.registrations[0].contacts[0].uri == "sip:a@h"
