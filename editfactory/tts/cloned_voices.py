"""The profile's cloned voices as stored: read back by id or provider, with the provider's handle resolved.

Below both synthesis (``service``, which speaks with a cloned voice) and cloning (``cloning``, which makes
one and previews it through ``service``), so neither has to import the other to find a voice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editfactory.core.errors import NotFoundError
from editfactory.profiles.profile import Profile
from editfactory.tts.registry import PROVIDERS

_COLUMNS = "id, provider, name, provider_voice_id, language, sample_paths, created_at, updated_at"


def stored_handle(profile: Profile, provider_name: str, handle: str) -> str:
    """What the ``voices`` row keeps of the handle ``clone_voice`` returned (a file: relative to the profile)."""
    cls = PROVIDERS.get(provider_name)
    return profile.paths.relative(Path(handle)) if cls is not None and cls.cloned_voice_is_file else handle


def _record(profile: Profile, row: dict[str, Any]) -> dict[str, Any]:
    record = dict(row)
    handle = record["provider_voice_id"]
    cls = PROVIDERS.get(record["provider"])
    record["provider_voice"] = str(profile.paths.absolute(handle)) if cls is not None and cls.cloned_voice_is_file \
        else handle
    record["sample_paths"] = [profile.paths.absolute(p) for p in record["sample_paths"]]
    return record


def list_cloned_voices(profile: Profile, provider: str | None = None) -> list[dict[str, Any]]:
    rows = profile.db.fetchdicts(
        f"SELECT {_COLUMNS} FROM voices WHERE ? IS NULL OR provider = ? ORDER BY created_at", [provider, provider])
    return [_record(profile, row) for row in rows]


def get_voice(profile: Profile, voice_id: str) -> dict[str, Any]:
    rows = profile.db.fetchdicts(f"SELECT {_COLUMNS} FROM voices WHERE id = ?", [voice_id])
    if not rows:
        raise NotFoundError("Voice", voice_id, profile.name)
    return _record(profile, rows[0])
