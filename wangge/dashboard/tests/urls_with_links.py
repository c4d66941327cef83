"""The project's URLs with stand-ins, first, for the pages the dashboard links to that
other engineers build in parallel (docking, bulletins, the map, making a day): the tests
of the links run whether or not the real ones exist in this build."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from wangge.urls import urlpatterns as project


def stand_in(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("docking/", include(([path("day/", stand_in, name="day")], "docking"))),
    path(
        "bulletins/",
        include(
            (
                [
                    path("<int:area>/<str:day>.pdf", stand_in, name="pdf"),
                    path("<int:area>/<str:day>.xlsx", stand_in, name="xlsx"),
                ],
                "bulletins",
            )
        ),
    ),
    path(
        "snapshots/",
        include(
            (
                [
                    path("make/", stand_in, name="make"),
                    path("<int:area>/<str:day>/", stand_in, name="versions"),
                ],
                "snapshots",
            )
        ),
    ),
    path(
        "dashboard/",
        include(
            (
                [
                    path("map/", stand_in, name="map"),
                    *include("wangge.dashboard.urls")[0].urlpatterns,
                ],
                "dashboard",
            )
        ),
    ),
    *project,
]
