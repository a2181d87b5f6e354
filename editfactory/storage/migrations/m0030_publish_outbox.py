"""Publishing outbox columns (idempotency marker, uploaded media, batch, timing) and per-clip publish state."""

STATEMENTS = [
    # Short unique marker embedded invisibly in the post, so a retry can find a post that already arrived.
    "ALTER TABLE publications ADD COLUMN marker VARCHAR",
    "ALTER TABLE publications ADD COLUMN batch_id VARCHAR",
    "ALTER TABLE publications ADD COLUMN title VARCHAR",
    "ALTER TABLE publications ADD COLUMN media_id VARCHAR",
    "ALTER TABLE publications ADD COLUMN media_path VARCHAR",
    # Set just before the first create-post request: from then on the post may exist on the server.
    "ALTER TABLE publications ADD COLUMN first_sent_at TIMESTAMP",
    "ALTER TABLE publications ADD COLUMN next_attempt_at TIMESTAMP",
    "ALTER TABLE publications ADD COLUMN owner VARCHAR",
    "ALTER TABLE publications ADD COLUMN retryable BOOLEAN",
    "ALTER TABLE publications ADD COLUMN release_url VARCHAR",
    "ALTER TABLE publications ADD COLUMN state_checked_at TIMESTAMP",
    # Summary of where a clip stands on the social channels, kept beside clips (owned by the media area).
    """CREATE TABLE clip_publish_state (
        clip_id VARCHAR PRIMARY KEY,
        state VARCHAR NOT NULL,
        channels JSON NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
]
