"""Per-profile synthesis cache: the same provider, model, voice, settings and text is never paid for twice.

Audio lives in ``profile.paths.tts_cache``; the index is the profile's ``tts_cache`` table.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from editfactory.profiles.profile import Profile
from editfactory.tts.base import SynthesisResult, WordTiming


def cache_key(provider: str, model: str, voice: str, settings: dict[str, Any], text: str) -> str:
    material = json.dumps([provider, model, voice, settings, text], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def lookup(profile: Profile, key: str) -> SynthesisResult | None:
    """The cached result, or None; a row whose audio file vanished counts as a miss."""
    # One transaction for read + hit count: a hit should cost one open of the file, not two.
    with profile.db.transaction() as cursor:
        row = cursor.execute(
            "SELECT provider, model, voice, settings, audio_path, duration, timings, timings_exact, cost_usd FROM tts_cache"
            " WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        provider, model, voice, settings, audio_path, duration, timings, exact, made_for = row
        path = profile.paths.absolute(audio_path)
        if not path.is_file():
            cursor.execute("DELETE FROM tts_cache WHERE key = ?", [key])
            return None
        cursor.execute("UPDATE tts_cache SET hits = hits + 1 WHERE key = ?", [key])
    return SynthesisResult(
        audio_path=path,
        duration=float(duration),
        words=[WordTiming(w, float(s), float(e)) for w, s, e in json.loads(timings)],
        timings_exact=bool(exact),
        cost_usd=0.0,
        provider=provider,
        model=model,
        voice=voice,
        settings=json.loads(settings) if settings else {},
        cached=True,
        made_for_usd=float(made_for or 0.0),
    )


def contains(profile: Profile, key: str) -> bool:
    """Whether ``key`` has a cached synthesis whose audio is still there (read only: no hit is counted)."""
    row = profile.db.fetchone("SELECT audio_path FROM tts_cache WHERE key = ?", [key])
    return row is not None and profile.paths.absolute(row[0]).is_file()


def contains(profile: Profile, key: str) -> bool:
    """Whether a usable cached result exists; only reads (no hit count, no clean-up), for estimates and checks."""
    row = profile.db.fetchone("SELECT audio_path FROM tts_cache WHERE key = ?", [key])
    return row is not None and profile.paths.absolute(row[0]).is_file()


def store(profile: Profile, key: str, text: str, result: SynthesisResult) -> SynthesisResult:
    """Move the fresh audio into the cache folder and index it; returns the result pointing at the cached file."""
    folder = profile.paths.tts_cache
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}{Path(result.audio_path).suffix or '.wav'}"
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.move(str(result.audio_path), partial)
    os.replace(partial, target)
    timings = json.dumps([w.to_list() for w in result.words])
    with profile.db.transaction() as cursor:
        cursor.execute(
            "INSERT INTO tts_cache (key, provider, model, voice, settings, text, audio_path, duration, timings, timings_exact,"
            " cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
            " audio_path = excluded.audio_path, duration = excluded.duration, timings = excluded.timings,"
            " timings_exact = excluded.timings_exact, cost_usd = excluded.cost_usd",
            [key, result.provider, result.model, result.voice, json.dumps(result.settings, default=str), text,
             profile.paths.relative(target), result.duration, timings, result.timings_exact,
             float(result.voice_cost_usd)],
        )
    result.audio_path = target
    return result


def clear(profile: Profile) -> int:
    """Forget every cached synthesis of the profile; returns how many were removed."""
    rows = profile.db.fetchall("SELECT audio_path FROM tts_cache")
    profile.db.execute("DELETE FROM tts_cache")
    for (audio_path,) in rows:
        profile.paths.absolute(audio_path).unlink(missing_ok=True)
    return len(rows)
