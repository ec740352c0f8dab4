"""TLS contexts: certificates verified by default (RFC 5630, RFC 5922)."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_context(*, verify: bool = True, ca_file: Path | str | None = None) -> ssl.SSLContext:
    """A client context that checks the server's certificate and host name.

    Verification is on unless the caller turns it off on purpose (a test
    against a self-signed server, or a user who said so in the settings).
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def server_context(cert_file: Path | str, key_file: Path | str) -> ssl.SSLContext:
    """A server context for the embedded registrar or a test peer."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
