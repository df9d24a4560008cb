"""Reproducers the random-program hunt found (issue 8), to fix and turn into tests."""
