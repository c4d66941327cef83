"""The urgencies' time limits are data: a system administrator changes them in the admin
(audited, like every change made there)."""

from django.contrib import admin

from wangge.accounts.admin import AuditedAdmin
from wangge.services.models import UrgencyPolicy


@admin.register(UrgencyPolicy)
class UrgencyPolicyAdmin(AuditedAdmin):
    list_display = ("urgency", "minutes")
    ordering = ("urgency",)
