from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wangge.accounts.http import AuthedRequest
from wangge.accounts.roles import Perm
from wangge.areas.selectors import entry_points, with_totals


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The user's entry points into the tree, with their totals."""
    areas = with_totals(entry_points(request.user.scope_paths(Perm.VIEW_AREAS)))
    return render(request, "core/home.html", {"areas": areas})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
