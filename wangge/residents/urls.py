from django.urls import path

from wangge.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:pk>/call/", views.call, name="call"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/add/", views.create, name="create"),
    path("grids/<int:pk>/households/new/", views.household_create, name="household_create"),
    path("grids/<int:pk>/register.xlsx", views.export_grid_xlsx, name="export_grid_xlsx"),
    path("grids/<int:pk>/register.pdf", views.export_grid_pdf, name="export_grid_pdf"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/report.xlsx", views.import_report, name="import_report"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
]
