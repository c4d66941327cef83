from django.urls import path

from wangge.checkpoints import views

app_name = "checkpoints"

urlpatterns = [
    path("", views.checkpoint_list, name="list"),
    path("volumes/", views.volumes, name="volumes"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
