"""Product photos as footage: a source is a video or a photo (stored upright in sRGB, rendered with motion)."""

STATEMENTS = [
    "ALTER TABLE source_videos ADD COLUMN kind VARCHAR NOT NULL DEFAULT 'video'",
]
