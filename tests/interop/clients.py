"""Real SIP clients from Debian driven headless: baresip and linphonec.

Each runs in its own temporary configuration directory (a temp HOME), with
no audio device (baresip's aufile on /dev/null; linphonec's file sound
card), registered at the test's Kamailio through it as outbound proxy.
baresip is driven through its `cons` module (commands over UDP); its
output (received messages) is read from standard output.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.interop.harness import HarnessError, KamailioProcess, free_port


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def requires(binary: str, package: str) -> pytest.MarkDecorator:
    """Skip without *binary*, except under CI=true (a broken image must fail)."""
    return pytest.mark.skipif(
        shutil.which(binary) is None and not _in_ci(),
        reason=f"{binary} is not installed (apt-get install {package})",
    )


requires_baresip = requires("baresip", "baresip")
requires_linphonec = requires("linphonec", "linphone-cli")


@dataclass
class Baresip:
    """A running baresip 1.0 with one account and one contact."""

    process: subprocess.Popen[bytes]
    workdir: Path
    console: int
    sip_port: int
    log_path: Path
    _sock: socket.socket = field(default_factory=lambda: socket.socket(type=socket.SOCK_DGRAM))
    _console_text: list[str] = field(default_factory=list)

    def command(self, text: str) -> None:
        """Send one console command (e.g. ``/message hello``) to the cons module.

        baresip then writes what its menu prints (received messages too) to
        the address the last command came from: this socket.
        """
        self._sock.sendto(text.encode() + b"\n", ("127.0.0.1", self.console))

    def output(self) -> str:
        """Everything baresip printed so far: its log and its console replies."""
        self._sock.setblocking(False)
        while True:
            try:
                data = self._sock.recv(65535)
            except (BlockingIOError, OSError):
                break
            self._console_text.append(data.decode(errors="replace"))
        return self.log_path.read_text(errors="replace") + "".join(self._console_text)

    def wait_for(self, needle: str, *, timeout: float = 15.0) -> str:
        """Wait until *needle* appears in the output; return the output.

        Raises:
            HarnessError: not within *timeout*, or baresip exited.
        """
        deadline = time.monotonic() + timeout
        while needle not in (text := self.output()):
            if self.process.poll() is not None:
                raise HarnessError(f"baresip exited ({self.process.returncode}):\n{text[-2000:]}")
            if time.monotonic() > deadline:
                raise HarnessError(f"{needle!r} not in baresip's output:\n{text[-2000:]}")
            time.sleep(0.05)
        return text

    def stop(self) -> None:
        """Quit, then kill if it lingers."""
        self._sock.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_baresip(
    workdir: Path, kam: KamailioProcess, user: str, password: str, contact: str
) -> Baresip:
    """Start baresip as *user*, registering at *kam*, with *contact* selected.

    Raises:
        HarnessError: it did not register within 15 s.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    sip_port = free_port()
    console = free_port()
    (workdir / "config").write_text(
        "\n".join(
            [
                "module_path /usr/lib/baresip/modules",
                f"sip_listen 127.0.0.1:{sip_port}",
                # No audio device: nothing is played or recorded.
                "audio_player aufile,/dev/null",
                "audio_source aufile,/dev/null",
                "audio_alert aufile,/dev/null",
                "module cons.so",
                f"cons_listen 127.0.0.1:{console}",
                "module_app account.so",
                "module_app contact.so",
                "module_app menu.so",
                "",
            ]
        )
    )
    (workdir / "accounts").write_text(
        f"<sip:{user}@{kam.domain};transport=udp>;auth_pass={password};"
        f'outbound="sip:{kam.hostport}";regint=300\n'
    )
    (workdir / "contacts").write_text(f"<{contact}>\n")
    log_path = workdir / "baresip.log"
    env = dict(os.environ, HOME=str(workdir))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["baresip", "-f", str(workdir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
    client = Baresip(process, workdir, console, sip_port, log_path)
    try:
        client.wait_for("200 OK", timeout=15)
        # Make this socket the console's peer, so output comes here.
        client.command("/reginfo")
        client.wait_for("--- User Agents", timeout=5)
    except BaseException:
        client.stop()
        raise
    return client


@dataclass
class Linphonec:
    """A running linphonec (liblinphone 5) fed commands on standard input."""

    process: subprocess.Popen[bytes]
    home: Path
    sip_port: int
    log_path: Path

    def command(self, text: str) -> None:
        """Type one command line (e.g. ``chat sip:alice@example.test hello``)."""
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def output(self) -> str:
        """Everything linphonec printed so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for(self, needle: str, *, timeout: float = 15.0) -> str:
        """Wait until *needle* appears in the output; return the output.

        Raises:
            HarnessError: not within *timeout*, or linphonec exited.
        """
        deadline = time.monotonic() + timeout
        while needle not in (text := self.output()):
            if self.process.poll() is not None:
                raise HarnessError(f"linphonec exited ({self.process.returncode}):\n{text[-2000:]}")
            if time.monotonic() > deadline:
                raise HarnessError(f"{needle!r} not in linphonec's output:\n{text[-2000:]}")
            time.sleep(0.05)
        return text

    def stop(self) -> None:
        """Quit, then kill if it lingers."""
        if self.process.poll() is None:
            try:
                self.command("quit")
                self.process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def start_linphonec(home: Path, kam: KamailioProcess, user: str, password: str) -> Linphonec:
    """Start linphonec as *user* with *home* as HOME, registering at *kam*.

    Every request goes through Kamailio (reg_route): the test domain has no
    DNS. No sound card is opened (none is configured; liblinphone logs that
    it found none and goes on).

    Raises:
        HarnessError: it did not register within 15 s (Kamailio holds no binding).
    """
    (home / ".local" / "share" / "linphone").mkdir(parents=True, exist_ok=True)
    sip_port = free_port()
    rc = home / "linphonerc"
    rc.write_text(
        f"""[sip]
sip_port={sip_port}
sip_tcp_port=0
sip_tls_port=0
default_proxy=0
register_only_when_network_is_up=0
[sound]
playback_dev_id=
capture_dev_id=
[proxy_0]
reg_proxy=<sip:{kam.hostport};transport=udp>
reg_route=<sip:{kam.hostport};transport=udp;lr>
reg_identity=<sip:{user}@{kam.domain}>
reg_expires=300
reg_sendregister=1
publish=0
[auth_info_0]
username={user}
passwd={password}
realm={kam.domain}
domain={kam.domain}
"""
    )
    log_path = home / "linphonec.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["linphonec", "-c", str(rc)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, HOME=str(home)),
            cwd=home,
        )
    client = Linphonec(process, home, sip_port, log_path)
    try:
        client.wait_for("linphonec>", timeout=15)
        deadline = time.monotonic() + 15
        while True:
            client.command("status register")
            time.sleep(0.3)
            if "registered, identity=" in client.output():
                break
            if time.monotonic() > deadline:
                raise HarnessError(f"linphonec did not register:\n{client.output()[-2000:]}")
    except BaseException:
        client.stop()
        raise
    return client
