from django.urls import path

from wangge.workforce.views import chains

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
]
