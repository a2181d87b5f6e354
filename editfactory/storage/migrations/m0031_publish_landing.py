"""Publishing: when an earlier create-post request can no longer land, and how many late copies were removed."""

STATEMENTS = [
    # Until then a request sent earlier (timed out, dropped, or in flight when the process died) may still
    # create the post on Postiz: the outbox looks for it, but never sends again before this moment.
    "ALTER TABLE publications ADD COLUMN resend_after TIMESTAMP",
    # Extra copies of this post found on Postiz (same marker) and removed by the status follow-up.
    "ALTER TABLE publications ADD COLUMN duplicates_removed INTEGER NOT NULL DEFAULT 0",
]
