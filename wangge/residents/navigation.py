"""The registry's buttons on an area's page, each shown only to those who may use it."""

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.areas.extensions import AreaAction
from wangge.core.permissions import Perm

if TYPE_CHECKING:
    from wangge.areas.models import Area
    from wangge.core.http import AuthedRequest


def area_buttons(request: "AuthedRequest", area: "Area") -> list[AreaAction]:
    held = request.user.permissions_at(area)
    buttons: list[AreaAction] = []
    if area.is_grid and Perm.EDIT_REGISTRY in held:
        buttons.append(
            AreaAction(reverse("residents:household_create", args=[area.pk]), _("New household"))
        )
    if Perm.IMPORT_REGISTRY in held:
        buttons.append(
            AreaAction(f"{reverse('residents:import')}?area={area.pk}", _("Import a register"))
        )
    if area.is_grid and Perm.EXPORT_REGISTRY in held:
        buttons.append(
            AreaAction(reverse("residents:export_grid_xlsx", args=[area.pk]), _("Register (Excel)"))
        )
        buttons.append(
            AreaAction(
                reverse("residents:export_grid_pdf", args=[area.pk]), _("Printable register (PDF)")
            )
        )
    return buttons
