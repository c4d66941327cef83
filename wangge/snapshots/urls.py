from django.urls import URLPattern, URLResolver, path, register_converter

from wangge.snapshots import views
from wangge.snapshots.converters import DayConverter

app_name = "snapshots"

register_converter(DayConverter, "day")

urlpatterns: list[URLPattern | URLResolver] = [
    path("make/", views.make, name="make"),
    path("<int:area>/<day:day>/", views.versions, name="versions"),
]
