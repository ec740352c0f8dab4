"""Account settings: validation messages, TOML round trip, password sources."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from softphone import config
from softphone.account import Account, SettingsError
from softphone.config import (
    default_config_path,
    default_data_dir,
    load_account,
    password_for,
    save_account,
    store_password,
)
from softphone.transport.base import TransportKind

AOR = "sip:alice@example.com"
SECRET = 's3cr3t-Pa55"word\\'


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict, for tests only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


class RefusingKeyring(MemoryKeyring):
    """A keyring whose backend fails on every call (a locked or broken store)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def refusing_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    yield
    keyring.set_keyring(previous)


# --- the Account dataclass ----------------------------------------------------------


def test_defaults() -> None:
    account = Account(AOR)
    assert account.username == "alice"
    assert account.display_name == ""
    assert account.registrar is None
    assert account.outbound_proxy is None
    assert account.transport is TransportKind.UDP
    assert account.local_port == 0
    assert account.expires == 600
    assert account.password_env is None
    assert account.domain == "example.com"
    assert account.uri.user == "alice"


def test_explicit_username_and_transport_text() -> None:
    account = Account(AOR, username="alice-auth", transport="TLS")  # type: ignore[arg-type]
    assert account.username == "alice-auth"
    assert account.transport is TransportKind.TLS


def test_account_is_frozen() -> None:
    account = Account(AOR)
    with pytest.raises(AttributeError):
        account.expires = 60  # type: ignore[misc]


@pytest.mark.parametrize(
    "aor",
    [
        "alice@example.com",
        "sip:example.com",
        "sip:alice@",
        "mailto:alice@example.com",
        "sip:alice:pw@example.com",
        "sip:alice@example.com?subject=x",
        "sip:alice@exa mple.com",
        "sip:alice@example.com\r\nX: y",
        "",
    ],
)
def test_bad_aor(aor: str) -> None:
    with pytest.raises(
        SettingsError, match=r"^The address of record must look like sip:alice@example\.com"
    ):
        Account(aor)


def test_aor_not_text() -> None:
    with pytest.raises(SettingsError, match="address of record must look like"):
        Account(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("aor", ["sips:alice@example.com", "sip:alice@[2001:db8::1]:5070"])
def test_good_aor(aor: str) -> None:
    assert Account(aor).aor == aor


@pytest.mark.parametrize("value", ["xyz", "sctp", "", 5])
def test_bad_transport(value: object) -> None:
    with pytest.raises(SettingsError) as info:
        Account(AOR, transport=value)  # type: ignore[arg-type]
    assert str(info.value) == f"Transport must be udp, tcp or tls, not {value!r}"


def test_transport_error_quotes_the_value() -> None:
    with pytest.raises(SettingsError) as info:
        Account(AOR, transport="xyz")  # type: ignore[arg-type]
    assert str(info.value) == "Transport must be udp, tcp or tls, not 'xyz'"


@pytest.mark.parametrize("expires", [0, 9, 86401, -5, True, 600.0, "600"])
def test_bad_expires(expires: object) -> None:
    with pytest.raises(SettingsError) as info:
        Account(AOR, expires=expires)  # type: ignore[arg-type]
    assert str(info.value) == (
        "The registration time must be a whole number of seconds between 10 and 86400"
    )


@pytest.mark.parametrize("expires", [10, 60, 3600, 86400])
def test_good_expires(expires: int) -> None:
    assert Account(AOR, expires=expires).expires == expires


@pytest.mark.parametrize("port", [-1, 65536, "5060", False])
def test_bad_local_port(port: object) -> None:
    with pytest.raises(SettingsError) as info:
        Account(AOR, local_port=port)  # type: ignore[arg-type]
    assert str(info.value) == "Local port must be a whole number between 0 and 65535"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "sip:example.com",
        "alice@example.com",
        "example.com:99999",
        "ex ample.com",
        "example.com;lr",
        "example.com:0",
        5060,
    ],
)
@pytest.mark.parametrize(
    ("field", "what"), [("registrar", "The registrar"), ("outbound_proxy", "The outbound proxy")]
)
def test_bad_host_port(field: str, what: str, value: object) -> None:
    with pytest.raises(SettingsError) as info:
        Account(AOR, **{field: value})  # type: ignore[arg-type]
    assert str(info.value).startswith(
        f"{what} must be a host name or address with an optional port, like example.com:5060"
    )


@pytest.mark.parametrize(
    "value", ["example.com", "example.com:5080", "192.0.2.1:5060", "[::1]:5060"]
)
def test_good_host_port(value: str) -> None:
    account = Account(AOR, registrar=value, outbound_proxy=value)
    assert (account.registrar, account.outbound_proxy) == (value, value)


@pytest.mark.parametrize("name", ["", "1ABC", "MY-PASSWORD", "A B", "X=1"])
def test_bad_password_env(name: str) -> None:
    with pytest.raises(SettingsError, match=r"^The password variable must be an environment"):
        Account(AOR, password_env=name)


@pytest.mark.parametrize(
    ("field", "what"), [("display_name", "Display name"), ("username", "User name")]
)
def test_text_fields_are_one_line(field: str, what: str) -> None:
    with pytest.raises(SettingsError, match=f"^{what} must be one line of text$"):
        Account(AOR, **{field: "a\nb"})  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=f"^{what} must be text"):
        Account(AOR, **{field: 3})  # type: ignore[arg-type]


# --- files --------------------------------------------------------------------------------


def _full_account() -> Account:
    return Account(
        "sips:alice@example.com",
        display_name='Alice "Al" Liddell \\ 앨리스\t',
        username="alice.auth",
        registrar="registrar.example.com:5061",
        outbound_proxy="[2001:db8::5]:5061",
        transport=TransportKind.TLS,
        local_port=5062,
        expires=3600,
        password_env="SOFTPHONE_TEST_PASSWORD",
    )


@pytest.mark.parametrize("account", [_full_account(), Account(AOR)])
def test_save_and_load_round_trip(tmp_path: Path, account: Account) -> None:
    path = tmp_path / "nested" / "account.toml"
    save_account(account, path)
    assert load_account(path) == account
    # The file is plain TOML another tool can read.
    with path.open("rb") as file:
        assert tomllib.load(file)["account"]["aor"] == account.aor
    # Saving replaces the file; no temporary file is left behind.
    save_account(account, path)
    assert [p.name for p in path.parent.iterdir()] == ["account.toml"]


def test_password_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    account = _full_account()
    monkeypatch.setenv("SOFTPHONE_TEST_PASSWORD", SECRET)
    store_password(account, SECRET)
    assert password_for(account) == SECRET
    path = tmp_path / "account.toml"
    save_account(account, path)
    text = path.read_bytes()
    assert SECRET.encode() not in text
    assert b"s3cr3t" not in text
    assert b"password =" not in text


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_account(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[account\naor = 1", "is not valid TOML"),
        ('aor = "sip:alice@example.com"\n', "has no [account] section"),
        ('account = "sip:alice@example.com"\n', "has no [account] section"),
        ("[account]\n", "has no address of record"),
        ('[account]\naor = "sip:a@b.c"\ncolour = "red"\n', "Unknown setting 'colour'"),
        (
            '[account]\naor = "sip:a@b.c"\npassword = "x"\n',
            "holds a password, which does not belong",
        ),
        (
            '[account]\naor = "sip:a@b.c"\nexpires = 5\n',
            "The registration time must be a whole number",
        ),
        ('[account]\naor = "sip:a@b.c"\ntransport = "xyz"\n', "not 'xyz'"),
        ('[account]\naor = "bob"\n', "The address of record must look like"),
    ],
)
def test_load_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "account.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_account(path)


def test_load_hand_written_file(tmp_path: Path) -> None:
    path = tmp_path / "account.toml"
    path.write_text(
        '[account]\naor = "sip:bob@example.org"\ntransport = "tcp"\nexpires = 120\n',
        encoding="utf-8",
    )
    account = load_account(str(path))
    assert account == Account(
        "sip:bob@example.org", username="bob", transport=TransportKind.TCP, expires=120
    )


def test_default_paths_use_the_app_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_config_path() == tmp_path / "cfg" / "softphone" / "account.toml"
    assert default_data_dir() == tmp_path / "data" / "softphone"


# --- password -------------------------------------------------------------------------------


def test_password_from_env_wins_over_keyring(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    account = Account(AOR, password_env="SOFTPHONE_TEST_PASSWORD")
    memory_keyring.passwords[("softphone", AOR)] = "from-keyring"
    monkeypatch.setenv("SOFTPHONE_TEST_PASSWORD", "from-env")
    assert password_for(account) == "from-env"
    monkeypatch.delenv("SOFTPHONE_TEST_PASSWORD")
    assert password_for(account) == "from-keyring"


def test_password_from_keyring_under_the_aor(memory_keyring: MemoryKeyring) -> None:
    account = Account(AOR)
    assert password_for(account) is None
    store_password(account, SECRET)
    assert memory_keyring.passwords == {(config.APP_NAME, AOR): SECRET}
    assert password_for(account) == SECRET


def test_no_keyring_backend_gives_none(no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOFTPHONE_TEST_PASSWORD", raising=False)
    assert password_for(Account(AOR)) is None
    assert password_for(Account(AOR, password_env="SOFTPHONE_TEST_PASSWORD")) is None
    monkeypatch.setenv("SOFTPHONE_TEST_PASSWORD", "env-only")
    assert password_for(Account(AOR, password_env="SOFTPHONE_TEST_PASSWORD")) == "env-only"


def test_store_password_without_keyring_explains(no_keyring: None) -> None:
    with pytest.raises(
        SettingsError,
        match=r"^No keyring is available to keep the password; keep it in an environment",
    ):
        store_password(Account(AOR), SECRET)


def test_broken_keyring(refusing_keyring: None) -> None:
    assert password_for(Account(AOR)) is None
    with pytest.raises(SettingsError, match=r"^The keyring refused to keep the password") as info:
        store_password(Account(AOR), SECRET)
    assert SECRET not in str(info.value)


def test_a_settings_path_through_a_file_is_said_not_raised(tmp_path: Path) -> None:
    in_the_way = tmp_path / "settings"
    in_the_way.write_text("")
    with pytest.raises(SettingsError) as info:
        load_account(in_the_way / "account.toml")
    assert str(info.value) == (
        f"The settings file {in_the_way / 'account.toml'} cannot be read: Not a directory"
    )
