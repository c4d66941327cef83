"""The event a run publishes when it has frozen a day (wangge.events): the bulletins of the
day are made on it. Payload: {"run": run id, "root": root area id, "day": "YYYY-MM-DD"}."""

SNAPSHOTS_MADE = "snapshots.made"
