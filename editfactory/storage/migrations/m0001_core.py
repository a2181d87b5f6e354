"""Profile identity, settings, the source library, segments, projects and clips."""

STATEMENTS = [
    # Identity of the profile this file belongs to; checked on open so a copied file is noticed.
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    # Per-profile settings as JSON values (voice defaults, caption style, quota, publishing config).
    "CREATE TABLE settings (key VARCHAR PRIMARY KEY, value JSON NOT NULL, updated_at TIMESTAMP NOT NULL DEFAULT now())",
    """CREATE TABLE source_videos (
        id VARCHAR PRIMARY KEY,
        filename VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL UNIQUE,
        size_bytes BIGINT NOT NULL,
        duration DOUBLE,
        width INTEGER,
        height INTEGER,
        fps DOUBLE,
        rotation INTEGER DEFAULT 0,
        video_codec VARCHAR,
        audio_codec VARCHAR,
        has_audio BOOLEAN,
        thumbnail_path VARCHAR,
        status VARCHAR NOT NULL DEFAULT 'imported',
        probe JSON,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        analyzed_at TIMESTAMP
    )""",
    """CREATE TABLE segments (
        id VARCHAR PRIMARY KEY,
        source_id VARCHAR NOT NULL,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL,
        keywords VARCHAR[] NOT NULL DEFAULT [],
        notes VARCHAR NOT NULL DEFAULT '',
        favorite BOOLEAN NOT NULL DEFAULT false,
        origin VARCHAR NOT NULL DEFAULT 'manual',
        score DOUBLE,
        scores JSON,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE projects (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL DEFAULT '',
        script VARCHAR NOT NULL DEFAULT '',
        settings JSON,
        status VARCHAR NOT NULL DEFAULT 'draft',
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    "CREATE TABLE project_sources (project_id VARCHAR NOT NULL, source_id VARCHAR NOT NULL, PRIMARY KEY (project_id, source_id))",
    """CREATE TABLE clips (
        id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        status VARCHAR NOT NULL DEFAULT 'draft',
        path VARCHAR,
        duration DOUBLE,
        width INTEGER,
        height INTEGER,
        variant INTEGER NOT NULL DEFAULT 0,
        voiceover_path VARCHAR,
        captions_path VARCHAR,
        tts JSON,
        cost_usd DOUBLE NOT NULL DEFAULT 0,
        job_id VARCHAR,
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        updated_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
]
