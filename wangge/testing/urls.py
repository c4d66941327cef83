from django.urls import path

from wangge.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_create, name="round_create"),
    path("planner/", views.planner_page, name="planner"),
    path("results/import/", views.results_import, name="results_import"),
    path("results/import/<str:token>/", views.results_check, name="results_check"),
    path("alarms/", views.unknown_results, name="unknown_results"),
    path(
        "alarms/<int:alarm_pk>/resolve/",
        views.unknown_result_resolve,
        name="unknown_result_resolve",
    ),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/coverage/", views.round_coverage, name="round_coverage"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/open/", views.round_open, name="round_open"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/points/", views.point_list, name="points"),
    path("<int:pk>/points/<int:point_pk>/edit/", views.point_edit, name="point_edit"),
    path("<int:pk>/points/<int:point_pk>/delete/", views.point_delete, name="point_delete"),
    path("<int:pk>/teams/", views.team_list, name="teams"),
    path("<int:pk>/teams/<int:team_pk>/", views.team_detail, name="team"),
    path("<int:pk>/teams/<int:team_pk>/edit/", views.team_edit, name="team_edit"),
    path("<int:pk>/teams/<int:team_pk>/delete/", views.team_delete, name="team_delete"),
    path("<int:pk>/grids/<int:grid_pk>/untested/", views.untested, name="untested"),
    path("<int:pk>/grids/<int:grid_pk>/untested.xlsx", views.untested_xlsx, name="untested_xlsx"),
    path("<int:pk>/grids/<int:grid_pk>/untested.pdf", views.untested_pdf, name="untested_pdf"),
    path("<int:pk>/exemptions/", views.exemption_list, name="exemptions"),
    path("<int:pk>/exemptions/add/", views.exemption_add, name="exemption_add"),
    path(
        "<int:pk>/exemptions/<int:exemption_pk>/remove/",
        views.exemption_remove,
        name="exemption_remove",
    ),
    path("<int:pk>/recalls/", views.recall_page, name="recalls"),
    path("<int:pk>/cases/", views.case_list, name="cases"),
    path("<int:pk>/tubes/", views.tube_list, name="tubes"),
    path("<int:pk>/shipments/", views.shipment_list, name="shipments"),
    path("shipments/<int:shipment_pk>/", views.shipment_detail, name="shipment"),
    path("shipments/<int:shipment_pk>/ship/", views.shipment_ship, name="shipment_ship"),
    path("shipments/<int:shipment_pk>/receive/", views.shipment_receive, name="shipment_receive"),
    path("shipments/<int:shipment_pk>/unpack/", views.shipment_unpack, name="shipment_unpack"),
    path(
        "shipments/<int:shipment_pk>/manifest.<str:fmt>",
        views.shipment_manifest,
        name="shipment_manifest",
    ),
]
