"""The checkpoint device's pages, mounted at /checkpoint-device/ (the service worker's scope)."""

from django.urls import path

from wangge.checkpoints import device_views as views

app_name = "checkpoint_device"
urlpatterns = [
    *views.CHECKPOINT_DEVICE.urls(),
    path("setup/", views.setup, name="setup"),
]
