"""Every finding of the security issue has a test, and docs/security.md says which.

`findings.FINDINGS` maps each finding's number to its tests. This checks
that the numbers are all there (1 to 19), that every listed test exists
(read with `ast`, nothing imported), that every test module in this folder
guards some finding, and that the table in docs/security.md lists exactly
the same tests per finding.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.security.findings import FINDINGS

ROOT = Path(__file__).resolve().parents[2]
#: Modules here that are not about one finding: the findings list itself.
NOT_FINDINGS = {"test_findings_index.py"}


def test_every_finding_has_a_test() -> None:
    assert sorted(FINDINGS) == list(range(1, 20))
    for number, (title, tests) in FINDINGS.items():
        assert title and tests, f"finding {number} has no test"


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_listed_test_exists() -> None:
    for number, (_, tests) in FINDINGS.items():
        for node in tests:
            path, _, name = node.partition("::")
            file = ROOT / path
            assert file.is_file(), f"finding {number}: no file {path}"
            assert name in _test_names(file), f"finding {number}: no test {node}"


def test_every_security_test_module_guards_a_finding() -> None:
    listed = {node.partition("::")[0] for _, tests in FINDINGS.values() for node in tests}
    here = Path(__file__).parent
    for module in sorted(here.glob("test_*.py")):
        if module.name in NOT_FINDINGS:
            continue
        assert module.relative_to(ROOT).as_posix() in listed, f"{module.name} is in no finding"


def test_docs_list_the_same_tests() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    documented: dict[int, set[str]] = {}
    for line in text.splitlines():
        row = re.match(r"^\| (\d+) \|[^|]*\|(.*)\|\s*$", line)
        if row:
            documented[int(row.group(1))] = set(re.findall(r"`([^`]+::[^`]+)`", row.group(2)))
    assert documented == {number: set(tests) for number, (_, tests) in FINDINGS.items()}
