"""A real dnsmasq on a free loopback port, serving records given on its command line.

Every query dnsmasq receives is written to a log file; `queries()` reads it
back as (type, name) pairs so tests can see exactly what the resolver asked.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

# Debian installs it in /usr/sbin, which is not on every user's PATH.
DNSMASQ = shutil.which("dnsmasq", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))

#: The name asked to see that dnsmasq is up; not reported by `queries()`.
_PROBE = "ready.probe.test"

_QUERY = re.compile(r"query\[(?P<type>[A-Z0-9]+)\] (?P<name>\S+) from")


def require_dnsmasq() -> str:
    """The dnsmasq binary; skip without it, but fail under CI=true."""
    if DNSMASQ is None:
        reason = "dnsmasq is not installed (Debian package dnsmasq-base)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return DNSMASQ


def _free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port
    raise RuntimeError("no free port for dnsmasq")


class Dnsmasq:
    """One dnsmasq process, authoritative for `*.test` (`--local=/test/`).

    Names under `.test` that have no record get NXDOMAIN or an empty
    answer; other names get REFUSED (there is no upstream server).
    """

    def __init__(self, tmp: Path, records: Sequence[str], *, ttl: int = 60) -> None:
        self.binary = require_dnsmasq()
        self.tmp = tmp
        self.records = list(records)
        self.ttl = ttl
        self.log_path = tmp / "dnsmasq.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._mark = 0

    @property
    def nameserver(self) -> str:
        """`127.0.0.1:PORT`, as `Resolver(nameserver=...)` takes it."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start dnsmasq and wait until it answers.

        Raises:
            RuntimeError: it did not start (after a few tries on new ports).
        """
        for _ in range(5):
            self.port = _free_port()
            command = [
                self.binary,
                "--keep-in-foreground",
                f"--port={self.port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                f"--pid-file={self.tmp / 'dnsmasq.pid'}",
                "--local=/test/",
                f"--local-ttl={self.ttl}",
                "--log-queries",
                f"--log-facility={self.log_path}",
                f"--host-record={_PROBE},127.0.0.9",
                *self.records,
            ]
            if os.geteuid() == 0:
                # dnsmasq drops to "nobody" by default, which cannot write the log in tmp.
                command += ["--user=root", "--group=root"]
            self._process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            if self._wait_ready():
                self.mark()
                return
            self.stop()
        raise RuntimeError(f"dnsmasq did not start: {self._stderr()}")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        assert self._process is not None
        query = dns.message.make_query(_PROBE, "A")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False  # e.g. the port was taken meanwhile
            try:
                answer = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
            except (dns.exception.Timeout, OSError):
                time.sleep(0.05)
                continue
            return answer.rcode() == dns.rcode.NOERROR
        return False

    def _stderr(self) -> str:
        if self._process is None or self._process.stderr is None:
            return ""
        if self._process.poll() is None:
            return ""
        return self._process.stderr.read().decode(errors="replace").strip()

    def stop(self) -> None:
        """Terminate dnsmasq (it is our child; nothing else is touched)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None

    def _all_queries(self) -> list[tuple[str, str]]:
        if not self.log_path.exists():
            return []
        text = self.log_path.read_text(errors="replace")
        found = [(m["type"], m["name"]) for m in _QUERY.finditer(text)]
        return [q for q in found if q[1] != _PROBE]

    def mark(self) -> None:
        """Forget the queries seen so far: `queries()` starts from here."""
        self._mark = len(self._all_queries())

    def queries(self, *, settle: float = 0.2) -> list[tuple[str, str]]:
        """(type, name) of each query since the last `mark()`, in arrival order.

        dnsmasq may write its log a little after answering; the log is
        re-read until two reads *settle*/4 seconds apart agree.
        """
        previous: list[tuple[str, str]] | None = None
        polls = 0
        while polls < 20:
            current = self._all_queries()[self._mark :]
            if current == previous:
                break
            previous = current
            polls += 1
            time.sleep(settle / 4)
        return previous or []
