from django.contrib.auth import views as auth_views
from django.urls import include, path

from wangge.accounts import views

# Signing in and out keep their global names ("login", "logout": settings and base.html
# use them); the accounts pages are namespaced "accounts:".
pages = [
    path("password/", views.password_change, name="password_change"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/grant/", views.user_grant, name="user_grant"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("devices/", views.devices, name="devices"),
    path("devices/new/", views.device_issue, name="device_issue"),
    path("devices/<int:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("audit/", views.audit_log, name="audit"),
]

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((pages, "accounts"))),
]
