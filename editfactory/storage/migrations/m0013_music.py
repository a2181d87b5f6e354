"""Background music: the profile's music library, and each project's music choice."""

STATEMENTS = [
    # One imported track (library.music): the copy lives at ``path`` in the profile's music folder, named by
    # content; what the import measured (length, loudness, beat grid) is kept so renders need not measure again.
    """CREATE TABLE music_tracks (
        id VARCHAR PRIMARY KEY,
        filename VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL UNIQUE,
        size_bytes BIGINT NOT NULL,
        codec VARCHAR,
        duration DOUBLE NOT NULL,
        loudness_lufs DOUBLE NOT NULL,
        true_peak_db DOUBLE NOT NULL,
        tempo_bpm DOUBLE NOT NULL,
        beats JSON NOT NULL,
        steady_beat BOOLEAN NOT NULL,
        moods JSON NOT NULL DEFAULT '[]',
        tags JSON,
        created_at TIMESTAMP NOT NULL DEFAULT now()
    )""",
    # A project's music: a track, or any track of a mood (picked with the render's seed); NULL both = none.
    "ALTER TABLE projects ADD COLUMN music_track_id VARCHAR",
    "ALTER TABLE projects ADD COLUMN music_mood VARCHAR",
    # Level, start offset, fades, cut-on-beat (media.music.MusicOptions as a dict); NULL = the defaults.
    "ALTER TABLE projects ADD COLUMN music_options JSON",
    # The music a clip was made with ({"track_id", "title", "cut_on_beat", "options"}); NULL = none.
    "ALTER TABLE clips ADD COLUMN music JSON",
]
