"""`python -m s2sad`: the `s2sad` command (see s2sad/cli.py)."""

import sys

from .cli import main

sys.exit(main())
