from django.urls import URLPattern, URLResolver, path

from wangge.docking import views

app_name = "docking"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.day_page, name="day"),
    path("answer/", views.answer, name="answer"),
]
