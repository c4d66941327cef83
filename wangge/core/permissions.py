"""Roles and the permissions each grants, on the subtree of the area it is held on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COMMAND_CENTRE = "command_centre", _("Command centre")
    STREET_STAFF = "street_staff", _("Street / township staff")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_MEMBER = "grid_member", _("Grid member")
    SAMPLER = "sampler", _("Sampler")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Checkpoint officer")
    LAB_LIAISON = "lab_liaison", _("Lab liaison")
    VOLUNTEER = "volunteer", _("Volunteer")
    # A cadre sent down to a grid: first on site and first to report (驻守干部).
    STATIONED_CADRE = "stationed_cadre", _("Stationed cadre")


class Perm:
    """Permission names; a role grants a set of them on its area's subtree."""

    VIEW_AREAS = "areas.view"
    MANAGE_AREAS = "areas.manage"
    VIEW_REGISTRY = "residents.view"
    EDIT_REGISTRY = "residents.edit"
    IMPORT_REGISTRY = "residents.import"
    EXPORT_REGISTRY = "residents.export"
    REVEAL_PERSONAL = "residents.reveal"
    # Call a resident and record how a follow-up went (the untested list's 催检).
    CONTACT_RESIDENTS = "residents.contact"
    VIEW_TESTING = "testing.view"
    MANAGE_ROUNDS = "testing.manage"
    REGISTER_SAMPLES = "testing.register"
    LOAD_RESULTS = "testing.results"
    RECORD_EXEMPTIONS = "testing.exempt"
    MANAGE_USERS = "accounts.manage"
    ISSUE_DEVICES = "accounts.devices"
    VIEW_AUDIT = "accounts.audit"
    VIEW_WORKFORCE = "workforce.view"
    # Add and edit workers and teams, import their lists, assign responsibilities (包联).
    MANAGE_WORKFORCE = "workforce.manage"
    # Assign a team's tasks of the day on its dispatch board (a team's own leader may too).
    DISPATCH = "dispatch.manage"
    VIEW_INCIDENTS = "incidents.view"
    REPORT_INCIDENTS = "incidents.report"
    # Acknowledge, arrive, report up and close incidents of an area (their assignee may too).
    HANDLE_INCIDENTS = "incidents.handle"
    # Closed-loop control (闭环管理): set an area's risk level (封控/管控/防范).
    SET_RISK_LEVELS = "risk.manage"
    # See key persons, traced lists, checkpoints' volumes, duty posts and service requests.
    VIEW_CONTROL = "control.view"
    # The grid's closed-loop work: feedback on traced people, daily health checks and tests
    # of key persons, placing and releasing them, recording a household's service request.
    FOLLOW_UP = "control.follow_up"
    # Import traced lists, set measures' policies, set up checkpoints, duty posts and their
    # rosters, scheduled tasks, and assign service requests.
    MANAGE_CONTROL = "control.manage"
    # Register vehicles and people at a checkpoint (卡口), on a page or an offline device.
    REGISTER_CHECKPOINT = "checkpoints.register"
    # Take and deliver a household's door-to-door service request (上门服务).
    DELIVER_SERVICES = "services.deliver"
    # The daily cycle (一天一对接、一天一分析): read the day's frozen figures of an area, its
    # trends, the dashboard and the map, and download its bulletins.
    VIEW_ANALYSIS = "daily.view"
    # Confirm or correct (with a reason) a unit's figures of the day by the deadline (对接).
    DOCK_FIGURES = "daily.dock"
    # Make a new version of an area's snapshot (and its bulletin) on demand.
    MAKE_SNAPSHOTS = "daily.make"


# Staff can do what the people below them do (register samples at a desk included): a
# role or a device token is only handed out by someone who holds all of its permissions,
# so every permission of the field roles must be held by the staff above them.
# Contacting residents is the grid's work (grid leader and member, community staff, who
# knock on the doors of the untested); the staff above hold it only because they hand
# out those roles.
_STAFF = {
    Perm.VIEW_AREAS,
    Perm.VIEW_REGISTRY,
    Perm.EDIT_REGISTRY,
    Perm.IMPORT_REGISTRY,
    Perm.EXPORT_REGISTRY,
    Perm.VIEW_TESTING,
    Perm.REGISTER_SAMPLES,
    Perm.RECORD_EXEMPTIONS,
    Perm.CONTACT_RESIDENTS,
    Perm.VIEW_WORKFORCE,
    Perm.DISPATCH,
    Perm.VIEW_INCIDENTS,
    Perm.REPORT_INCIDENTS,
    Perm.HANDLE_INCIDENTS,
    Perm.VIEW_CONTROL,
    Perm.FOLLOW_UP,
    Perm.REGISTER_CHECKPOINT,
    Perm.DELIVER_SERVICES,
    Perm.VIEW_ANALYSIS,
    Perm.DOCK_FIGURES,
}
_LEADERS = _STAFF | {
    Perm.MANAGE_ROUNDS,
    Perm.ISSUE_DEVICES,
    Perm.LOAD_RESULTS,
    Perm.MANAGE_WORKFORCE,
    Perm.MANAGE_CONTROL,
    Perm.SET_RISK_LEVELS,
    Perm.MAKE_SNAPSHOTS,
}
# Anyone in the field can report something abnormal from a phone.
_FIELD = {Perm.VIEW_AREAS, Perm.REPORT_INCIDENTS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        _LEADERS | {Perm.MANAGE_AREAS, Perm.REVEAL_PERSONAL, Perm.MANAGE_USERS, Perm.VIEW_AUDIT}
    ),
    Role.COMMAND_CENTRE: frozenset(_LEADERS | {Perm.MANAGE_AREAS, Perm.REVEAL_PERSONAL}),
    Role.STREET_STAFF: frozenset(_LEADERS | {Perm.REVEAL_PERSONAL}),
    Role.COMMUNITY_STAFF: frozenset(
        _STAFF
        | {Perm.ISSUE_DEVICES, Perm.REVEAL_PERSONAL, Perm.MANAGE_WORKFORCE, Perm.MANAGE_CONTROL}
    ),
    Role.GRID_LEADER: frozenset(_STAFF),
    Role.GRID_MEMBER: frozenset(
        {
            Perm.VIEW_AREAS,
            Perm.VIEW_REGISTRY,
            Perm.VIEW_TESTING,
            Perm.RECORD_EXEMPTIONS,
            Perm.CONTACT_RESIDENTS,
            Perm.VIEW_WORKFORCE,
            Perm.VIEW_INCIDENTS,
            Perm.REPORT_INCIDENTS,
            Perm.VIEW_CONTROL,
            Perm.FOLLOW_UP,
            Perm.DELIVER_SERVICES,
        }
    ),
    Role.SAMPLER: frozenset(_FIELD | {Perm.REGISTER_SAMPLES}),
    Role.CHECKPOINT_OFFICER: frozenset(_FIELD | {Perm.REGISTER_CHECKPOINT}),
    Role.LAB_LIAISON: frozenset(_FIELD | {Perm.VIEW_TESTING, Perm.LOAD_RESULTS}),
    Role.VOLUNTEER: frozenset(_FIELD | {Perm.REGISTER_SAMPLES, Perm.DELIVER_SERVICES}),
    # The grid's own staff's view, with the incidents to handle and the team to dispatch.
    Role.STATIONED_CADRE: frozenset(
        {
            Perm.VIEW_AREAS,
            Perm.VIEW_REGISTRY,
            Perm.VIEW_TESTING,
            Perm.CONTACT_RESIDENTS,
            Perm.VIEW_WORKFORCE,
            Perm.DISPATCH,
            Perm.VIEW_INCIDENTS,
            Perm.REPORT_INCIDENTS,
            Perm.HANDLE_INCIDENTS,
            Perm.VIEW_CONTROL,
            Perm.FOLLOW_UP,
            Perm.DELIVER_SERVICES,
        }
    ),
}
