"""Benchmarks: parser and stack throughput beside peers (`python3 -m bench`)."""

from __future__ import annotations
