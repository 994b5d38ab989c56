"""``python -m cohort`` runs the command line."""

import sys

from cohort.cli import main

sys.exit(main())
