from django.urls import path  # noqa: F401

app_name = "tracing"

urlpatterns: list = []  # type: ignore[type-arg]
