from django.urls import path

from wangge.testing.views import (
    followups,
    planner,
    points_teams,
    recalls,
    results,
    rounds,
    tubes,
    untested,
)

app_name = "testing"
urlpatterns = [
    path("", rounds.round_list, name="rounds"),
    path("new/", rounds.round_create, name="round_create"),
    path("planner/", planner.planner_page, name="planner"),
    path("results/import/", results.results_import, name="results_import"),
    path("results/import/<str:token>/", results.results_check, name="results_check"),
    path("alarms/", results.unknown_results, name="unknown_results"),
    path(
        "alarms/<int:alarm_pk>/resolve/",
        results.unknown_result_resolve,
        name="unknown_result_resolve",
    ),
    path("<int:pk>/", rounds.round_detail, name="round"),
    path("<int:pk>/coverage/", rounds.round_coverage, name="round_coverage"),
    path("<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("<int:pk>/open/", rounds.round_open, name="round_open"),
    path("<int:pk>/close/", rounds.round_close, name="round_close"),
    path("<int:pk>/points/", points_teams.point_list, name="points"),
    path("<int:pk>/points/<int:point_pk>/edit/", points_teams.point_edit, name="point_edit"),
    path("<int:pk>/points/<int:point_pk>/delete/", points_teams.point_delete, name="point_delete"),
    path("<int:pk>/teams/", points_teams.team_list, name="teams"),
    path("<int:pk>/teams/<int:team_pk>/", points_teams.team_detail, name="team"),
    path("<int:pk>/teams/<int:team_pk>/edit/", points_teams.team_edit, name="team_edit"),
    path("<int:pk>/teams/<int:team_pk>/delete/", points_teams.team_delete, name="team_delete"),
    path("<int:pk>/grids/<int:grid_pk>/untested/", untested.untested, name="untested"),
    path(
        "<int:pk>/grids/<int:grid_pk>/untested.xlsx", untested.untested_xlsx, name="untested_xlsx"
    ),
    path("<int:pk>/grids/<int:grid_pk>/untested.pdf", untested.untested_pdf, name="untested_pdf"),
    path("<int:pk>/followups/", followups.followup_page, name="followups"),
    path(
        "<int:pk>/followups/<int:resident_pk>/",
        followups.followup_record,
        name="followup_record",
    ),
    path("<int:pk>/exemptions/", untested.exemption_list, name="exemptions"),
    path("<int:pk>/exemptions/add/", untested.exemption_add, name="exemption_add"),
    path(
        "<int:pk>/exemptions/<int:exemption_pk>/remove/",
        untested.exemption_remove,
        name="exemption_remove",
    ),
    path("<int:pk>/recalls/", recalls.recall_page, name="recalls"),
    path("<int:pk>/cases/", recalls.case_list, name="cases"),
    path("<int:pk>/tubes/", tubes.tube_list, name="tubes"),
    path("<int:pk>/shipments/", tubes.shipment_list, name="shipments"),
    path("shipments/<int:shipment_pk>/", tubes.shipment_detail, name="shipment"),
    path("shipments/<int:shipment_pk>/ship/", tubes.shipment_ship, name="shipment_ship"),
    path("shipments/<int:shipment_pk>/receive/", tubes.shipment_receive, name="shipment_receive"),
    path("shipments/<int:shipment_pk>/unpack/", tubes.shipment_unpack, name="shipment_unpack"),
    path(
        "shipments/<int:shipment_pk>/manifest.<str:fmt>",
        tubes.shipment_manifest,
        name="shipment_manifest",
    ),
]
