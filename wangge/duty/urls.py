from django.urls import path  # noqa: F401

app_name = "duty"

urlpatterns: list = []  # type: ignore[type-arg]
