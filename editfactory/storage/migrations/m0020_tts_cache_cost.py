"""What each cached voiceover cost when it was made, so a clip that reuses it shows that cost (not "Free")."""

STATEMENTS = [
    "ALTER TABLE tts_cache ADD COLUMN cost_usd DOUBLE NOT NULL DEFAULT 0",
]
