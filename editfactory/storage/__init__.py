"""Storage: the workspace on disk, per-profile DuckDB files, migrations and temp folders.

Table owners
------------
Each table of a profile's database is written (INSERT, UPDATE, DELETE) by one module only, its owner;
everything else reads it, or writes through the owner's functions (those that take a cursor join the
caller's transaction). Migrations (``editfactory.storage.migrations``) may change any table.
``tests/storage/test_table_owners.py`` keeps this list complete and true::

    projects              editfactory.services.projects
    project_sources       editfactory.services.projects
    clips                 editfactory.services.projects
    source_videos         editfactory.footage.sources
    segments              editfactory.footage.segments
    source_fingerprints   editfactory.footage.duplicates
    near_duplicates       editfactory.footage.duplicates
    music_tracks          editfactory.footage.music
    settings              editfactory.storage.settings
    voices                editfactory.tts.cloning
    tts_cache             editfactory.tts.cache
    jobs                  editfactory.jobs.store
    cost_entries          editfactory.costs.ledger
    publications          editfactory.publish.outbox
    clip_publish_state    editfactory.publish.outbox
    imports               editfactory.footage.importer
    meta                  editfactory.profiles.workspace
    schema_migrations     editfactory.storage.migrations
"""
