"""Sign-ins, sign-outs, failed sign-ins and lockouts go into the audit log."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from wangge.accounts import actions
from wangge.accounts.models import User


@receiver(user_logged_in, dispatch_uid="wangge_audit_login")
def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if isinstance(user, User):
        actions.record_login(user, request)


@receiver(user_logged_out, dispatch_uid="wangge_audit_logout")
def _logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if isinstance(user, User):
        actions.record_logout(user, request)


@receiver(user_login_failed, dispatch_uid="wangge_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    username = str((credentials or {}).get(User.USERNAME_FIELD) or "")
    actions.record_login_failed(username, request)


@receiver(user_locked_out, dispatch_uid="wangge_audit_lockout")
def _locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    actions.record_lockout(str(username or ""), request)
