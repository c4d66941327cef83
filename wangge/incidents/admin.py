"""The clock policies are data: a system administrator changes them in the admin (audited,
like every change made there)."""

from django.contrib import admin

from wangge.accounts.admin import AuditedAdmin
from wangge.incidents.models import ClockPolicy


@admin.register(ClockPolicy)
class ClockPolicyAdmin(AuditedAdmin):
    list_display = ("severity", "kind", "acknowledge_minutes", "arrive_minutes", "report_minutes")
    list_filter = ("severity", "kind")
    ordering = ("severity", "kind")
