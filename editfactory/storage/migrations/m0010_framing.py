"""Framing: a segment may override how its picture fills the frame (auto, fill or fit; NULL = the project's)."""

STATEMENTS = [
    "ALTER TABLE segments ADD COLUMN framing VARCHAR",
]
