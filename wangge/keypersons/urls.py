from django.urls import path

from wangge.keypersons import views

app_name = "keypersons"

urlpatterns = [
    path("", views.key_person_list, name="list"),
    path("add/", views.add, name="add"),
    path("export/", views.export, name="export"),
    path("policies/", views.policies, name="policies"),
    path("policies/edit/", views.policy_edit, name="policy_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/test/", views.test, name="test"),
    path("<int:pk>/clear-flag/", views.clear_flag, name="clear_flag"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
