"""Publishing: how many tries of a post have failed, so the wait before the next one grows (2 s, 4 s, … 5 min)."""

STATEMENTS = [
    # Failed uploads and create requests alike; the background retry loop waits longer after each.
    "ALTER TABLE publications ADD COLUMN failed_tries INTEGER NOT NULL DEFAULT 0",
]
