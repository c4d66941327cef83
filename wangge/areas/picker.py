"""The tree picker: a form's choice of areas among thousands, without listing them all.

The chosen areas are chips, each holding a hidden input of the field's name, so the form
posts the same values a multiple select would. Areas to add come from a tree whose
branches load on demand and from a search by name (HTMX, `areas:picker_branch` and
`areas:picker_search`), both scoped to the areas the user holds the permission on; a few
lines of script (static/areas/picker.js) move an area into the chips and out again.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.renderers import BaseRenderer
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.areas.selectors import picker_roots
from wangge.core.scoping import ScopedUser


class AreaPicker(forms.Widget):
    """Chips of the chosen areas, a search field and a lazily loaded tree."""

    template_name = "areas/picker/widget.html"

    class Media:
        css = {"all": ["areas/picker.css"]}
        js = ["areas/picker.js"]

    def __init__(self, *, user: ScopedUser, permission: str, queryset: QuerySet[Area]) -> None:
        super().__init__()
        self.user = user
        self.permission = permission
        self.queryset = queryset

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return list(data.getlist(name))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no chip at all is a choice of none

    def format_value(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(item, "pk", item)) for item in values if item not in (None, "")]

    def render(
        self, name: str, value: Any, attrs: Any = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        # The project's template engine (the form renderer's sees only the apps' templates).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(item) for item in context["widget"]["value"] if str(item).isdigit()]
        context["widget"].update(
            chosen=list(self.queryset.filter(pk__in=ids).order_by("path")) if ids else [],
            roots=picker_roots(self.user, self.permission),
            perm=self.permission,
        )
        return context


class AreaPickerField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Areas the user holds `permission` on, buildings left out, chosen in a tree picker."""

    def __init__(self, *, user: ScopedUser, permission: str, **kwargs: Any) -> None:
        queryset = Area.objects.visible_to(user, permission).exclude(kind=AreaKind.BUILDING)
        widget = AreaPicker(user=user, permission=permission, queryset=queryset)
        super().__init__(queryset=queryset, widget=widget, **kwargs)
