"""The normalize pass's tests, one file per job of s2sad/normalize/.

A package, not a folder of rootdir modules: its test_calls.py and test_resolution.py share
their names with tests/test_calls.py and tests/test_resolution.py, which pytest's default
("prepend") import mode cannot import side by side. Its helpers are imported relatively.
"""
