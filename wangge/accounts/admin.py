"""Django's admin: for system administrators (superusers) only, and audited.

Everyday account work (roles, deactivation, devices) happens on the accounts pages, which
go through the actions. The admin remains a superuser's tool for repairs; every change made
in it is written to the audit log as well.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from wangge.accounts.models import DeviceToken, RoleAssignment, User
from wangge.audit import log
from wangge.audit.events import AuditEvent


def _administrators_only(request: HttpRequest) -> bool:
    """Django's admin is for system administrators (superusers) only."""
    user: Any = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _administrators_only  # type: ignore[method-assign]


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every addition, change and deletion made in the admin goes into the audit log."""

    def _audit(
        self, request: HttpRequest, event: AuditEvent, obj: Model, message: Any = ""
    ) -> None:
        log.record(
            log.actor_for(request),
            event,
            obj=obj,
            details={"object": str(obj)[:100], "change": str(message)[:500]},
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, AuditEvent.ADMIN_ADD, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, AuditEvent.ADMIN_CHANGE, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._audit(request, AuditEvent.ADMIN_DELETE, obj)
        return super().log_deletions(request, queryset)


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    """Shown for reference; roles are granted and revoked on the Users pages (audited,
    and bounded by the granter's own scope)."""

    model = RoleAssignment
    fields = ["role", "area", "created_at"]
    readonly_fields = ["role", "area", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class WanggeUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    inlines = [RoleAssignmentInline]


@admin.register(DeviceToken)
class DeviceTokenAdmin(AuditedAdmin):
    list_display = ["label", "user", "area", "prefix", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    raw_id_fields = ["user", "area"]
    readonly_fields = ["user", "area", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token is shown once when issued, which only the Devices page does.
        return False
