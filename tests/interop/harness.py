"""Real SIP peers on loopback for interop tests: Kamailio and SIPp.

`start_kamailio()` runs Kamailio 5.6 in the foreground with
`tests/interop/kamailio/kamailio.cfg` in a temporary directory: registrar with
digest auth, proxy, reg-event notifier (RFC 3680) and msilo offline store.
`run_sipp()` / `start_sipp()` run SIPp scenarios from `tests/interop/sipp/`
and parse SIPp's message log, so tests can assert on the exact SIP traffic.

Every wait has a deadline and every child process is killed by `stop()`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
KAMAILIO_CFG = HERE / "kamailio" / "kamailio.cfg"
SIPP_DIR = HERE / "sipp"
DOMAIN = "example.test"

_MODULE_DIRS = (
    "/usr/lib/x86_64-linux-gnu/kamailio/modules",
    "/usr/lib/aarch64-linux-gnu/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/local/lib64/kamailio/modules",
    "/usr/local/lib/kamailio/modules",
)
_DBTEXT_SCHEMA_DIRS = (
    "/usr/share/kamailio/dbtext/kamailio",
    "/usr/local/share/kamailio/dbtext/kamailio",
)
# Table headers of Kamailio 5.6 (db_text), used when the distribution's
# schema directory is missing. Only the tables this config touches.
_DBTEXT_FALLBACK = {
    "version": "id(int,auto) table_name(string) table_version(int) \n"
    "0:version:1\n0:subscriber:7\n0:location:9\n0:presentity:5\n"
    "0:active_watchers:12\n0:watchers:3\n0:xcap:4\n0:pua:7\n0:silo:8\n",
    "subscriber": "id(int,auto) username(string) domain(string) password(string) "
    "ha1(string) ha1b(string) \n",
    "location": "id(int,auto) ruid(string) username(string) domain(string,null) "
    "contact(string) received(string,null) path(string,null) expires(int) q(double) "
    "callid(string) cseq(int) last_modified(int) flags(int) cflags(int) "
    "user_agent(string) socket(string,null) methods(int,null) instance(string,null) "
    "reg_id(int) server_id(int) connection_id(int) keepalive(int) partition(int) \n",
    "presentity": "id(int,auto) username(string) domain(string) event(string) "
    "etag(string) expires(int) received_time(int) body(string) sender(string) "
    "priority(int) ruid(string,null) \n",
    "active_watchers": "id(int,auto) presentity_uri(string) watcher_username(string) "
    "watcher_domain(string) to_user(string) to_domain(string) event(string) "
    "event_id(string,null) to_tag(string) from_tag(string) callid(string) "
    "local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) "
    "expires(int) status(int) reason(string,null) version(int) socket_info(string) "
    "local_contact(string) from_user(string) from_domain(string) updated(int) "
    "updated_winfo(int) flags(int) user_agent(string,null) \n",
    "watchers": "id(int,auto) presentity_uri(string) watcher_username(string) "
    "watcher_domain(string) event(string) status(int) reason(string,null) "
    "inserted_time(int) \n",
    "xcap": "id(int,auto) username(string) domain(string) doc(string) doc_type(int) "
    "etag(string) source(int) doc_uri(string) port(int) \n",
    "pua": "id(int,auto) pres_uri(string) pres_id(string) event(int) expires(int) "
    "desired_expires(int) flag(int) etag(string) tuple_id(string,null) "
    "watcher_uri(string) call_id(string) to_tag(string) from_tag(string) cseq(int) "
    "record_route(string,null) contact(string) remote_contact(string) version(int) "
    "extra_headers(string) \n",
    "silo": "id(int,auto) src_addr(string) dst_addr(string) username(string) "
    "domain(string) inc_time(int) exp_time(int) snd_time(int) ctype(string) "
    "body(string,null) extra_hdrs(string,null) callid(string) status(int) \n",
}
_USER_RE = re.compile(r"[A-Za-z0-9._~-]+")


class HarnessError(RuntimeError):
    """A peer could not be started, did not answer in time, or misbehaved."""


# ---------------------------------------------------------------- binaries


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _requires(binary: str) -> pytest.MarkDecorator:
    # Under CI a missing peer is a broken CI image, never a silent skip.
    missing = shutil.which(binary) is None
    return pytest.mark.skipif(
        missing and not _in_ci(),
        reason=f"{binary} is not installed (apt-get install "
        f"{'kamailio kamailio-presence-modules' if binary == 'kamailio' else 'sip-tester'})",
    )


requires_kamailio = _requires("kamailio")
requires_sipp = _requires("sipp")


_PACKAGES = {"kamailio": "kamailio kamailio-presence-modules", "sipp": "sip-tester"}


def require_binary(name: str) -> str:
    """The path of peer binary *name*, for a fixture or a test about to start it.

    Without it the test is skipped with the package to install; under
    CI=true it fails instead, since a CI image without its peers would
    otherwise pass by running nothing.
    """
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (apt-get install {_PACKAGES.get(name, name)})"
        if _in_ci():
            pytest.fail(f"{reason}; CI=true needs every peer")
        pytest.skip(reason)
    return path


def find_binary(name: str) -> str:
    """Return the path of `name` on PATH.

    Raises:
        HarnessError: it is not installed (fails the test under CI=true too).
    """
    path = shutil.which(name)
    if path is None:
        raise HarnessError(f"{name} is not installed")
    return path


def find_module_dir() -> str:
    """Return Kamailio's module directory (the one holding `tm.so`).

    Raises:
        HarnessError: no directory with the modules was found.
    """
    candidates: list[str] = []
    kamailio = shutil.which("kamailio")
    if kamailio is not None:
        out = subprocess.run(
            [kamailio, "-I"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
        m = re.search(r"Default paths to modules:\s*(\S+)", out)
        if m:
            candidates.extend(m.group(1).split(":"))
    candidates.extend(_MODULE_DIRS)
    for directory in candidates:
        if (Path(directory) / "tm.so").is_file():
            return directory
    raise HarnessError(f"no Kamailio module directory among {candidates}")


# ------------------------------------------------------------ free ports


def free_port(host: str = "127.0.0.1", *, also: Sequence[str] = ()) -> int:
    """Return a port that is free for both UDP and TCP on `host` (and `also`).

    The OS picks a TCP port with bind(0); the same number is then tried on
    UDP and on the extra hosts. The port is released before returning, so a
    small race remains; callers retry on a bind failure.

    Raises:
        HarnessError: no common free port was found after 50 attempts.
    """
    for _ in range(50):
        with socket.socket(_family(host), socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port: int = tcp.getsockname()[1]
        if all(_port_free(h, port) for h in (host, *also)):
            return port
    raise HarnessError("no free UDP+TCP port found")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _port_free(host: str, port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(_family(host), kind) as s:
            try:
                s.bind((host, port))
            except OSError:
                return False
    return True


# ---------------------------------------------------------------- Kamailio


def _dbtext_escape(value: str) -> str:
    # db_text separates columns with ':' and rows with newlines.
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("\n", "\\n").replace("\r", "\\r")


def write_dbtext(directory: Path, users: Mapping[str, str], domain: str = DOMAIN) -> None:
    """Write the db_text tables Kamailio needs, with `users` as subscribers.

    Raises:
        ValueError: a user name is not a plain SIP user token.
    """
    directory.mkdir(parents=True, exist_ok=True)
    schema = next((Path(d) for d in _DBTEXT_SCHEMA_DIRS if Path(d, "version").is_file()), None)
    for table, fallback in _DBTEXT_FALLBACK.items():
        source = schema / table if schema is not None else None
        text = source.read_text() if source is not None and source.is_file() else fallback
        if table == "silo":
            # msilo 5.6 inserts rows without callid and status, which
            # db_text's NOT NULL check refuses (m_store then fails: 500).
            text = text.replace("callid(string)", "callid(string,null)", 1)
            text = text.replace("status(int)", "status(int,null)", 1)
        (directory / table).write_text(text)
    rows = []
    for number, (user, password) in enumerate(users.items(), start=1):
        if not _USER_RE.fullmatch(user):
            raise ValueError(f"user name {user!r} is not a plain SIP user token")
        # ha1/ha1b are NOT NULL in the schema but unused (calculate_ha1).
        rows.append(f"{number}:{user}:{domain}:{_dbtext_escape(password)}:-:-\n")
    with (directory / "subscriber").open("a") as f:
        f.writelines(rows)


@dataclass
class KamailioProcess:
    """A running Kamailio; `stop()` ends it and all its children."""

    host: str
    port: int
    domain: str
    workdir: Path
    users: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    ipv6: bool = False

    @property
    def address(self) -> tuple[str, int]:
        """UDP/TCP address as a socket address."""
        return (self.host, self.port)

    @property
    def hostport(self) -> str:
        """`127.0.0.1:port`, for SIPp's remote host argument and URIs."""
        return f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        """SIP URI of the server itself (outbound proxy / registrar address)."""
        return f"sip:{self.host}:{self.port}"

    def log_text(self) -> str:
        """Everything Kamailio wrote to stderr so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, *, timeout: float = 10.0) -> re.Match[str]:
        """Wait until a line matching the regex `pattern` appears in the log.

        Raises:
            HarnessError: not seen before the deadline.
        """
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.log_text())
            if m:
                return m
            if time.monotonic() > deadline:
                raise HarnessError(f"{pattern!r} not in Kamailio log after {timeout} s")
            time.sleep(0.05)

    def wait_for_binding(self, user: str, *, timeout: float = 60.0) -> None:
        """Block until *user* has a registered contact here.

        Asks by OPTIONS to the user's address of record: 480 while this
        server knows no contact for them, relayed to the device (and
        answered by it) once it does. It blocks on purpose: called from the
        loop a test's in-process clients run on, it holds them where they
        are (nothing sent, nothing read) until that user is back.

        Raises:
            HarnessError: still no binding after `timeout`.
        """
        deadline = time.monotonic() + timeout
        status = "no answer"
        while time.monotonic() < deadline:
            try:
                status = options_ping(self.host, self.port, user=user, timeout=1.0)
            except HarnessError as exc:
                status = str(exc)
            else:
                if not status.startswith("SIP/2.0 480 "):
                    return
            time.sleep(0.05)
        raise HarnessError(f"{user} not registered at {self.hostport} after {timeout} s: {status}")

    def options(self, *, timeout: float = 2.0) -> str:
        """Send one OPTIONS over UDP and return the response's status line.

        Raises:
            HarnessError: no response before `timeout`.
        """
        return options_ping(self.host, self.port, timeout=timeout)

    def running(self) -> bool:
        """True while the main Kamailio process is alive."""
        return self.process.poll() is None

    def stop(self, *, timeout: float = 5.0) -> int:
        """SIGTERM, then SIGKILL to the whole process group after `timeout`.

        Kamailio's main process terminates its children on SIGTERM; the
        group kill is the fallback for a stuck child. Returns the exit code.
        """
        return _terminate(self.process, timeout)


def start_kamailio(
    tmp_path: Path,
    users: Mapping[str, str],
    *,
    ipv6: bool = False,
    min_expires: int = 10,
    max_expires: int = 3600,
    fr_timer_ms: int = 5000,
    subscribe_auth: bool = True,
    sha256: bool = False,
    startup_timeout: float = 15.0,
    shm_mb: int = 32,
    port: int | None = None,
) -> KamailioProcess:
    """Start Kamailio on a free port of 127.0.0.1 (and [::1] with `ipv6`).

    `users` maps user name to plaintext password at domain `example.test`.
    Returns once Kamailio answers an OPTIONS request. *port* asks for that
    port (a restart of a stopped server on its address) instead of a free one.

    Raises:
        HarnessError: Kamailio is missing, exited, or did not answer in time.
    """
    binary = require_binary("kamailio")
    workdir = tmp_path / "kamailio"
    workdir.mkdir(parents=True, exist_ok=True)
    dbdir = workdir / "db"
    write_dbtext(dbdir, users)
    module_dir = find_module_dir()
    host = "127.0.0.1"
    last_error = ""
    wanted = port
    for attempt in range(3):
        port = wanted or free_port(host, also=("::1",) if ipv6 else ())
        defines = {
            "SIP_PORT": str(port),
            "DOMAIN": f'"{DOMAIN}"',
            "DBURL": f'"text://{dbdir}"',
            "SELF_URI": f'"sip:{host}:{port}"',
            "MIN_EXPIRES": str(min_expires),
            "MAX_EXPIRES": str(max_expires),
            "FR_TIMER": str(fr_timer_ms),
        }
        argv = [binary, "-DD", "-E", "-f", str(KAMAILIO_CFG), "-L", module_dir]
        argv += ["-w", str(workdir), "-Y", str(workdir), "-P", str(workdir / "kamailio.pid")]
        # Shared memory: 32 MB suits the tests; 1,000 SUBSCRIBEs at once
        # (the presence benchmark) need more.
        argv += ["-m", str(shm_mb), "-M", "8"]
        for name, value in defines.items():
            argv += ["-A", f"{name}={value}"]
        for flag, on in (("WITH_IPV6", ipv6), ("SUBSCRIBE_NOAUTH", not subscribe_auth)):
            if on:
                argv += ["-A", flag]
        if sha256:
            argv += ["-A", "AUTH_SHA256"]
        log_path = workdir / f"kamailio-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                start_new_session=True,
            )
        kam = KamailioProcess(
            host=host,
            port=port,
            domain=DOMAIN,
            workdir=workdir,
            users=dict(users),
            process=process,
            log_path=log_path,
            ipv6=ipv6,
        )
        try:
            _wait_ready(kam, startup_timeout)
        except HarnessError as exc:
            kam.stop()
            last_error = f"{exc}\n--- kamailio log ---\n{kam.log_text()[-4000:]}"
            if "Address already in use" in kam.log_text():
                if wanted:
                    time.sleep(0.5)  # the stopped server's socket is going away
                continue  # lost the port race: try another port
            break
        return kam
    raise HarnessError(f"Kamailio did not start: {last_error}")


def _wait_ready(kam: KamailioProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not kam.running():
            raise HarnessError(f"kamailio exited with {kam.process.returncode}")
        try:
            options_ping(kam.host, kam.port, timeout=0.2)
        except HarnessError:
            continue
        return
    raise HarnessError(f"kamailio did not answer OPTIONS within {timeout} s")


def options_ping(host: str, port: int, *, timeout: float = 2.0, user: str | None = None) -> str:
    """Send `OPTIONS sip:host:port` over UDP; return the final response's status line.

    With *user*, the OPTIONS is for `sip:user@example.test` instead, from
    another domain (so not challenged): the server relays it to the user's
    device or answers for them (480 with no contact).

    Raises:
        HarnessError: no SIP response arrived within `timeout`.
    """
    with socket.socket(_family(host), socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        local_port = s.getsockname()[1]
        target = f"[{host}]" if ":" in host else host
        branch = f"z9hG4bK{os.urandom(6).hex()}"
        uri = f"sip:{target}:{port}" if user is None else f"sip:{user}@{DOMAIN}"
        sender = f"sip:probe@{DOMAIN}" if user is None else "sip:probe@harness.invalid"
        request = (
            f"OPTIONS {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {target}:{local_port};branch={branch};rport\r\n"
            f"From: <{sender}>;tag={os.urandom(4).hex()}\r\n"
            f"To: <{uri}>\r\n"
            f"Call-ID: {os.urandom(8).hex()}@harness\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        s.sendto(request, (host, port))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except (TimeoutError, ConnectionRefusedError):
                break
            if data.startswith(b"SIP/2.0 1"):
                continue  # provisional: the final answer follows
            if data.startswith(b"SIP/2.0 ") and branch.encode() in data:
                return data.split(b"\r\n", 1)[0].decode()
    raise HarnessError(f"no answer to OPTIONS from {host}:{port} within {timeout} s")


def _terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    # The child runs in its own session, so its pid is its process-group id:
    # this reaches only processes this harness started.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout)


# -------------------------------------------------------------------- SIPp


@dataclass(frozen=True)
class SipMessage:
    """One message from SIPp's message log, as SIPp sent or received it."""

    direction: str  # "sent" | "received"
    transport: str
    text: str

    @property
    def start_line(self) -> str:
        """Request line or status line."""
        return self.text.split("\r\n", 1)[0].split("\n", 1)[0]

    @property
    def status(self) -> int | None:
        """Status code for a response, None for a request."""
        m = re.match(r"SIP/2\.0 (\d{3}) ", self.start_line)
        return int(m.group(1)) if m else None

    @property
    def method(self) -> str | None:
        """Method of a request (CSeq method for a response)."""
        if self.status is None:
            return self.start_line.split(" ", 1)[0]
        cseq = self.header("CSeq")
        return cseq.split()[-1] if cseq else None

    def is_request(self, method: str) -> bool:
        """True for a request of `method`."""
        return self.status is None and self.method == method

    def header(self, name: str) -> str | None:
        """First value of header `name` (case-insensitive, no compact forms)."""
        head = re.split(r"\r?\n\r?\n", self.text, maxsplit=1)[0]
        for line in re.split(r"\r?\n", head)[1:]:
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() == name.lower():
                return value.strip()
        return None

    @property
    def body(self) -> str:
        """Everything after the blank line."""
        parts = re.split(r"\r?\n\r?\n", self.text, maxsplit=1)
        return parts[1] if len(parts) == 2 else ""


_LOG_ENTRY = re.compile(
    r"^(?P<transport>UDP|TCP|TLS|SCTP) message (?P<dir>sent|received)"
    r"[^\n]*?:\n\n(?P<text>.*?)(?=^-{20,}|\Z)",
    re.M | re.S,
)


def parse_sipp_messages(log: str) -> list[SipMessage]:
    """Split a SIPp `-trace_msg` log into messages, in order."""
    out = []
    for m in _LOG_ENTRY.finditer(log):
        text = m.group("text").rstrip("\n")
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(SipMessage(m.group("dir"), m.group("transport"), text))
    return out


@dataclass
class SippResult:
    """Outcome of one SIPp run."""

    returncode: int
    stdout: str
    errors: str
    messages: list[SipMessage] = field(default_factory=list)
    stats: dict[str, str] = field(default_factory=dict)

    @property
    def successful_calls(self) -> int:
        """Calls that ran their scenario to the end (SIPp statistics)."""
        return int(self.stats.get("SuccessfulCall(C)", "0") or 0)

    @property
    def failed_calls(self) -> int:
        """Calls that failed (unexpected message, timeout ...)."""
        return int(self.stats.get("FailedCall(C)", "0") or 0)

    def received(self, method: str | None = None) -> list[SipMessage]:
        """Received messages, optionally only requests of `method`."""
        return [
            m
            for m in self.messages
            if m.direction == "received" and (method is None or m.is_request(method))
        ]

    def final_statuses(self) -> list[int]:
        """Final (>= 200) response codes received, in order."""
        return [
            m.status
            for m in self.messages
            if m.direction == "received" and m.status is not None and m.status >= 200
        ]

    def describe(self) -> str:
        """Human-readable dump for assertion messages."""
        lines = [f"sipp exit {self.returncode}, stats {self.stats}", self.errors[-3000:]]
        lines += [f"{m.direction}: {m.start_line}" for m in self.messages]
        return "\n".join(lines)


DEFAULT_KEYS = {
    "from_user": "alice",
    "from_domain": DOMAIN,
    "to_domain": DOMAIN,
    "expires": "3600",
    "text": "hello from sipp",
}


@dataclass
class SippProcess:
    """A SIPp run in progress (a UAS waiting, or a long-running UAC)."""

    scenario: str
    port: int
    workdir: Path
    process: subprocess.Popen[bytes]
    stdout_path: Path
    message_log: Path
    error_log: Path
    stat_file: Path

    @property
    def contact_hostport(self) -> str:
        """`127.0.0.1:port` where this SIPp listens."""
        return f"127.0.0.1:{self.port}"

    def messages(self) -> list[SipMessage]:
        """Messages logged so far."""
        if not self.message_log.exists():
            return []
        return parse_sipp_messages(self.message_log.read_text(errors="replace"))

    def wait_for(self, method: str, count: int = 1, *, timeout: float = 10.0) -> list[SipMessage]:
        """Wait until `count` requests of `method` were received; return them all.

        Raises:
            HarnessError: fewer arrived before the deadline, or SIPp exited.
        """
        deadline = time.monotonic() + timeout
        while True:
            got = [m for m in self.messages() if m.direction == "received" and m.is_request(method)]
            if len(got) >= count:
                return got
            if self.process.poll() is not None and len(got) < count:
                raise HarnessError(
                    f"sipp {self.scenario} exited ({self.process.returncode}) "
                    f"after {len(got)}/{count} {method}\n{self._errors()}"
                )
            if time.monotonic() > deadline:
                raise HarnessError(f"only {len(got)}/{count} {method} within {timeout} s")
            time.sleep(0.05)

    def wait(self, *, timeout: float = 20.0) -> SippResult:
        """Wait for SIPp to exit by itself (e.g. after -m calls).

        Raises:
            HarnessError: it was still running at the deadline (then killed).
        """
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            self.stop()
            raise HarnessError(f"sipp {self.scenario} still running after {timeout} s") from exc
        return self.result()

    def stop(self, *, timeout: float = 5.0) -> SippResult:
        """Stop SIPp (SIGTERM, then SIGKILL) and return what it logged."""
        _terminate(self.process, timeout)
        return self.result()

    def result(self) -> SippResult:
        """Result of a finished run."""
        code = self.process.poll()
        return SippResult(
            returncode=-999 if code is None else code,
            stdout=self.stdout_path.read_text(errors="replace"),
            errors=self._errors(),
            messages=self.messages(),
            stats=_read_stats(self.stat_file),
        )

    def _errors(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""


def _read_stats(path: Path) -> dict[str, str]:
    # -trace_stat writes a ';'-separated CSV: a header row, then one row per
    # period; the last row holds the cumulative counters.
    if not path.exists():
        return {}
    rows = [r for r in path.read_text(errors="replace").splitlines() if r.strip()]
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0].split(";"), rows[-1].split(";"), strict=False))


_run_counter: Iterator[int] = iter(range(1_000_000))


def start_sipp(
    scenario: str | Path,
    workdir: Path,
    *args: str,
    remote: str | None = None,
    service: str | None = None,
    calls: int | None = 1,
    port: int | None = None,
    transport: str = "u1",
    keys: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
) -> SippProcess:
    """Start SIPp on `scenario` (a file in tests/interop/sipp/ or a path).

    `remote` is "host:port" (omit for a UAS); `service` becomes `[service]`
    (the To/R-URI user); `calls` is `-m`; `port` the local port (a free one
    when None); `keys` override DEFAULT_KEYS (`-key`); `auth` is (user,
    password) for `-au`/`-ap`; `timeout` is SIPp's own `-timeout`, so SIPp
    exits even if the test forgets it. Extra `args` go to SIPp verbatim.

    Raises:
        HarnessError: sipp is not installed or the scenario file is missing.
    """
    binary = require_binary("sipp")
    path = Path(scenario)
    if not path.is_absolute():
        path = SIPP_DIR / path
    if not path.is_file():
        raise HarnessError(f"no SIPp scenario {path}")
    run = next(_run_counter)
    local_port = port if port is not None else free_port()
    all_keys = dict(DEFAULT_KEYS)
    all_keys.setdefault("contact_host", "127.0.0.1")
    all_keys.setdefault("contact_port", str(local_port))
    all_keys.update(keys or {})
    stem = f"{path.stem}-{run}"
    workdir.mkdir(parents=True, exist_ok=True)
    files = {
        "message_log": workdir / f"{stem}-messages.log",
        "error_log": workdir / f"{stem}-errors.log",
        "stat_file": workdir / f"{stem}-stats.csv",
    }
    argv = [binary, "-sf", str(path), "-i", "127.0.0.1", "-p", str(local_port)]
    argv += ["-t", transport, "-nostdin", "-timeout", f"{timeout}s", "-timeout_error"]
    # No BYE on an aborted call: these scenarios have no INVITE dialogs.
    argv += ["-default_behaviors", "all,-bye"]
    argv += ["-trace_msg", "-message_file", str(files["message_log"])]
    argv += ["-trace_err", "-error_file", str(files["error_log"])]
    argv += ["-trace_stat", "-stf", str(files["stat_file"]), "-fd", "1"]
    if calls is not None:
        argv += ["-m", str(calls)]
    if service is not None:
        argv += ["-s", service]
    if auth is not None:
        argv += ["-au", auth[0], "-ap", auth[1]]
    for name, value in all_keys.items():
        argv += ["-key", name, value]
    argv += list(args)
    if remote is not None:
        argv.append(remote)
    stdout_path = workdir / f"{stem}-stdout.log"
    with stdout_path.open("wb") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
        )
    return SippProcess(
        scenario=path.name,
        port=local_port,
        workdir=workdir,
        process=process,
        stdout_path=stdout_path,
        **files,
    )


def start_sipp_uas(
    scenario: str | Path, workdir: Path, *args: str, calls: int | None = 1, **kwargs: object
) -> SippProcess:
    """Start a SIPp UAS and wait until it listens (see `start_sipp`).

    Raises:
        HarnessError: SIPp exited or did not bind its port within 5 s.
    """
    sipp = start_sipp(scenario, workdir, *args, calls=calls, **kwargs)  # type: ignore[arg-type]
    deadline = time.monotonic() + 5.0
    while not _udp_port_bound(sipp.port):
        if sipp.process.poll() is not None or time.monotonic() > deadline:
            sipp.stop()
            raise HarnessError(f"sipp UAS did not start: {sipp.result().describe()}")
        time.sleep(0.02)
    return sipp


def _udp_port_bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def run_sipp(
    scenario: str | Path, workdir: Path, *args: str, wait: float = 30.0, **kwargs: object
) -> SippResult:
    """Run SIPp to completion (see `start_sipp` for the arguments).

    Raises:
        HarnessError: it did not finish within `wait` seconds (then killed).
    """
    kwargs.setdefault("timeout", wait)
    return start_sipp(scenario, workdir, *args, **kwargs).wait(timeout=wait + 5)  # type: ignore[arg-type]
