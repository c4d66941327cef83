from django.urls import path  # noqa: F401

app_name = "services"

urlpatterns: list = []  # type: ignore[type-arg]
