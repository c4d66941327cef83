"""Permission-matrix cases of the project-level URLs: health, languages, API docs, admin.

Format: tests/test_permission_matrix.py.
"""

from wangge.accounts.tests.permission_matrix import LOGIN, NOBODY, SUPERUSER, Case, World
from wangge.core.permissions import Role

_ROLES = [*Role.values, NOBODY]


def _admin_kwargs(world: World) -> dict[str, object]:
    """Values for every parameter an admin URL may take (each URL uses its own)."""
    superuser = world.users[SUPERUSER]
    return {
        "object_id": str(superuser.pk),
        "id": str(superuser.pk),
        "content_type_id": "1",
        "app_label": "accounts",
        "url": "nowhere/",
    }


# The admin is for superusers only: everyone else is sent to its sign-in page.
_ADMIN_DENIED = {role: LOGIN for role in _ROLES}

CASES = [
    Case("healthz", public=True),
    Case(
        "set_language",
        method="POST",
        public=True,
        ok=302,
        data=lambda w: {"language": "en"},
        unscoped_write="the session's language",
    ),
    Case("javascript-catalog", public=True),
    # The API's documentation is public: it describes routes, never data.
    Case("api-v1:openapi-json", public=True),
    Case("api-v1:openapi-view", public=True),
    # The bare API root answers 404 to everyone.
    Case("api-v1:api-root", public=True, ok=404),
    Case("admin:index", login_url="/admin/login/", expect=_ADMIN_DENIED),
    # The admin's sign-in form is public; a superuser already signed in is sent on.
    Case(
        "admin:login",
        public=True,
        login_url="/admin/login/",
        expect={SUPERUSER: 302},
    ),
    # Signing out of the admin: those who are not in it are sent to its index.
    Case(
        "admin:logout",
        method="POST",
        public=True,
        ok=302,
        login_url="/admin/login/",
        unscoped_write="signs oneself out",
    ),
    # Every other admin page, whatever app registers it: superusers get through (the page
    # may still answer 403/404/405 to a request without the right parameters), everyone
    # else is sent to the admin's sign-in page.
    Case(
        "admin:*",
        kwargs=_admin_kwargs,
        login_url="/admin/login/",
        ok=(200, 302, 403, 404, 405),
        expect=_ADMIN_DENIED,
    ),
]
