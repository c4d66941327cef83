from django.urls import URLPattern, URLResolver

app_name = "snapshots"

urlpatterns: list[URLPattern | URLResolver] = []
