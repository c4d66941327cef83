from django.urls import path

from wangge.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.level_list, name="list"),
    path("area/<int:pk>/", views.area_level, name="area"),
    path("area/<int:pk>/set/", views.set_level, name="set"),
    path("area/<int:pk>/inherit/", views.inherit, name="inherit"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/edit/", views.policy_edit, name="policy"),
]
