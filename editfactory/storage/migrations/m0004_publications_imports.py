"""The publishing outbox and the record of what the importer already brought in."""

STATEMENTS = [
    """CREATE TABLE publications (
        id VARCHAR PRIMARY KEY,
        clip_id VARCHAR NOT NULL,
        integration_id VARCHAR NOT NULL,
        platform VARCHAR NOT NULL DEFAULT '',
        post_type VARCHAR NOT NULL DEFAULT 'now',
        content VARCHAR NOT NULL DEFAULT '',
        settings JSON,
        scheduled_at TIMESTAMP,
        status VARCHAR NOT NULL DEFAULT 'pending',
        postiz_post_id VARCHAR,
        postiz_state VARCHAR,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    # What the importer took from a pre-profile library, so re-running it adds nothing twice.
    """CREATE TABLE imports (
        origin_key VARCHAR PRIMARY KEY,
        item_kind VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
]
