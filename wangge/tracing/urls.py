from django.urls import path

from wangge.tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.template, name="template"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<str:token>/discard/", views.import_discard, name="import_discard"),
    path("new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/add/", views.add, name="add"),
    path("<int:pk>/feedback.xlsx", views.export, name="export"),
    path("person/<int:pk>/", views.person, name="person"),
    path("person/<int:pk>/assign/", views.assign, name="assign"),
]
