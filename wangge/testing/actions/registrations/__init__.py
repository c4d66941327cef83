"""Station uploads: registrations into pooled tubes, walk-ins, sealing, home visits.

Import from the modules themselves: `planning` (validate a batch, resolve people and
rounds, before any write), `storing` (the write transaction: `register_batch`, `seal_tube`),
`sql` (the raw statements per database), `answers` (`ItemResult`, `REASONS`) and
`home_visits` (`record_home_visits`).

`storing.register_batch` is the hot path of a round: at the start of a district's round every desk
uploads at once, and this is where the registration systems of Shanghai and Xi'an stalled
(shared/PERFORMANCE.md). A batch of up to 500 items costs a constant number of queries:
everything is resolved with `__in` lookups and written with bulk inserts, and the write
transaction holds only the rows it must (the tubes it fills) for as short a time as it can.

The rules it keeps (shared/DOMAIN.md, docs/api.md):
- idempotent by client id: a retried batch stores nothing twice and answers `duplicate`;
- one answer per item, never an exception for one bad item;
- a tube never holds more registrations than its capacity (its `filled` is raised under
  the tube row's lock) and seals itself when full;
- the same person is never twice in the same tube; a person already sampled in the round
  is accepted (a recall retest) and flagged `already_sampled`;
- the first registration of a resident in a round inserts its `RoundSample`;
- every object an item names is in the device's scope (docs/security.md, "Every write is
  scoped"): its round, its sampling point and door-to-door team (their area in the
  device's subtree or above it), and an existing tube (its area, where the station that
  opened it stood, in the device's subtree). Anything else is refused as not found. The
  person sampled is not: people are sampled where they are, and counted at home.
"""
