from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_GET

from wangge.areas.selectors import entry_points, with_totals
from wangge.core import nav
from wangge.core.http import AuthedRequest
from wangge.core.params import BadParameter
from wangge.core.permissions import Perm


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The user's entry points into the tree, with their totals."""
    areas = with_totals(entry_points(request.user.scope_paths(Perm.VIEW_AREAS)))
    return render(request, "core/home.html", {"areas": areas, "alerts": nav.alerts(request)})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a query parameter cannot be read (said in the site's layout, naming the
    parameter but never its value: it may hold an ID number); anything else as Django
    answers it."""
    if isinstance(exception, BadParameter):
        return render(request, "core/bad_request.html", {"reason": exception.message}, status=400)
    return defaults.bad_request(request, exception)
