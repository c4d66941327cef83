"""Users, the roles they hold on areas, and the devices that act for them."""

from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.permissions import ROLE_PERMISSIONS, Role
from wangge.core.scoping import ScopedQuerySet, ScopedUser, in_scope, is_within, overlap


class UserQuerySet(ScopedQuerySet):
    """Users are in scope through the roles they hold on areas in the viewer's subtrees."""

    def visible_to(self, user: ScopedUser, permission: str) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.scope_paths(permission) is None:
            return self
        held = RoleAssignment.objects.visible_to(user, permission).values("user_id")
        # A superuser is above every area: nobody below them manages them.
        return self.filter(pk__in=held, is_superuser=False)


class WanggeUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user …) with the scoped queryset."""


class User(AbstractUser):
    """A person who signs in. What they see is the subtrees of the areas they hold roles on."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)

    objects: ClassVar[WanggeUserManager] = WanggeUserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def _assignments(self) -> list[tuple[str, str]]:
        cached: list[tuple[str, str]] | None = getattr(self, "_assignment_cache", None)
        if cached is None:
            cached = list(self.role_assignments.values_list("role", "area__path"))
            self._assignment_cache = cached
        return cached

    def scope_paths(self, permission: str) -> list[str] | None:
        """Area paths where this user holds `permission`; None for a superuser (everywhere).

        A deactivated account holds nothing, whatever roles are still recorded for it.
        """
        if not self.is_active:
            return []
        if self.is_superuser:
            return None
        return sorted(
            {path for role, path in self._assignments() if permission in ROLE_PERMISSIONS[role]}
        )

    def has_area_permission(self, permission: str, area: Area) -> bool:
        paths = self.scope_paths(permission)
        return in_scope(paths, area.path)

    def has_any_area_permission(self, permission: str) -> bool:
        paths = self.scope_paths(permission)
        return paths is None or bool(paths)

    def roles(self) -> set[str]:
        return {role for role, _path in self._assignments()}

    def permissions_at(self, area: Area) -> frozenset[str]:
        """Every permission this user holds on `area` (through roles on it or above it)."""
        return self.permissions_at_path(area.path)

    def permissions_at_path(self, area_path: str) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        if self.is_superuser:
            return frozenset().union(*ROLE_PERMISSIONS.values())
        held: set[str] = set()
        for role, path in self._assignments():
            if is_within(area_path, path):
                held |= ROLE_PERMISSIONS[role]
        return frozenset(held)

    def forget_assignments(self) -> None:
        """Drop the cached roles after they changed."""
        self.__dict__.pop("_assignment_cache", None)


class RoleAssignment(models.Model):
    """A user holding a role on an area: they act with its permissions on its whole subtree."""

    scope_path_lookup = "area__path"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("area")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class DeviceTokenQuerySet(ScopedQuerySet):
    def live(self) -> Self:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class DeviceToken(models.Model):
    """A field device's credential (sampling station, checkpoint phone).

    Issued to a user for one area: the device acts as that user, limited to that subtree.
    Only a hash of the token is stored; the token itself is shown once, at issue.
    """

    scope_path_lookup = "area__path"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="device_tokens", verbose_name=_("user")
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="device_tokens", verbose_name=_("area")
    )
    label = models.CharField(_("device"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Set up by a volunteer or sampler for themselves, with no one above vouching for it:
    # limited to what a desk needs (wangge/accounts/devices.py, docs/security.md).
    limited = models.BooleanField(_("volunteer's own device"), default=False, editable=False)

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    def scope_paths(self, permission: str) -> list[str] | None:
        """The device's scope: its area's subtree, where its user holds the permission."""
        if not self.user.is_active:
            return []
        return overlap([self.area.path], self.user.scope_paths(permission))

    @property
    def is_authenticated(self) -> bool:
        return True
