"""The sampling station's pages, mounted at /station/ (the service worker's scope)."""

from django.urls import path

from wangge.testing import station_views as views

app_name = "station"
urlpatterns = [
    *views.STATION.urls(),
    path("setup/", views.setup, name="setup"),
]
