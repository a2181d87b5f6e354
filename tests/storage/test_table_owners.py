"""Each table has one owner module that writes it (the list is in editfactory/storage/__init__.py).

The package's source is scanned for SQL that writes a table (INSERT INTO, UPDATE … SET, DELETE FROM,
COPY … FROM, TRUNCATE) and for the bulk-row helper called with a table name; every write must be in the
table's owner. Migrations may change any table. The tables come from a freshly migrated profile, so a new
table without an owner is caught too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import editfactory
import editfactory.storage
from editfactory.profiles import Workspace

PACKAGE = Path(editfactory.__file__).parent
MIGRATIONS = PACKAGE / "storage" / "migrations"
_WRITE = re.compile(
    r"(?<!DO )\b(?:INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+"
    r"\"?(\{\}|[a-z_][a-z0-9_]*)\"?"
)
"""SQL keywords upper case (as every query here is written), so prose such as "update the voice" is not a write."""
_ROW_HELPERS = {"insert_rows"}
"""editfactory.storage.rows' helpers: called with a table name, they write that table."""
DYNAMIC_TABLE_WRITERS = {
    "editfactory.storage.rows": "the bulk-row helper itself; its callers are checked by the table they pass",
    "editfactory.services.projects": "_update_row and insert_rows take one of its own tables (insert_rows refuses others)",
}
"""Modules allowed to write a table named at run time, and why."""


def _owners() -> dict[str, str]:
    section = editfactory.storage.__doc__.split("Table owners", 1)[1]
    return dict(re.findall(r"^\s+([a-z_]+)\s+(editfactory(?:\.[a-z_]+)+)\s*$", section, re.MULTILINE))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sql_text(node: ast.AST) -> str | None:
    """A string literal (an f-string with ``{}`` for its holes), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def writes_in(source: str) -> list[tuple[int, str]]:
    """``(line, table)`` for each write in ``source``; ``{}`` as the table when it is named at run time."""
    found = []
    tree = ast.parse(source)
    inside_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if id(node) in inside_fstring:
            continue
        text = _sql_text(node)
        if text is not None:
            found += [(node.lineno, m.group(1)) for m in _WRITE.finditer(text)]
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.lstrip("_") in _ROW_HELPERS and len(node.args) >= 2 and not _is_owner_api(node.func):
                table = _sql_text(node.args[1])
                found.append((node.lineno, table if table is not None else "{}"))
    return sorted(found)


def _is_owner_api(func: ast.AST) -> bool:
    """``projects.insert_rows(...)`` goes through the owner (which checks the table); only the helper is a write."""
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id != "rows"


def _all_writes() -> list[tuple[str, int, str]]:
    return [(_module_name(path), line, table)
            for path in sorted(PACKAGE.rglob("*.py")) if not path.is_relative_to(MIGRATIONS)
            for line, table in writes_in(path.read_text(encoding="utf-8"))]


def test_every_table_has_one_owner_listed(tmp_path):
    profile = Workspace(tmp_path / "ws").create("Store")
    tables = {r[0] for r in profile.db.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
    owners = _owners()
    assert tables - set(owners) == set(), "add these tables with their owner module to editfactory/storage/__init__.py"
    assert set(owners) - tables == set(), "these listed tables no longer exist; take them off the list"


def test_tables_are_written_only_by_their_owner():
    owners = _owners()
    strays = [f"{module}:{line} writes {table} (owner: {owners[table]})" for module, line, table in _all_writes()
              if table in owners and module != owners[table] and owners[table] != "editfactory.storage.migrations"]
    strays += [f"{module}:{line} writes schema_migrations outside the migrations" for module, line, table in _all_writes()
               if table == "schema_migrations" and not module.startswith("editfactory.storage.migrations")]
    assert strays == [], "route these writes through the table's owner (editfactory/storage/__init__.py):\n" + "\n".join(strays)


def test_a_table_named_at_run_time_is_written_only_where_the_table_is_checked():
    dynamic = sorted({module for module, _, table in _all_writes() if table == "{}"})
    assert set(dynamic) <= set(DYNAMIC_TABLE_WRITERS), dynamic


def test_the_scan_finds_each_kind_of_write():
    """The scanner itself: each form of write that occurs in the package is found, prose is not."""
    source = '''
cur.execute("INSERT INTO clips (id) VALUES (?)", [1])
cur.execute("INSERT OR REPLACE INTO near_duplicates VALUES (?)", [1])
cur.execute(f"UPDATE jobs SET {sql} WHERE id = ?", [1])
cur.execute(f"DELETE FROM clips WHERE id IN ({marks})", ids)
cur.execute("INSERT INTO settings VALUES (?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [1])
cur.execute(f"INSERT INTO {table} VALUES (?)", [1])
insert_rows(cur, "segments", rows)
_insert_rows(cur, table, rows)
projects.insert_rows(cur, "clips", rows)
raise Error("update edge-tts, or delete from the list the voices you do not use")
'''
    assert writes_in(source) == [(2, "clips"), (3, "near_duplicates"), (4, "jobs"), (5, "clips"), (6, "settings"),
                                 (7, "{}"), (8, "segments"), (9, "{}")]
