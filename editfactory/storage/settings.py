"""Per-profile settings stored as JSON values in the profile's own database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # settings sit below profiles, with the storage they are kept in
    from editfactory.profiles.profile import Profile


def get_setting(profile: Profile, key: str, default: Any = None) -> Any:
    row = profile.db.fetchone("SELECT value FROM settings WHERE key = ?", [key])
    return default if row is None else json.loads(row[0])


def set_setting(profile: Profile, key: str, value: Any) -> None:
    with profile.db.transaction() as cur:
        cur.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, now()) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()",
            [key, json.dumps(value, ensure_ascii=False)],
        )


def delete_setting(profile: Profile, key: str) -> None:
    with profile.db.transaction() as cur:
        cur.execute("DELETE FROM settings WHERE key = ?", [key])
