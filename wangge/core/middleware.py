"""Security headers, including a Content-Security-Policy the pages satisfy (no inline script)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's own admin pages carry inline styles; it is for administrators only.
ADMIN_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class SecurityHeadersMiddleware:
    """CSP and related headers on every response; no caching of signed-in pages.

    A page seen while signed in may show residents (masked, or one revealed number), so the
    browser must not keep it: a shared office PC or a lost phone would hand it to the next
    person. Views that set their own Cache-Control (static files, downloads) keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith("/admin/") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(), microphone=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
            patch_vary_headers(response, ["Cookie"])
        return response


class AdminEmptyToFieldMiddleware:
    """Drop an empty `_to_field` from the admin's query string.

    Django's admin answers 500 to `?_to_field=` on a change or delete page (its
    get_object asks the model for a field named ""); an empty value names no field, so it
    is dropped before the admin reads it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith("/admin/")
            and "_to_field" in request.GET
            and not request.GET.get("_to_field")
        ):
            query = request.GET.copy()
            del query["_to_field"]
            request.GET = query  # type: ignore[assignment]
        return self.get_response(request)
