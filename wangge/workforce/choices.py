from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerKind(models.TextChoices):
    """What a person does in the response (the seeds' categories of people at work)."""

    STATIONED_CADRE = "stationed_cadre", _("Stationed cadre")
    STREET_STAFF = "street_staff", _("Street / township staff")
    COMMUNITY_STAFF = "community_staff", _("Community / village staff")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_MEMBER = "grid_member", _("Grid member")
    MEDICAL = "medical", _("Medical staff")
    POLICE = "police", _("Police")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    PROPERTY_STAFF = "property_staff", _("Property management staff")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee member")
    VETERAN = "veteran", _("Veteran")
    VOLUNTEER = "volunteer", _("Volunteer")


# The seeds' "staff" (工作人员): the people employed by streets, towns, communities and
# villages, grid leaders and members among them.
STAFF_KINDS = frozenset(
    {
        WorkerKind.STREET_STAFF,
        WorkerKind.COMMUNITY_STAFF,
        WorkerKind.GRID_LEADER,
        WorkerKind.GRID_MEMBER,
    }
)


class SentFrom(models.TextChoices):
    """The level of the office that sent a stationed cadre down (市级, 区级, 街道)."""

    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    STREET = "street", _("Street / township level")


class Committee(models.TextChoices):
    """The committees of the seeds' "3+3" model (社工委, 公卫委, 爱卫会)."""

    SOCIAL_WORK = "social_work", _("Social work committee")
    PUBLIC_HEALTH = "public_health", _("Public health committee")
    PATRIOTIC_HEALTH = "patriotic_health", _("Patriotic health committee")


class TeamKind(models.TextChoices):
    PARTY_VANGUARD = "party_vanguard", _("Party vanguard team")
    WOMEN_VOLUNTEER = "women_volunteer", _("Women's volunteer team")
    YOUTH_VANGUARD = "youth_vanguard", _("Youth vanguard team")
    BLUE_VEST = "blue_vest", _("Blue vest team")
    OTHER = "other", _("Other team")


class DutyLevel(models.IntegerChoices):
    """The level of the tree a duty covers (the area kinds' levels, areas.choices.KIND_LEVEL),
    down to the household."""

    DISTRICT = 1, _("District / county")
    STREET = 2, _("Street / town / township")
    COMMUNITY = 3, _("Community / village")
    GRID = 4, _("Grid / compound / village group")
    HOUSEHOLD = 6, _("Household")
