from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.boundaries import MAX_FILE_BYTES as MAX_BOUNDARY_BYTES
from wangge.areas.choices import KIND_LEVEL, AreaKind
from wangge.areas.models import Area

MAX_SHEET_BYTES = 10 * 1024 * 1024


class TreeImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("Sheet (.xlsx or .csv)"),
        help_text=_("Columns: code, name, kind, parent code (区划代码, 名称, 类型, 上级代码)."),
    )

    def clean_sheet(self) -> "UploadedFile[bytes]":
        sheet: UploadedFile[bytes] = self.cleaned_data["sheet"]
        if sheet.size is not None and sheet.size > MAX_SHEET_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return sheet


def child_kinds(parent: Area | None) -> list[tuple[str, Any]]:
    """The kinds that may sit directly below `parent` (any kind at the top)."""
    if parent is None:
        return list(AreaKind.choices)
    level = KIND_LEVEL[parent.kind] + 1
    return [(value, label) for value, label in AreaKind.choices if KIND_LEVEL[value] == level]


class AreaCreateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("area", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"))
    code = forms.CharField(
        label=_("Division code"),
        max_length=12,
        required=False,
        help_text=_("Optional: the official code (GB/T 2260, or the 12-digit statistical code)."),
    )

    def __init__(self, *args: Any, parent: Area | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: Any = self.fields["kind"]
        kind_field.choices = child_kinds(parent)


class AreaEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("area", "Name"), max_length=100)
    code = forms.CharField(
        label=_("Division code"),
        max_length=12,
        required=False,
        help_text=_("Leave empty to remove the code."),
    )


class BoundaryImportForm(forms.Form):
    outlines = forms.FileField(
        label=_("Outlines (.geojson)"),
        help_text=_(
            "A GeoJSON FeatureCollection in WGS84 longitude/latitude; each feature names its "
            "area by a code or a path property (区划代码 / 路径)."
        ),
    )

    def clean_outlines(self) -> "UploadedFile[bytes]":
        upload: UploadedFile[bytes] = self.cleaned_data["outlines"]
        if upload.size is not None and upload.size > MAX_BOUNDARY_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": MAX_BOUNDARY_BYTES // (1024 * 1024)}
            )
        return upload
