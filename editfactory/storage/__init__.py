"""Storage: the workspace on disk, per-profile DuckDB files, migrations and temp folders."""
