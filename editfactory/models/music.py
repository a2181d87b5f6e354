"""The Music page's state: the profile's music library (tracks with their length, tempo and moods), uploads and
their refusals, and the track being played.

Every change goes through :mod:`editfactory.footage.music`, so a bad title, mood or upload is refused there with
its reason and nothing stored changes. The state is this session's own (one model per page per session).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import EditFactoryError, ValidationError
from editfactory.footage.music import (
    AUDIO_SUFFIXES,
    MusicTrack,
    delete_track,
    get_track,
    import_track,
    list_tracks,
    projects_using,
    rename_track,
    set_moods,
)
from editfactory.models.session import FAILED, StudioSession
from editfactory.profiles import Profile
from editfactory.services.uploads import MAX_UPLOAD_BYTES, discard_staged, refusal_reason, stage_upload

MUSIC_UPLOAD_BYTES = min(MAX_UPLOAD_BYTES, 500 * 1024**2)
"""500 MB per track: a lossless hour of music is about that; a longer file is not a bed under a short clip."""
MAX_TRACKS_PER_UPLOAD = 20


def track_row(track: MusicTrack, used_by: list[str]) -> dict[str, Any]:
    """One track as the page lists it."""
    return {"id": track.id, "title": track.title, "filename": track.filename, "duration": track.duration,
            "tempo_bpm": track.tempo_bpm, "steady_beat": track.steady_beat, "moods": list(track.moods),
            "loudness_lufs": track.loudness_lufs, "path": str(track.path), "used_by": used_by}


class MusicModel(param.Parameterized):
    """The music library of the session's profile, as the Music page shows it."""

    session = param.ClassSelector(class_=StudioSession)

    tracks = param.List(default=[], doc="The profile's tracks by title (see :func:`track_row`).")
    refused = param.List(default=[], doc="Files of the latest upload that were refused: {'file', 'reason'}.")
    imported = param.List(default=[], doc="Titles of the tracks the latest upload added (or found already there).")
    playing = param.String(default="", doc="Id of the track in the player ('' for none).")
    upload_limit = param.Integer(default=MUSIC_UPLOAD_BYTES, bounds=(1, None), doc="Largest track accepted per upload.")

    def _profile(self) -> Profile:
        return self.session.require_profile()

    def clear(self) -> None:
        """Forget everything shown (a profile switch: nothing of the last profile may stay on screen)."""
        self.param.update(tracks=[], refused=[], imported=[], playing="")

    # -- reading ---------------------------------------------------------------------

    def read_tracks(self) -> list[dict[str, Any]]:
        profile = self._profile()
        return [track_row(t, [p["name"] for p in projects_using(profile, t.id)]) for t in list_tracks(profile)]

    async def load(self) -> None:
        found = await self.session.call(self.read_tracks)
        if found is FAILED:
            return
        self.tracks = found
        if self.playing not in {t["id"] for t in found}:
            self.playing = ""

    def track(self, track_id: str) -> dict[str, Any] | None:
        return next((t for t in self.tracks if t["id"] == track_id), None)

    # -- uploading -------------------------------------------------------------------

    def import_files(self, files: list[tuple[str, bytes]]) -> dict[str, list]:
        """Import uploaded tracks one by one (runs in a worker thread): {'imported': titles, 'refused': [...]}.

        Each file is staged, measured and imported by :func:`import_track`; a file that cannot be used is refused
        with its reason (nothing of it is kept) and the others are still imported.
        """
        if not files:
            raise ValidationError("Choose or drop at least one music file.")
        if len(files) > MAX_TRACKS_PER_UPLOAD:
            raise ValidationError(f"Upload at most {MAX_TRACKS_PER_UPLOAD} tracks at once (got {len(files)}); "
                                  "split them up.")
        profile = self._profile()
        imported: list[str] = []
        refused: list[dict[str, str]] = []
        for filename, data in files:
            staged: Path | None = None
            try:
                staged = stage_upload(profile, filename, data, accept=AUDIO_SUFFIXES, max_bytes=self.upload_limit)
                track = import_track(profile, staged, filename=Path(str(filename)).name)
            except EditFactoryError as error:
                refused.append({"file": str(filename), "reason": refusal_reason(profile, staged or str(filename), error)})
            else:
                imported.append(track.title)
            finally:
                if staged is not None:
                    discard_staged(profile, staged)
        return {"imported": imported, "refused": refused}

    # -- editing ---------------------------------------------------------------------

    def rename(self, track_id: str, title: str) -> None:
        rename_track(self._profile(), track_id, title)

    def save_moods(self, track_id: str, moods: str | list[str]) -> None:
        set_moods(self._profile(), track_id, moods)

    def delete(self, track_id: str) -> None:
        """Delete a track; refused (saying which projects) while a project or the profile default uses it."""
        delete_track(self._profile(), track_id)

    def track_file(self, track_id: str) -> Path:
        return get_track(self._profile(), track_id).path
