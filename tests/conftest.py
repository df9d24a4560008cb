"""The suite's persistent cache of generated modules is its own: a temporary directory, not
the user's (unless S2SAD_CACHE_DIR names one, as the run that reads a first run's entries
does)."""

import os
import tempfile

os.environ.setdefault("S2SAD_CACHE_DIR", tempfile.mkdtemp(prefix="s2sad-tests-"))
