"""The suite's persistent cache of generated modules is its own: a temporary directory, not
the user's, removed when the run ends (unless S2SAD_CACHE_DIR names one, as the run that
reads a first run's entries does)."""

import atexit
import os
import shutil
import tempfile

if "S2SAD_CACHE_DIR" not in os.environ:
    _directory = tempfile.mkdtemp(prefix="s2sad-tests-")
    os.environ["S2SAD_CACHE_DIR"] = _directory
    atexit.register(shutil.rmtree, _directory, ignore_errors=True)
