"""The default clock policies: how long the people responsible have to acknowledge an
incident, arrive on site and report up, counted from the report, by severity (the rows
with a blank kind), with a faster clock for medical emergencies. Administrators change
them in the admin; they are data."""

from django.db import migrations

# kind ("" = any), severity, acknowledge, arrive, report up (minutes from the report)
POLICIES = [
    ("", "critical", 5, 30, 60),
    ("", "high", 10, 60, 120),
    ("", "medium", 30, 120, 240),
    ("", "low", 60, 240, 480),
    ("medical", "critical", 3, 15, 30),
    ("medical", "high", 5, 20, 45),
]


def add_policies(apps, schema_editor):
    ClockPolicy = apps.get_model("incidents", "ClockPolicy")
    for kind, severity, acknowledge, arrive, report in POLICIES:
        ClockPolicy.objects.get_or_create(
            kind=kind,
            severity=severity,
            defaults={
                "acknowledge_minutes": acknowledge,
                "arrive_minutes": arrive,
                "report_minutes": report,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_incidents")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
