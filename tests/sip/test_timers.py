"""Timer values of RFC 3261 section 17."""

from __future__ import annotations

import pytest

from softphone.sip.timers import T1, T2, T4, TimerConfig, TimerName


def test_defaults_are_the_rfc_values() -> None:
    config = TimerConfig()
    assert (config.t1, config.t2, config.t4) == (T1, T2, T4) == (0.5, 4.0, 5.0)
    # Timers B, F, H and J are 64*T1 (RFC 3261 table 4).
    assert config.timeout == 32.0


def test_timer_names_are_the_rfc_letters() -> None:
    assert [name.name for name in TimerName] == ["A", "B", "E", "F", "G", "H", "I", "J", "K"]
    assert TimerName.E.value == "E"


def test_retransmit_interval_doubles_up_to_t2() -> None:
    config = TimerConfig()
    intervals = [config.t1]
    for _ in range(6):
        intervals.append(config.next_retransmit_interval(intervals[-1]))
    assert intervals == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize(("reliable", "k", "j", "i"), [(False, 5.0, 32.0, 5.0), (True, 0, 0, 0)])
def test_wait_timers_are_zero_over_reliable_transports(
    reliable: bool, k: float, j: float, i: float
) -> None:
    config = TimerConfig()
    assert config.timer_k(reliable=reliable) == k
    assert config.timer_j(reliable=reliable) == j
    assert config.timer_i(reliable=reliable) == i


def test_custom_values_scale_every_timer() -> None:
    config = TimerConfig(t1=0.1, t2=0.3, t4=1.0)
    assert config.timeout == pytest.approx(6.4)
    assert config.next_retransmit_interval(0.2) == 0.3
    assert config.timer_k(reliable=False) == 1.0


@pytest.mark.parametrize("kwargs", [{"t1": 0}, {"t2": -1}, {"t4": 0}, {"t1": 2.0, "t2": 1.0}])
def test_invalid_values_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        TimerConfig(**kwargs)


def test_config_is_frozen() -> None:
    config = TimerConfig()
    with pytest.raises(AttributeError):
        config.t1 = 1.0  # type: ignore[misc]
