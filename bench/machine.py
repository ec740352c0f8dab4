"""What the benchmarks ran on: CPU, cores, Python, date and load."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    """A description of the machine, printed above every table."""

    cpu: str
    cores: int
    python: str
    system: str
    date: str
    load: str

    def describe(self) -> str:
        """One line for the report."""
        return (
            f"{self.cpu}, {self.cores} cores, Python {self.python}, {self.system}, "
            f"{self.date}, load average {self.load}"
        )


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def current() -> Machine:
    """Describe this machine now."""
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        python=f"{platform.python_implementation()} {platform.python_version()}",
        system=f"{platform.system()} {platform.release()}",
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load=load,
    )
