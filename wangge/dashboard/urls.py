from django.urls import URLPattern, URLResolver, path

from wangge.dashboard import map_views, views

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("map/", map_views.map_page, name="map"),
    path("map/data/", map_views.map_data, name="map_data"),
]
