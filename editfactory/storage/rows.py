"""Inserting rows given as dicts, many at once — for the owner module of a table (see :mod:`editfactory.storage`).

The callers are the owners' bulk paths: rows of an old library being imported and the benchmarks'
synthetic libraries. Many rows go in as one statement over column lists (``UNNEST``), which DuckDB
takes far faster than one ``executemany`` row at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

_ONE_BY_ONE = 50
"""Up to this many rows are inserted one statement each (their values keep their own types exactly)."""


def insert_rows(cur: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` inside the caller's transaction; every row has the same keys (the columns)."""
    if not rows:
        return
    columns = list(rows[0])
    if any(list(row) != columns for row in rows):
        raise ValueError(f"Rows for {table} must all name the same columns, in the same order.")
    names = ", ".join(columns)
    if len(rows) <= _ONE_BY_ONE:
        marks = ", ".join("?" for _ in columns)
        for row in rows:
            cur.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))
        return
    unnested = ", ".join("UNNEST(?)" for _ in columns)
    cur.execute(f"INSERT INTO {table} ({names}) SELECT {unnested}", [[row[c] for row in rows] for c in columns])
