"""Pages for users and roles, device tokens, the audit log and one's own password.

Thin: each reads through the scoping choke point, calls one action, renders. An object
outside the actor's scope is a 404; a page whose permission the actor holds nowhere is a
403 (it names no object, so it tells nothing).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts import actions
from wangge.accounts.actions import AccountsError
from wangge.accounts.forms import AuditFilterForm, DeviceIssueForm, RoleGrantForm, UserCreateForm
from wangge.accounts.models import RoleAssignment, User
from wangge.accounts.selectors import (
    audit_entries,
    devices_visible_to,
    users_below,
    users_visible_to,
)
from wangge.audit.log import actor_for, detail_pairs
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404

PER_PAGE = 50

View = Callable[..., HttpResponse]


def permission_somewhere(permission: str) -> Callable[[View], View]:
    """The page needs `permission` on at least one area; without it anywhere: 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_any_area_permission(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def _query_without_page(request: AuthedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Users and roles


@require_GET
@permission_somewhere(Perm.MANAGE_USERS)
def users(request: AuthedRequest) -> HttpResponse:
    query = params.text(request.GET, "q", max_length=150)
    page = Paginator(users_visible_to(request.user, query), PER_PAGE).get_page(
        params.page(request.GET)
    )
    return render(
        request,
        "accounts/users.html",
        {"page": page, "q": query, "query": _query_without_page(request)},
    )


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
@permission_somewhere(Perm.MANAGE_USERS)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_user(
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                role=data["role"],
                area=data["area"],
                acting_user=actor_for(request),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The account was created."))
            return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _visible_user(request: AuthedRequest, pk: int) -> User:
    user: User = get_visible_or_404(User.objects.all(), request.user, Perm.MANAGE_USERS, pk=pk)
    return user


@require_GET
@login_required
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _visible_user(request, pk)
    actor = request.user
    assignments = (
        RoleAssignment.objects.visible_to(actor, Perm.MANAGE_USERS)
        .filter(user=target)
        .select_related("area")
        .order_by("area__path", "role")
    )
    rows = [
        {"assignment": item, "can_revoke": actions.can_grant(actor, item.role, item.area)}
        for item in assignments
    ]
    devices = devices_visible_to(actor).filter(user=target).order_by("-created_at")[:20]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "rows": rows,
            "devices": devices,
            "grant_form": RoleGrantForm(actor=actor),
            "can_manage": actions.is_below(actor, target, Perm.MANAGE_USERS),
        },
    )


@require_POST
@login_required
def user_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _visible_user(request, pk)
    form = RoleGrantForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a role and an area in your scope."))
        return redirect("accounts:user", pk=target.pk)
    try:
        actions.grant_role(
            target,
            form.cleaned_data["role"],
            form.cleaned_data["area"],
            acting_user=actor_for(request),
        )
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The role was granted."))
    return redirect("accounts:user", pk=target.pk)


@require_POST
@login_required
def role_revoke(request: AuthedRequest, pk: int, assignment_pk: int) -> HttpResponse:
    target = _visible_user(request, pk)
    assignment = get_visible_or_404(
        RoleAssignment.objects.filter(user=target).select_related("area", "user"),
        request.user,
        Perm.MANAGE_USERS,
        pk=assignment_pk,
    )
    try:
        actions.revoke_role(assignment, acting_user=actor_for(request))
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The role was removed."))
    return redirect("accounts:user", pk=target.pk)


@require_POST
@login_required
def user_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _visible_user(request, pk)
    try:
        actions.deactivate_user(target, acting_user=actor_for(request))
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The account was deactivated and its devices revoked."))
    return redirect("accounts:user", pk=target.pk)


@require_POST
@login_required
def user_reactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    target = _visible_user(request, pk)
    try:
        actions.reactivate_user(target, acting_user=actor_for(request))
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The account was reactivated."))
    return redirect("accounts:user", pk=target.pk)


# One's own password


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                request.user,
                form.cleaned_data["new_password1"],
                acting_user=actor_for(request),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            # Keep this session signed in; every other session of the account ends.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


# Device tokens


@require_GET
@login_required
def devices(request: AuthedRequest) -> HttpResponse:
    listed = devices_visible_to(request.user).order_by("-created_at")
    page = Paginator(listed, PER_PAGE).get_page(params.page(request.GET))
    return render(
        request,
        "accounts/devices.html",
        {
            "page": page,
            "can_issue": request.user.has_any_area_permission(Perm.ISSUE_DEVICES),
            "query": "",
        },
    )


@sensitive_variables("token")
def _issued(request: AuthedRequest, token: str, device: Any) -> HttpResponse:
    qr = segno.make(token, error="m")
    # segno writes plain SVG elements (no script, no style attribute); the token is
    # URL-safe base64, so there is nothing to escape in it.
    svg = mark_safe(qr.svg_inline(scale=5, border=2, dark="#000", light="#fff"))  # noqa: S308
    response = render(
        request, "accounts/device_issued.html", {"token": token, "device": device, "qr": svg}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@permission_somewhere(Perm.ISSUE_DEVICES)
def device_issue(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    candidates = [actor, *users_below(actor, Perm.ISSUE_DEVICES)]
    form = DeviceIssueForm(request.POST or None, actor=actor, users=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = next(user for user in candidates if user.pk == data["user"])
        try:
            token, device = actions.issue_device(
                holder,
                data["area"],
                data["label"],
                hours=data["hours"],
                acting_user=actor_for(request),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            return _issued(request, token, device)
    return render(request, "accounts/device_form.html", {"form": form})


@require_POST
@login_required
def device_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    device = devices_visible_to(request.user).filter(pk=pk).first()
    if device is None:
        raise Http404
    try:
        actions.revoke_device(device, acting_user=actor_for(request))
    except AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The device was revoked. Its token no longer works."))
    return redirect("accounts:devices")


# The audit log


@require_GET
@permission_somewhere(Perm.VIEW_AUDIT)
def audit_log(request: AuthedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actor=request.user)
    entries = audit_entries(request.user, form.wanted())
    page = Paginator(entries, PER_PAGE).get_page(params.page(request.GET))
    rows = [(entry, detail_pairs(entry.details)) for entry in page.object_list]
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": page, "rows": rows, "query": _query_without_page(request)},
    )
