"""``python -m reports [INPUT] [options]``: build a report directory (see :mod:`reports._cli`)."""

from __future__ import annotations

import sys

from reports._cli import run

if __name__ == "__main__":  # pragma: no cover - exercised through the command line
    sys.exit(run())
