from django.urls import URLPattern, URLResolver, path

from wangge.dashboard import views

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
]
