"""The command line parses `--demo` wherever a person puts it."""

from __future__ import annotations

import pytest

from softphone.cli import build_parser


@pytest.mark.parametrize(
    ("argv", "demo"),
    [
        (["--demo"], True),
        (["--demo", "gui"], True),
        (["gui", "--demo"], True),
        (["gui"], False),
        ([], False),
    ],
)
def test_demo_flag_before_or_after_gui(argv: list[str], demo: bool) -> None:
    assert build_parser().parse_args(argv).demo is demo
