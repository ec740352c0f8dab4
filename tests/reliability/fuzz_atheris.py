"""Long fuzz run of the whole receive path with atheris (coverage-guided).

    python3 -m tests.reliability.fuzz_atheris -runs=1000000 -max_len=4096

Same invariant as test_fuzz.py: nothing escapes `UserAgent.receive`, nothing
is caught and logged as an exception inside the stack, every MESSAGE
answered 200 is stored, and OPTIONS is still answered. Seeds are the real
messages of `seeds.py`, written to a temporary corpus directory.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["softphone"]):
    from tests.reliability.seeds import seeds
    from tests.reliability.stack import FuzzStack, Identity, answered_identity, stored_identities

_LOOP = asyncio.new_event_loop()


async def _make() -> FuzzStack:
    return FuzzStack()


_STACK: FuzzStack = _LOOP.run_until_complete(_make())
_ANSWERED: set[Identity] = set()
_COUNT = [0]


async def _one(data: bytes) -> None:
    _STACK.transport.sent.clear()
    _STACK.feed(data)
    await asyncio.sleep(0)  # due transaction timers run, as in the app
    for sent, _ in _STACK.transport.sent:
        identity = answered_identity(sent)
        if identity is not None:
            _ANSWERED.add(identity)


async def _probe() -> bool:
    return _STACK.answers_options()


def test_one_input(data: bytes) -> None:
    _LOOP.run_until_complete(_one(data))
    if _STACK.errors.records:
        raise AssertionError(_STACK.errors.describe())
    _COUNT[0] += 1
    if _COUNT[0] % 1000 == 0:
        if not _LOOP.run_until_complete(_probe()):
            raise AssertionError("the agent stopped answering OPTIONS")
        missing = _ANSWERED - stored_identities(_STACK.store)
        if missing:
            raise AssertionError(f"answered 200 but not stored: {sorted(missing)[:5]}")
        if _COUNT[0] % 100_000 == 0:
            print(
                f"#fuzz {_COUNT[0]} inputs, {len(_ANSWERED)} stored, "
                f"{_STACK.agent.pending_transactions} transactions pending",
                file=sys.stderr,
                flush=True,
            )


def main() -> None:
    corpus = Path(tempfile.mkdtemp(prefix="softphone-fuzz-"))
    for index, seed in enumerate(seeds()):
        (corpus / f"seed{index:03d}").write_bytes(seed)
    artifacts = Path(tempfile.gettempdir()) / "softphone-fuzz-artifacts"
    artifacts.mkdir(exist_ok=True)
    # Crash files go to the temporary directory, never into the work tree.
    argv = [*sys.argv, f"-artifact_prefix={artifacts}/", str(corpus)]
    atheris.Setup(argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        print(f"#fuzz done: {_COUNT[0]} inputs, {len(_ANSWERED)} stored", file=sys.stderr)


if __name__ == "__main__":
    main()
