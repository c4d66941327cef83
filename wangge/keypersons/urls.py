from django.urls import path  # noqa: F401

app_name = "keypersons"

urlpatterns: list = []  # type: ignore[type-arg]
