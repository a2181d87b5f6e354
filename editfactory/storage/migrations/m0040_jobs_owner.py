"""Jobs: who owns a running job (process start time guards against pid reuse), its temp folder, retries."""

STATEMENTS = [
    # psutil's create_time of the owning process; with owner_pid and owner_host it tells a dead owner apart.
    "ALTER TABLE jobs ADD COLUMN owner_started DOUBLE",
    # The job's scratch folder, relative to the profile folder; removed on finish, cancel or recovery.
    "ALTER TABLE jobs ADD COLUMN temp_dir VARCHAR",
    "ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
]
