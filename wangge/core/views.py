from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_GET

from wangge.core.params import BadParameter


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
