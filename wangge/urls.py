from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from wangge.api import api
from wangge.core import views as core_views

urlpatterns = [
    path("", include("wangge.workbench.urls")),
    path("accounts/", include("wangge.accounts.urls")),
    path("areas/", include("wangge.areas.urls")),
    path("residents/", include("wangge.residents.urls")),
    path("testing/", include("wangge.testing.urls")),
    path("workforce/", include("wangge.workforce.urls")),
    path("dispatch/", include("wangge.dispatch.urls")),
    path("incidents/", include("wangge.incidents.urls")),
    path("risk/", include("wangge.risk.urls")),
    path("key-persons/", include("wangge.keypersons.urls")),
    path("tracing/", include("wangge.tracing.urls")),
    path("checkpoints/", include("wangge.checkpoints.urls")),
    path("duty/", include("wangge.duty.urls")),
    path("services/", include("wangge.services.urls")),
    path("snapshots/", include("wangge.snapshots.urls")),
    path("docking/", include("wangge.docking.urls")),
    path("dashboard/", include("wangge.dashboard.urls")),
    path("bulletins/", include("wangge.bulletins.urls")),
    path("inbox/", include("wangge.notifications.urls")),
    path("station/", include("wangge.testing.station_urls")),
    path("checkpoint-device/", include("wangge.checkpoints.device_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

handler400 = "wangge.core.views.bad_request"
