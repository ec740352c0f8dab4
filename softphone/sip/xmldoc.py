"""Hostile-safe XML reading for the small documents MESSAGE bodies carry.

The same rules as `softphone.sip.reginfo`: parsed from memory with entity
resolution, DTD loading and network access off; a DOCTYPE (the door to
entity expansion and external entities) refused before lxml sees the
document; UTF-8 only; a size cap checked before parsing.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

from softphone.sip.errors import ParseError

__all__ = ["local_name", "parse_document"]

_MAX_DETAIL = 80
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']")


def _make_parser() -> etree.XMLParser:
    # Every safety-relevant option is spelled out: lxml's own default for
    # resolve_entities is True, which is what XXE attacks rely on.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
        collect_ids=False,
    )


def parse_document(body: bytes, *, what: str, max_size: int) -> etree._Element:
    """The root element of the XML document *body*.

    *what* names the document in error sentences ("IMDN").

    Raises:
        ParseError: 413 over *max_size* bytes; 415 when it is not UTF-8;
            400 for a DOCTYPE or XML that is not well-formed.
    """
    if len(body) > max_size:
        raise ParseError(f"{what} document larger than {max_size // 1024} KiB", status=413)
    declared = _DECLARED_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise ParseError(f"{what} document must be UTF-8", status=415)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{what} document must be UTF-8", status=415) from None
    if b"\x00" in body:
        raise ParseError(f"{what} document must be UTF-8", status=415)
    if b"<!doctype" in body.lower():
        raise ParseError(f"{what} document with a DOCTYPE refused", status=400)
    try:
        root = etree.fromstring(body, _make_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:_MAX_DETAIL]
        raise ParseError(f"malformed {what} XML: {detail}", status=400) from None
    if root.getroottree().docinfo.doctype:  # belt and braces
        raise ParseError(f"{what} document with a DOCTYPE refused", status=400)
    return root


def local_name(element: etree._Element) -> tuple[str | None, str | None]:
    """(namespace, local name) of an element; (None, None) for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return None, None
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag
