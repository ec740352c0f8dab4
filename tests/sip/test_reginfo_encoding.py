"""XML behind an encoding: only UTF-8 reginfo, DOCTYPE refused after decoding, nothing loaded.

libxml2 decodes a document by its declaration, so a DOCTYPE written in UTF-7
(`+ADw-!DOCTYPE`) or UTF-16 passes a scan of the raw bytes. The external
entity in these documents names a FIFO: opening it would block the parser
for ever, so a parse that does not return in time means a file was opened
(the FIFO is then released and the test fails).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from lxml import etree

import softphone.sip.reginfo as reginfo_module
from softphone.sip.errors import ParseError
from softphone.sip.reginfo import parse_reginfo

NS = "urn:ietf:params:xml:ns:reginfo"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "trap.fifo"
    os.mkfifo(path)
    return path


def parse_in_time(fifo: Path, body: bytes) -> ParseError | object:
    """parse_reginfo(body) on a thread; fails the test if it opened *fifo*."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(parse_reginfo(body))
        except ParseError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        # Release the parser blocked in open(2) on the FIFO, then fail.
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(10)
        pytest.fail(f"the parser opened {fifo}")
    return outcome[0]


def doctype_document(fifo: Path) -> str:
    return (
        f'<!DOCTYPE reginfo [<!ENTITY x SYSTEM "file://{fifo}">]>'
        f'<reginfo xmlns="{NS}" version="0" state="full">'
        f'<registration aor="sip:a@h" id="r" state="active">&x;</registration></reginfo>'
    )


def utf7(text: str) -> bytes:
    # Python's UTF-7 leaves '<' '!' '>' as they are; write them the way an
    # attacker does so a byte scan for "<!doctype" finds nothing.
    out = text.encode("utf-7")
    return out.replace(b"<", b"+ADw-").replace(b"!", b"+ACE-").replace(b">", b"+AD4-")


def test_utf7_doctype_is_refused_without_opening_anything(fifo: Path) -> None:
    body = b'<?xml version="1.0" encoding="UTF-7"?>' + utf7(doctype_document(fifo))
    assert b"<!doctype" not in body.lower()
    error = parse_in_time(fifo, body)
    assert isinstance(error, ParseError)
    assert (error.status, error.reason) == (415, "reginfo body must be UTF-8")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_doctype_is_refused(fifo: Path, codec: str) -> None:
    body = f'<?xml version="1.0" encoding="{codec.upper()}"?>{doctype_document(fifo)}'
    error = parse_in_time(fifo, body.encode(codec))
    assert isinstance(error, ParseError) and error.status == 415


@pytest.mark.parametrize("declared", ["ISO-8859-1", "us-ascii", "EBCDIC-US"])
def test_declared_encoding_other_than_utf8_is_refused(fifo: Path, declared: str) -> None:
    body = f'<?xml version="1.0" encoding="{declared}"?><reginfo xmlns="{NS}"/>'.encode()
    error = parse_in_time(fifo, body)
    assert isinstance(error, ParseError) and error.status == 415


def test_utf8_document_with_and_without_declaration_parses() -> None:
    for prefix in (b"", b'<?xml version="1.0" encoding="UTF-8"?>', b"\xef\xbb\xbf"):
        doc = parse_reginfo(
            prefix
            + f'<reginfo xmlns="{NS}" version="3" state="full">'
            f'<registration aor="sip:지민@h" id="r" state="init"/></reginfo>'.encode()
        )
        assert doc.version == 3 and doc.registrations[0].aor == "sip:지민@h"


def test_parser_error_text_never_reaches_the_reason(fifo: Path, tmp_path: Path) -> None:
    # Whether a named file exists must not change the answer.
    exists, missing = tmp_path / "exists.xml", tmp_path / "missing.xml"
    exists.write_text("<x/>")
    reasons = set()
    for target in (exists, missing):
        body = (
            f'<reginfo xmlns="{NS}" version="0" state="full">'
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{target}"/>'
            f"<unclosed></reginfo>"
        ).encode()
        error = parse_in_time(fifo, body)
        assert isinstance(error, ParseError)
        reasons.add((error.status, error.reason))
    assert reasons == {(400, "malformed reginfo XML")}


def test_the_parser_alone_refuses_every_external_load(fifo: Path) -> None:
    # Past every check (the DOCTYPE handed to lxml directly), the resolver
    # answers the load itself: the FIFO is never opened.
    parser, _resolver = reginfo_module._make_parser()
    body = doctype_document(fifo).encode()
    done: list[object] = []
    thread = threading.Thread(
        target=lambda: done.append(etree.fromstring(body, parser)), daemon=True
    )
    thread.start()
    thread.join(10)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the parser opened the FIFO")
    assert done
