from django.urls import URLPattern, URLResolver

app_name = "docking"

urlpatterns: list[URLPattern | URLResolver] = []
