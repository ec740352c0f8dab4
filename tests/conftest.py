"""Shared pytest configuration."""

from __future__ import annotations

import os

# Qt tests run without a screen unless a test starts Xvfb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
