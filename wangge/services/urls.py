from django.urls import path

from wangge.services import views

app_name = "services"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/assign/", views.assign, name="assign"),
    path("<uuid:pk>/step/", views.step, name="step"),
    path("<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("<uuid:pk>/photo/", views.photo, name="photo"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/handout/", views.handout, name="handout"),
    path("supplies/", views.supplies, name="supplies"),
    path("supplies/export/", views.supplies_export, name="supplies_export"),
]
