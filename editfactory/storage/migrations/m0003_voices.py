"""Cloned and saved voices, and the synthesis cache."""

STATEMENTS = [
    """CREATE TABLE voices (
        id VARCHAR PRIMARY KEY,
        provider VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        provider_voice_id VARCHAR,
        language VARCHAR,
        sample_paths VARCHAR[] NOT NULL DEFAULT [],
        settings JSON,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE tts_cache (
        key VARCHAR PRIMARY KEY,
        provider VARCHAR NOT NULL,
        model VARCHAR NOT NULL DEFAULT '',
        voice VARCHAR NOT NULL,
        settings JSON,
        text VARCHAR NOT NULL,
        audio_path VARCHAR NOT NULL,
        duration DOUBLE NOT NULL,
        timings JSON NOT NULL,
        timings_exact BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        hits INTEGER NOT NULL DEFAULT 0
    )""",
]
