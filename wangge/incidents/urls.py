from django.urls import path

from wangge.incidents.views import pages

app_name = "incidents"

urlpatterns = [
    path("", pages.incident_list, name="list"),
    path("report/", pages.report, name="report"),
    path("mine/", pages.mine, name="mine"),
    path("figures/", pages.figures, name="figures"),
    path("<uuid:pk>/", pages.detail, name="detail"),
    path("<uuid:pk>/step/", pages.act, name="act"),
    path("<uuid:pk>/reassign/", pages.reassign, name="reassign"),
    path("<uuid:pk>/photo/", pages.photo, name="photo"),
]
