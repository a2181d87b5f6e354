"""Costs: who holds a reservation (so a dead process's hold is released) and what the call was estimated at."""

STATEMENTS = [
    # The reserving process, as for jobs: pid, host and start time (a reused pid is not mistaken for it).
    "ALTER TABLE cost_entries ADD COLUMN owner_pid INTEGER",
    "ALTER TABLE cost_entries ADD COLUMN owner_host VARCHAR",
    "ALTER TABLE cost_entries ADD COLUMN owner_started DOUBLE",
    # The provider's own estimate; cost_usd holds the reservation, then the billed amount.
    "ALTER TABLE cost_entries ADD COLUMN estimated_usd DOUBLE",
]
