"""pyproject lists its packages by hand; every package in the tree must be in it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_directory_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("softphone", "ui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    # The icons ship inside ui as ui/resources.
    assert config["package-dir"]["ui.resources"] == "resources"
    assert "icons/*.svg" in config["package-data"]["ui.resources"]
    assert (ROOT / "resources" / "icons" / "delivery-delivered.svg").is_file()
    # The compiled translations ship beside them.
    assert "translations/*.qm" in config["package-data"]["ui.resources"]
    for language in ("ko", "en"):
        assert (ROOT / "resources" / "translations" / f"softphone_{language}.qm").is_file()
