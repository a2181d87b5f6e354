"""Source quality: how much each source is enlarged in the output formats, and the warning shown when too much."""

STATEMENTS = [
    # Per output size (``WxH``): the enlargement when fitted, when cropped to fill, what ``auto`` framing picks,
    # the resulting enlargement and the part of the source shown (media.resolution.Enlargement).
    "ALTER TABLE source_videos ADD COLUMN enlargement JSON",
    # The sentence the studio shows when the source will look blurry (enlarged more than 2x); NULL when fine.
    "ALTER TABLE source_videos ADD COLUMN upscale_warning VARCHAR",
]
