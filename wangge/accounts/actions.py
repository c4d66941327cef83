"""State changes of accounts: users, their roles on areas, device tokens, sign-ins.

Every function checks the acting person's authority itself, whoever calls it (a page, a
command, the API later), and writes an audit entry. The rules:

- Roles are granted and revoked only on areas inside the actor's MANAGE_USERS scope, and
  only roles whose every permission the actor holds there: nobody hands out more than
  they have, nor acts above their own areas.
- A user is *below* an actor when every role the user holds lies inside the actor's scope
  for the permission in question and grants nothing the actor lacks there. Only users
  below an actor can be deactivated by them or get device tokens from them.
"""

from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from wangge.accounts.devices import issue_device_token, revoke_device_token
from wangge.accounts.models import DeviceToken, RoleAssignment, User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.http import client_ip
from wangge.core.permissions import ROLE_PERMISSIONS, Perm, Role

MAX_DEVICE_HOURS = 30 * 24


class AccountsError(ValueError):
    """A change the actor may not make, or input that cannot be used; says why."""


@dataclass(frozen=True)
class _Acting:
    user: User
    actor: Actor


def _acting(acting_user: "User | Actor") -> _Acting:
    actor = log.as_actor(acting_user)
    if actor.user is None:
        raise AccountsError(_("Only a signed-in person can change accounts."))
    return _Acting(actor.user, actor)


def can_grant(actor: User, role: str, area: Area) -> bool:
    """Whether `actor` may grant or revoke `role` on `area`."""
    held = actor.permissions_at(area)
    return Perm.MANAGE_USERS in held and ROLE_PERMISSIONS[role] <= held


def grantable_roles(actor: User, area: Area) -> list[str]:
    return [role for role in Role.values if can_grant(actor, role, area)]


def is_below(actor: User, target: User, permission: str) -> bool:
    """Whether every role of `target` lies in `actor`'s scope for `permission`, and grants
    nothing that `actor` does not hold there. Superusers are below nobody."""
    if target.is_superuser or target.pk == actor.pk:
        return False
    if actor.is_superuser and actor.is_active:
        return True
    assignments = target._assignments()
    if not assignments:
        return False
    for role, path in assignments:
        held = actor.permissions_at_path(path)
        if permission not in held or not ROLE_PERMISSIONS[role] <= held:
            return False
    return True


def _user_area_path(user: User) -> str:
    """The deepest area above all of a user's roles, so that the audit of their sign-ins
    is seen by the people who manage them ("" when their roles span unrelated trees)."""
    paths = [path for _role, path in user._assignments()]
    if not paths:
        return ""
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: -Area.steplen]
    return common


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountsError(" ".join(str(message) for message in exc.messages)) from exc


@sensitive_variables("password")
@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    area: Area,
    acting_user: "User | Actor",
) -> User:
    """A new account, holding its first role on an area in the creator's scope.

    Every account starts with a role: an account without one would be in nobody's scope
    but a superuser's, and so could be managed by no one.
    """
    acting = _acting(acting_user)
    if not can_grant(acting.user, role, area):
        raise AccountsError(_("You may not grant this role on this area."))
    username = username.strip()
    if not username:
        raise AccountsError(_("The username is missing."))
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError(_("This username is taken."))
    user = User(username=username, display_name=display_name.strip()[:60])
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area)
    log.record(
        acting.actor,
        AuditEvent.USER_CREATE,
        obj=user,
        area_path=area.path,
        details={"username": user.username},
    )
    log.record(
        acting.actor,
        AuditEvent.ROLE_GRANT,
        obj=assignment,
        area_path=area.path,
        details={"user": user.username, "role": role, "area": area.name},
    )
    return user


@transaction.atomic
def grant_role(user: User, role: str, area: Area, *, acting_user: "User | Actor") -> RoleAssignment:
    """Give `user` a role on `area` (within the actor's scope and powers)."""
    acting = _acting(acting_user)
    if role not in Role.values:
        raise AccountsError(_("Unknown role."))
    if not can_grant(acting.user, role, area):
        raise AccountsError(_("You may not grant this role on this area."))
    if (
        user.is_superuser
        or not User.objects.visible_to(acting.user, Perm.MANAGE_USERS).filter(pk=user.pk).exists()
    ):
        raise AccountsError(_("This user is not in your areas."))
    if RoleAssignment.objects.filter(user=user, role=role, area=area).exists():
        raise AccountsError(_("The user already holds this role on this area."))
    assignment = RoleAssignment.objects.create(user=user, role=role, area=area)
    user.forget_assignments()
    log.record(
        acting.actor,
        AuditEvent.ROLE_GRANT,
        obj=assignment,
        area_path=area.path,
        details={"user": user.username, "role": role, "area": area.name},
    )
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, acting_user: "User | Actor") -> None:
    """Take a role away. An active account keeps at least one: deactivate it instead."""
    acting = _acting(acting_user)
    if not can_grant(acting.user, assignment.role, assignment.area):
        raise AccountsError(_("You may not revoke this role on this area."))
    user = assignment.user
    if user.is_active and user.role_assignments.count() <= 1:
        raise AccountsError(
            _("This is the user's last role. Deactivate the account instead of removing it.")
        )
    details = {"user": user.username, "role": assignment.role, "area": assignment.area.name}
    area_path = assignment.area.path
    assignment_id = str(assignment.pk)
    assignment.delete()
    user.forget_assignments()
    log.record(
        acting.actor,
        AuditEvent.ROLE_REVOKE,
        object_type=RoleAssignment._meta.label_lower,
        object_id=assignment_id,
        area_path=area_path,
        details=details,
    )


@transaction.atomic
def deactivate_user(user: User, *, acting_user: "User | Actor") -> int:
    """Close an account: it can no longer sign in, its sessions stop working at their next
    request, and its devices are revoked. Returns the number of devices revoked."""
    acting = _acting(acting_user)
    if not is_below(acting.user, user, Perm.MANAGE_USERS):
        raise AccountsError(_("You may only deactivate users below you."))
    revoked = DeviceToken.objects.filter(user=user).live().update(revoked_at=timezone.now())
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    log.record(
        acting.actor,
        AuditEvent.USER_DEACTIVATE,
        obj=user,
        area_path=_user_area_path(user),
        details={"username": user.username, "devices_revoked": revoked},
    )
    return revoked


@transaction.atomic
def reactivate_user(user: User, *, acting_user: "User | Actor") -> None:
    """Open a deactivated account again (its devices stay revoked: issue new ones)."""
    acting = _acting(acting_user)
    if not is_below(acting.user, user, Perm.MANAGE_USERS):
        raise AccountsError(_("You may only reactivate users below you."))
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    log.record(
        acting.actor,
        AuditEvent.USER_REACTIVATE,
        obj=user,
        area_path=_user_area_path(user),
        details={"username": user.username},
    )


@sensitive_variables("new_password")
@transaction.atomic
def change_password(user: User, new_password: str, *, acting_user: "User | Actor") -> None:
    """A person sets their own new password (already checked against the old one)."""
    acting = _acting(acting_user)
    if acting.user.pk != user.pk:
        raise AccountsError(_("People change only their own password here."))
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    log.record(
        acting.actor, AuditEvent.USER_PASSWORD_CHANGE, obj=user, area_path=_user_area_path(user)
    )


def may_issue_device(actor: User, user: User, area: Area) -> bool:
    """A device token for `user` on `area`: the area is in the actor's ISSUE_DEVICES scope
    and in the user's own scope, and the user is the actor or below them."""
    if Perm.ISSUE_DEVICES not in actor.permissions_at(area):
        return False
    if not user.is_active or not user.permissions_at(area):
        return False
    return user.pk == actor.pk or is_below(actor, user, Perm.ISSUE_DEVICES)


@sensitive_variables("token")
@transaction.atomic
def issue_device(
    user: User, area: Area, label: str, *, hours: int, acting_user: "User | Actor"
) -> tuple[str, DeviceToken]:
    """Issue a token after checking the actor's authority; the plain token is returned once."""
    acting = _acting(acting_user)
    if not 1 <= hours <= MAX_DEVICE_HOURS:
        raise AccountsError(_("A device token lasts between one hour and thirty days."))
    if not label.strip():
        raise AccountsError(_("Name the device."))
    if not may_issue_device(acting.user, user, area):
        raise AccountsError(_("You may not issue a device for this user on this area."))
    token, device = issue_device_token(
        user, area, label.strip(), acting_user=acting.actor, hours=hours
    )
    return token, device


@transaction.atomic
def revoke_device(device: DeviceToken, *, acting_user: "User | Actor") -> None:
    """Revoke a device in the actor's ISSUE_DEVICES scope (or one of their own)."""
    acting = _acting(acting_user)
    if device.user_id != acting.user.pk and Perm.ISSUE_DEVICES not in acting.user.permissions_at(
        device.area
    ):
        raise AccountsError(_("You may not revoke this device."))
    revoke_device_token(device, acting_user=acting.actor)


# Sign-ins, sign-outs and lockouts (connected to Django's and django-axes' signals).


def record_login(user: User, request: HttpRequest | None) -> None:
    log.record(
        Actor(user=user, source=client_ip(request) if request else ""),
        AuditEvent.AUTH_LOGIN,
        obj=user,
        area_path=_user_area_path(user),
    )


def record_logout(user: User, request: HttpRequest | None) -> None:
    log.record(
        Actor(user=user, source=client_ip(request) if request else ""),
        AuditEvent.AUTH_LOGOUT,
        obj=user,
        area_path=_user_area_path(user),
    )


def _attempted(username: str) -> tuple[str, User | None]:
    """The name tried (shortened: people type passwords into the wrong box) and the
    account it names, if any, so that its managers see the attempt."""
    user = User.objects.filter(username=username).first() if username else None
    return username[:40], user


def record_login_failed(username: str, request: HttpRequest | None) -> None:
    tried, user = _attempted(username)
    log.record(
        Actor(user=None, source=client_ip(request) if request else "", label="anonymous"),
        AuditEvent.AUTH_LOGIN_FAILED,
        obj=user,
        area_path=_user_area_path(user) if user else "",
        details={"username": tried},
    )


def record_lockout(username: str, request: HttpRequest | None) -> None:
    tried, user = _attempted(username)
    log.record(
        Actor(user=None, source=client_ip(request) if request else "", label="anonymous"),
        AuditEvent.AUTH_LOCKOUT,
        obj=user,
        area_path=_user_area_path(user) if user else "",
        details={"username": tried},
    )
