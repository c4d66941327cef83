"""Permission-matrix cases of the workbench (format: tests/test_permission_matrix.py)."""

from wangge.accounts.tests.permission_matrix import Case

# Every signed-in person has a workbench; what is on it is scoped (tests/test_home.py).
CASES = [Case("home")]
