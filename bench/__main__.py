"""`python3 -m bench [--smoke]`: run every benchmark and print one table."""

from __future__ import annotations

from bench.run import main

main()
