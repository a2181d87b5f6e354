"""Writing: each project keeps the brief its scripts and post copy are written from (editfactory.writing.brief)."""

STATEMENTS = [
    # The brief as JSON (product, description, price, offer, audience, tone, language, target seconds); NULL: none yet.
    "ALTER TABLE projects ADD COLUMN brief JSON",
]
