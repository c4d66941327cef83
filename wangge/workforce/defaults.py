"""The default duties ("六包"): who answers for each level, from the district's leaders down
to the households. Administrators change them on the duties page; they are data."""

from typing import Any

# code, Chinese name, English name, level, required, order
DEFAULT_DUTIES = [
    (
        "district_leader_street",
        "包街道（乡镇）领导",
        "District leader for a street or town",
        2,
        True,
        1,
    ),
    (
        "street_leader_community",
        "包社区（村）领导",
        "Street or town leader for a community or village",
        3,
        True,
        1,
    ),
    ("cadre_community", "包社区（村）干部", "Cadre for a community or village", 3, True, 2),
    ("stationed_cadre_grid", "驻守干部", "Stationed cadre of a grid", 4, True, 1),
    (
        "grid_leader",
        "网格长（包组干部）",
        "Grid leader (a village cadre for a group)",
        4,
        True,
        2,
    ),
    ("household_representative", "联户代表", "Household representative", 6, False, 1),
]


def install_default_duties(duty_model: Any) -> None:
    """Write the default duties that are missing (the migration passes its historical model)."""
    for code, name, name_en, level, required, order in DEFAULT_DUTIES:
        duty_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "required": required,
                "order": order,
            },
        )
