"""Permission-matrix cases of the map (format: tests/test_permission_matrix.py).

Without `?area=` the map is of the user's topmost area, so it names no object: 403 for
whoever may read the analysis nowhere. The other district's areas are 404 (test_map.py).
"""

from wangge.accounts.tests.permission_matrix import Case
from wangge.core.permissions import Perm

CASES = [
    Case("dashboard:map", perm=Perm.VIEW_ANALYSIS, denied=403),
    Case("dashboard:map_data", perm=Perm.VIEW_ANALYSIS, denied=403),
]
