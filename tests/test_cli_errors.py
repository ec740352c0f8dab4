"""Bad input to the `softphone` command: one sentence, the documented exit code, no traceback.

Each case runs the real command in a subprocess, as a user or a script
would (exit codes in `softphone/cli.py`'s docstring: 1 the message failed,
2 a usage or settings error).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers import cli_env


def softphone(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = cli_env(tmp_path, **env)
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_sentence(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("softphone: ")]
    assert len(lines) == 1, done.stderr
    return lines[0].removeprefix("softphone: ")


def test_db_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    for command in (["blocked"], ["send", "--aor", "sip:a@example.test", "sip:b@x.test", "hi"]):
        done = softphone(tmp_path, *command, "--db", str(tmp_path / "folder"))
        assert done.returncode == 2
        assert one_sentence(done) == (
            f"The message database {tmp_path / 'folder'} is a folder; give a file with --db"
        )
        assert done.stdout == ""


def test_db_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 100)
    done = softphone(tmp_path, "blocked", "--db", str(notes))
    assert done.returncode == 2
    assert one_sentence(done).startswith(f"{notes} is not a softphone database")
    assert notes.read_text() == "shopping list\n" * 100  # nothing lost


def test_empty_password_variable(tmp_path: Path) -> None:
    done = softphone(
        tmp_path,
        "send",
        "--aor",
        "sip:alice@example.test",
        "--password-env",
        "SOFTPHONE_TEST_PW",
        "--registrar",
        "127.0.0.1:9",
        "--db",
        str(tmp_path / "h.db"),
        "sip:bob@example.test",
        "hi",
        SOFTPHONE_TEST_PW="",
    )
    assert done.returncode == 2
    assert one_sentence(done) == (
        "The environment variable SOFTPHONE_TEST_PW, which should hold the password for"
        " alice@example.test, is empty; put the password in it"
    )


def test_unset_password_variable_from_the_settings_file_names_no_setting(
    tmp_path: Path,
) -> None:
    """The settings file names the variable; the sentence says what it is for, not the key."""
    config = tmp_path / "account.toml"
    config.write_text(
        '[account]\naor = "sip:alice@example.test"\npassword_env = "SOFTPHONE_UNSET_PW"\n'
        'registrar = "127.0.0.1:9"\n',
        encoding="utf-8",
    )
    assert "SOFTPHONE_UNSET_PW" not in cli_env(tmp_path)
    done = softphone(
        tmp_path,
        "send",
        "--config",
        str(config),
        "--db",
        str(tmp_path / "h.db"),
        "sip:bob@example.test",
        "hi",
    )
    assert done.returncode == 2
    assert one_sentence(done) == (
        "The environment variable SOFTPHONE_UNSET_PW, which should hold the password for"
        " alice@example.test, is not set, and the keyring holds no password for it either"
    )
    assert "password_env" not in done.stderr


def test_a_password_in_the_settings_file_is_refused_in_words(tmp_path: Path) -> None:
    config = tmp_path / "account.toml"
    config.write_text('[account]\naor = "sip:alice@example.test"\npassword = "x"\n')
    done = softphone(tmp_path, "send", "--config", str(config), "sip:bob@example.test", "hi")
    assert done.returncode == 2
    assert one_sentence(done) == (
        f"The settings file {config} is not usable: The settings file holds a password,"
        " which does not belong there: remove it; Softphone keeps the password in the"
        " keyring, or asks for it"
    )


def test_unreachable_registrar_fails_the_message_in_one_sentence(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never answers
        port = silent.getsockname()[1]
        done = softphone(
            tmp_path,
            "send",
            "--aor",
            "sip:alice@example.test",
            "--password-env",
            "SOFTPHONE_TEST_PW",
            "--registrar",
            f"127.0.0.1:{port}",
            "--listen-host",
            "127.0.0.1",
            "--db",
            str(tmp_path / "h.db"),
            "sip:bob@example.test",
            "hi",
            SOFTPHONE_TEST_PW="secret",
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result == {
        "state": "failed",
        "code": None,
        "reason": f"not registered: No answer from 127.0.0.1:{port} after 32 s",
    }
    assert "retrying" not in done.stdout and "trying again" not in done.stdout
