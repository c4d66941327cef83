"""The sampling station's pages, mounted at /station/ (the service worker's scope)."""

from django.urls import path

from wangge.testing import station_views as views

app_name = "station"
urlpatterns = [
    path("", views.app, name="app"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("setup/", views.setup, name="setup"),
]
