from django.urls import path

from wangge.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("picker/branch/", views.picker_branch, name="picker_branch"),
    path("picker/search/", views.picker_search, name="picker_search"),
    path("import/", views.import_tree, name="import"),
    path("import/<str:token>/apply/", views.import_apply, name="import_apply"),
    path("export/", views.export_tree, name="export"),
    path("boundaries/import/", views.boundaries_import, name="boundaries_import"),
    path(
        "boundaries/import/<str:token>/apply/",
        views.boundaries_apply,
        name="boundaries_apply",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/branch/", views.branch, name="branch"),
    path("<int:pk>/add/", views.add, name="add"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/import/", views.import_tree, name="import_within"),
    path("<int:pk>/export/", views.export_tree, name="export_within"),
]
