"""Durable background jobs and the cost ledger (reservations and charges)."""

STATEMENTS = [
    """CREATE TABLE jobs (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        status VARCHAR NOT NULL DEFAULT 'queued',
        progress DOUBLE NOT NULL DEFAULT 0,
        step VARCHAR NOT NULL DEFAULT '',
        error VARCHAR,
        inputs JSON,
        outputs JSON,
        owner_pid INTEGER,
        owner_host VARCHAR,
        cancel_requested BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        started_at TIMESTAMP,
        updated_at TIMESTAMP NOT NULL DEFAULT now(),
        finished_at TIMESTAMP
    )""",
    """CREATE TABLE cost_entries (
        id VARCHAR PRIMARY KEY,
        provider VARCHAR NOT NULL,
        model VARCHAR NOT NULL DEFAULT '',
        units DOUBLE NOT NULL DEFAULT 0,
        unit VARCHAR NOT NULL DEFAULT 'characters',
        cost_usd DOUBLE NOT NULL,
        status VARCHAR NOT NULL,
        month VARCHAR NOT NULL,
        job_id VARCHAR,
        description VARCHAR NOT NULL DEFAULT '',
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        settled_at TIMESTAMP
    )""",
]
