"""A profile's music library: import, list, rename, tag and delete tracks; each project's music choice.

An import measures the file first (:func:`editfactory.media.music_analysis.analyze_track`: refused with its
reason when it is not audio, damaged, silent or under 5 s), then copies it into the profile's ``music`` folder
under a content-hash name, then writes the row; a failure removes what it wrote, so bad input changes nothing.
The same content imported twice is the same track.

A project plays no music, a chosen track, or "any track of mood X": the track is then picked by rendezvous
hashing of the render's seed with each candidate's content hash, so a retry (same seed) gets the same track
and adding a track to the library changes the pick only where the new track wins it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from editfactory.core.errors import NotFoundError, StorageError, ValidationError
from editfactory.core.ids import new_id
from editfactory.core.progress import ProgressCallback
from editfactory.media.beatcuts import beats_in_clip, snap_cuts
from editfactory.media.music import MusicBed, MusicOptions
from editfactory.media.music_analysis import analyze_track
from editfactory.media.spec import RenderSegment
from editfactory.profiles import Profile
from editfactory.services import projects
from editfactory.storage.settings import get_setting, set_setting

MUSIC_FOLDER = "music"
DEFAULT_SETTING = "music.default"
"""The profile's default music (a MusicChoice as a dict) for projects that never chose their own."""
MAX_MOODS = 12
MAX_MOOD_CHARS = 32
MAX_TITLE_CHARS = 200
AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".mp4", ".wav", ".ogg", ".oga", ".opus", ".flac")


@dataclass(frozen=True)
class MusicTrack:
    id: str
    filename: str
    title: str
    path: Path
    content_hash: str
    size_bytes: int
    codec: str | None
    duration: float
    loudness_lufs: float
    true_peak_db: float
    tempo_bpm: float
    beats: tuple[float, ...]
    steady_beat: bool
    moods: tuple[str, ...]
    tags: dict = field(default_factory=dict)
    created_at: datetime | None = None


_COLUMNS = ("id, filename, title, path, content_hash, size_bytes, codec, duration, loudness_lufs, true_peak_db, "
            "tempo_bpm, beats, steady_beat, moods, tags, created_at")


def _loaded(value):
    return json.loads(value) if isinstance(value, str) else value


def _row_to_track(profile: Profile, row: tuple) -> MusicTrack:
    values = dict(zip([c.strip() for c in _COLUMNS.split(",")], row))
    values["path"] = profile.paths.absolute(values["path"])
    values["beats"] = tuple(_loaded(values["beats"]) or ())
    values["moods"] = tuple(_loaded(values["moods"]) or ())
    values["tags"] = _loaded(values["tags"]) or {}
    return MusicTrack(**values)


def music_folder(profile: Profile) -> Path:
    return profile.folder / MUSIC_FOLDER


def clean_moods(moods) -> tuple[str, ...]:
    """Mood tags as stored: lower case, single spaces, each once, in the order given."""
    if isinstance(moods, str):
        moods = moods.split(",")
    cleaned = []
    for mood in moods or ():
        if not isinstance(mood, str):
            raise ValidationError("Mood tags are words such as 'upbeat' or 'calm'.")
        mood = " ".join(mood.lower().split())
        if not mood:
            continue
        if len(mood) > MAX_MOOD_CHARS:
            raise ValidationError(f"The mood tag {mood[:40]!r} is longer than {MAX_MOOD_CHARS} characters; shorten it.")
        if mood not in cleaned:
            cleaned.append(mood)
    if len(cleaned) > MAX_MOODS:
        raise ValidationError(f"A track can have at most {MAX_MOODS} mood tags; remove some.")
    return tuple(cleaned)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _by_hash(profile: Profile, content_hash: str) -> MusicTrack | None:
    row = profile.db.fetchone(f"SELECT {_COLUMNS} FROM music_tracks WHERE content_hash = ?", [content_hash])
    return _row_to_track(profile, row) if row else None


def import_track(profile: Profile, path: Path | str, *, filename: str | None = None, moods=(),
                 progress: ProgressCallback | None = None) -> MusicTrack:
    """Import a music file into ``profile``; the same content imported again returns the existing track.

    ``filename`` is the name the user knows the file by (an upload's original name); it defaults to the path's.
    """
    path = Path(path)
    name = Path(filename or path.name).name
    moods = clean_moods(moods)
    if not path.is_file():
        raise ValidationError(f"{path} does not exist or is not a file; check the path and try again.")
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(f"{name} is empty (0 bytes); the copy or download did not finish. Copy it again, then upload.")
    content_hash = _sha256(path)
    if (existing := _by_hash(profile, content_hash)) is not None:
        return existing
    if progress:
        progress(f"Measuring {name}", 0.1)
    analysis = analyze_track(path, name=name)
    track_id = new_id("trk")
    suffix = Path(name).suffix.lower()
    suffix = suffix if suffix in AUDIO_SUFFIXES else ".audio"
    folder = music_folder(profile)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{content_hash[:24]}{suffix}"
    try:
        if progress:
            progress(f"Copying {name} into the profile", 0.8)
        with profile.temp_dir("music") as scratch:
            shutil.copyfile(path, scratch / "track")
            os.replace(scratch / "track", target)
        with profile.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO music_tracks ({_COLUMNS.rsplit(',', 1)[0]}) VALUES ({', '.join('?' * 15)})",
                [track_id, name, analysis.title, profile.paths.relative(target), content_hash, size, analysis.codec,
                 analysis.duration, analysis.loudness_lufs, analysis.true_peak_db, analysis.grid.tempo_bpm,
                 json.dumps(list(analysis.grid.beats)), analysis.grid.steady, json.dumps(list(moods)),
                 json.dumps(analysis.tags)],
            )
    except BaseException as error:
        if isinstance(error, StorageError) and (existing := _by_hash(profile, content_hash)) is not None:
            return existing  # another process imported the same file a moment ago (its copy is this same file)
        target.unlink(missing_ok=True)
        raise
    if progress:
        progress(f"Imported {name}", 1.0)
    return get_track(profile, track_id)


def get_track(profile: Profile, track_id: str) -> MusicTrack:
    row = profile.db.fetchone(f"SELECT {_COLUMNS} FROM music_tracks WHERE id = ?", [track_id])
    if row is None:
        raise NotFoundError("Music track", track_id, profile.name)
    return _row_to_track(profile, row)


def list_tracks(profile: Profile, *, mood: str | None = None) -> list[MusicTrack]:
    """The profile's tracks by title; with ``mood``, only those tagged with it."""
    rows = profile.db.fetchall(f"SELECT {_COLUMNS} FROM music_tracks ORDER BY lower(title), id")
    tracks = [_row_to_track(profile, row) for row in rows]
    if mood is not None:
        wanted = clean_moods([mood])
        tracks = [t for t in tracks if wanted and wanted[0] in t.moods]
    return tracks


def rename_track(profile: Profile, track_id: str, title: str) -> MusicTrack:
    if not isinstance(title, str) or not title.strip():
        raise ValidationError("A track needs a title; type one.")
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:
        raise ValidationError(f"A track title can be at most {MAX_TITLE_CHARS} characters; shorten it.")
    get_track(profile, track_id)
    with profile.db.transaction() as cursor:
        cursor.execute("UPDATE music_tracks SET title = ? WHERE id = ?", [title, track_id])
    return get_track(profile, track_id)


def set_moods(profile: Profile, track_id: str, moods) -> MusicTrack:
    moods = clean_moods(moods)
    get_track(profile, track_id)
    with profile.db.transaction() as cursor:
        cursor.execute("UPDATE music_tracks SET moods = ? WHERE id = ?", [json.dumps(list(moods)), track_id])
    return get_track(profile, track_id)


def projects_using(profile: Profile, track_id: str) -> list[dict]:
    """The projects whose music is this track (``id`` and ``name``), by name."""
    rows = profile.db.fetchall("SELECT id, name FROM projects WHERE music_track_id = ? ORDER BY lower(name), id",
                               [track_id])
    return [{"id": row[0], "name": row[1]} for row in rows]


def delete_track(profile: Profile, track_id: str) -> None:
    """Delete a track and its file; refused while a project uses it (clips already made keep their sound)."""
    track = get_track(profile, track_id)
    users = [f"project {p['name']!r}" for p in projects_using(profile, track_id)]
    if default_music(profile).track_id == track_id:
        users.append("the profile's default music (Settings)")
    if users:
        names = ", ".join(users[:5]) + (" and others" if len(users) > 5 else "")
        raise ValidationError(f"{track.title!r} is in use by {names}; choose other music there first, then delete it.")
    with profile.db.transaction() as cursor:
        cursor.execute("DELETE FROM music_tracks WHERE id = ?", [track_id])
    track.path.unlink(missing_ok=True)


# -- a project's music --------------------------------------------------------


@dataclass(frozen=True)
class MusicChoice:
    """No music (both ``None``), a track, or any track of a mood; with how it plays."""

    track_id: str | None = None
    mood: str | None = None
    options: MusicOptions = MusicOptions()

    @property
    def wanted(self) -> bool:
        return self.track_id is not None or self.mood is not None

    def to_dict(self) -> dict:
        return {"track_id": self.track_id, "mood": self.mood, "options": self.options.to_dict()}

    @classmethod
    def from_dict(cls, data: dict | None) -> MusicChoice:
        data = dict(data or {})
        unknown = set(data) - {"track_id", "mood", "options"}
        if unknown:
            raise ValidationError(f"Music has no field(s) {sorted(unknown)}; use track_id, mood and options.")
        mood = clean_moods([data["mood"]])[0] if data.get("mood") else None
        track_id = data.get("track_id") or None
        if track_id is not None and mood is not None:
            raise ValidationError("Choose either a track or a mood for the music, not both.")
        return cls(track_id, mood, MusicOptions.from_dict(data.get("options")))


def _checked(profile: Profile, choice: MusicChoice | dict | None) -> MusicChoice:
    """``choice`` as a MusicChoice whose track or mood exists in this profile (else NotFound/ValidationError)."""
    choice = choice if isinstance(choice, MusicChoice) else MusicChoice.from_dict(choice)
    if choice.track_id is not None:
        get_track(profile, choice.track_id)
    if choice.mood is not None and not list_tracks(profile, mood=choice.mood):
        raise ValidationError(f"No track of this profile has the mood {choice.mood!r}; tag a track with it first.")
    return choice


def default_music(profile: Profile) -> MusicChoice:
    """The profile's default music (no music until one is saved)."""
    stored = get_setting(profile, DEFAULT_SETTING)
    try:
        return MusicChoice.from_dict(stored) if stored else MusicChoice()
    except ValidationError:  # saved by a version with other options: fall back to none rather than fail renders
        return MusicChoice()


def set_default_music(profile: Profile, choice: MusicChoice | dict | None) -> MusicChoice:
    """Save the profile's default music (track or mood, level…); a bad choice is refused and nothing is stored."""
    choice = _checked(profile, choice)
    set_setting(profile, DEFAULT_SETTING, choice.to_dict())
    return default_music(profile)


def set_project_music(profile: Profile, project_id: str, choice: MusicChoice | dict | None) -> MusicChoice:
    """Set a project's music (``None`` = no music); an unknown track or mood is refused and nothing changes."""
    projects.get_project(profile, project_id)
    choice = _checked(profile, choice)
    projects.update_project(profile, project_id, music_track_id=choice.track_id, music_mood=choice.mood,
                            music_options=choice.options.to_dict())
    return project_music(profile, project_id)


def clear_project_music(profile: Profile, project_id: str) -> MusicChoice:
    """The project goes back to the profile's default music."""
    projects.update_project(profile, project_id, music_track_id=None, music_mood=None, music_options=None)
    return project_music(profile, project_id)


def uses_profile_default(profile: Profile, project_id: str) -> bool:
    projects.get_project(profile, project_id)
    return profile.db.fetchone("SELECT music_options IS NULL FROM projects WHERE id = ?", [project_id])[0]


def choice_value(choice: MusicChoice) -> str:
    """A choice as one string for a picker: '' none, 'track:<id>' or 'mood:<mood>' (see :func:`choice_from_value`)."""
    return f"track:{choice.track_id}" if choice.track_id else f"mood:{choice.mood}" if choice.mood else ""


def choice_from_value(value: str, options: MusicOptions | None = None) -> MusicChoice:
    kind, _, rest = (value or "").partition(":")
    data = {"track_id": rest} if kind == "track" else {"mood": rest} if kind == "mood" else {}
    return MusicChoice.from_dict({**data, "options": (options or MusicOptions()).to_dict()})


def picker_choices(profile: Profile) -> dict[str, str]:
    """Label -> value of every choice: no music, each track (title, length, tempo), each mood."""
    tracks = list_tracks(profile)
    choices = {"No music": ""}
    choices.update({f"{t.title} ({t.duration:.0f} s, {t.tempo_bpm:.0f} BPM)": f"track:{t.id}" for t in tracks})
    choices.update({f"Any track that is {mood}": f"mood:{mood}" for mood in sorted({m for t in tracks for m in t.moods})})
    return choices


def project_music(profile: Profile, project_id: str) -> MusicChoice:
    """The project's music, or the profile's default when the project never chose (its options are unset)."""
    projects.get_project(profile, project_id)
    row = profile.db.fetchone("SELECT music_track_id, music_mood, music_options FROM projects WHERE id = ?", [project_id])
    if row[2] is None:
        return default_music(profile)
    return MusicChoice(row[0], row[1], MusicOptions.from_dict(_loaded(row[2])))


def pick_track(profile: Profile, choice: MusicChoice, seed: int = 0) -> MusicTrack | None:
    """The track a render with this choice and seed uses (``None`` for no music)."""
    if choice.track_id is not None:
        return get_track(profile, choice.track_id)
    if choice.mood is None:
        return None
    candidates = list_tracks(profile, mood=choice.mood)
    if not candidates:
        raise ValidationError(f"No track of this profile has the mood {choice.mood!r} any more; tag one, or pick a track.")
    return min(candidates, key=lambda t: hashlib.sha256(f"{seed}:{t.content_hash}".encode()).hexdigest())


# -- music for a render -------------------------------------------------------


@dataclass(frozen=True)
class PlannedMusic:
    """The track a production uses, as the render spec's music, and whether the cuts follow its beat."""

    track: MusicTrack
    bed: MusicBed
    cut_on_beat: bool

    def cut(self, segments: Sequence[RenderSegment], duration: float, fps: float,
            source_lengths: Mapping[Path, float]) -> list[RenderSegment]:
        """``segments`` with their cuts on the track's beats (when on); the clip keeps its length."""
        if not self.cut_on_beat:
            return list(segments)
        beats = beats_in_clip(self.bed, self.track.beats, duration)
        return snap_cuts(segments, beats, source_lengths, duration=duration, fps=fps)

    def describe(self) -> dict:
        return {"track_id": self.track.id, "title": self.track.title, "cut_on_beat": self.cut_on_beat,
                "options": self.bed.options.to_dict()}


def plan_music(profile: Profile, choice: MusicChoice, seed: int = 0) -> PlannedMusic | None:
    """The music of a render with this choice and seed, or ``None`` for none. Cutting on the beat follows the
    options, or (when unset) whether the track has a steady beat."""
    track = pick_track(profile, choice, seed)
    if track is None:
        return None
    on_beat = choice.options.cut_on_beat if choice.options.cut_on_beat is not None else track.steady_beat
    return PlannedMusic(track, MusicBed(track.path, track.duration, choice.options), bool(on_beat))
