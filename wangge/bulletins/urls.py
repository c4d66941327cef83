from django.urls import URLPattern, URLResolver, path

from wangge.bulletins import views

app_name = "bulletins"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.bulletin_list, name="list"),
    path("<int:area>/<str:day>.pdf", views.bulletin_pdf, name="pdf"),
    path("<int:area>/<str:day>.xlsx", views.bulletin_xlsx, name="xlsx"),
]
