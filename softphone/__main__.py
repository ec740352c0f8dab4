"""`python -m softphone` runs the command-line entry point."""

from __future__ import annotations

from softphone.cli import main

raise SystemExit(main())
