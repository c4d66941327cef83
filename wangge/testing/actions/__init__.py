"""State changes of testing, one module per concern (import from the module itself):
rounds (plan, open, close, exemptions, grid figures), registrations (station uploads, tubes,
walk-ins, home visits), results (laboratory results, recall, positive cases), shipments,
followups (attempts to reach the untested)."""
