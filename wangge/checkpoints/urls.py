from django.urls import path  # noqa: F401

app_name = "checkpoints"

urlpatterns: list = []  # type: ignore[type-arg]
