"""The audit log in Django's admin: read-only, like everywhere else."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wangge.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor_name", "action", "object_type", "object_id", "source"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
