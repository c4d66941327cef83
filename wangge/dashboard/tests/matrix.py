"""Permission-matrix cases of the dashboard app (format: tests/test_permission_matrix.py)."""

from wangge.dashboard.tests.map_matrix import CASES as MAP_CASES

CASES = [*MAP_CASES]
