from django.urls import path

from wangge.workforce.views import chains, people, summary, teams

app_name = "workforce"

urlpatterns = [
    path("chains/", chains.chains, name="chains"),
    path("chains/areas/<int:pk>/", chains.chain_area, name="chain_area"),
    path("chains/areas/<int:pk>/history/", chains.history, name="chain_history"),
    path("chains/areas/<int:pk>/assign/", chains.assign, name="chain_assign"),
    path("chains/households/<int:pk>/", chains.chain_household, name="chain_household"),
    path(
        "chains/households/<int:pk>/phones/",
        chains.chain_household_phones,
        name="chain_household_phones",
    ),
    path("chains/responsibilities/<int:pk>/end/", chains.end, name="chain_end"),
    path("chains/responsibilities/<int:pk>/hand-over/", chains.hand_over, name="chain_hand_over"),
    path("duties/", chains.duties, name="duties"),
    path("summary/", summary.summary, name="summary"),
    # People at work (views/people.py).
    path("workers/", people.worker_list, name="workers"),
    path("workers/new/", people.worker_create, name="worker_create"),
    path("workers/export.xlsx", people.workers_export, name="workers_export"),
    path("workers/import/", people.import_upload, name="import"),
    path("workers/import/template.xlsx", people.import_template, name="import_template"),
    path("workers/import/<str:token>/", people.import_check, name="import_check"),
    path("workers/<uuid:pk>/", people.worker_detail, name="worker"),
    path("workers/<uuid:pk>/edit/", people.worker_edit, name="worker_edit"),
    path("workers/<uuid:pk>/login/", people.worker_login, name="worker_login"),
    path("workers/<uuid:pk>/active/", people.worker_active, name="worker_active"),
    path("workers/<uuid:pk>/reveal/", people.worker_reveal, name="worker_reveal"),
    path("areas/<int:pk>/roster.pdf", people.roster_pdf, name="roster_pdf"),
    # Teams (views/teams.py).
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/", teams.team_detail, name="team"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/candidates/", teams.team_candidates, name="team_candidates"),
    path("teams/<int:pk>/members/add/", teams.team_member_add, name="team_member_add"),
    path("teams/<int:pk>/members/remove/", teams.team_member_remove, name="team_member_remove"),
    path("teams/<int:pk>/leader/", teams.team_leader, name="team_leader"),
]
