"""Batch production for one profile: a CSV of products → one production job per row → results per row.

The CSV has a header row with ``product, script, source_folder, variants``, separated by commas, or by
semicolons or tabs as spreadsheets in many languages save "CSV" (the header tells which). Each row's source folder
(relative ones are resolved against ``base``, by default the CSV's own folder) holds that product's
footage. A bad row — empty script, unknown folder, a folder without usable video, a job that fails —
is reported with its reason and never stops the other rows.
Instead of a script, a row may give a brief to write it from offline (:mod:`editfactory.writing` templates,
one script per variant, different hooks): a ``brief`` column (what the product is, or text pasted from its
page) or ``description``, with optional ``price``, ``offer``, ``audience``, ``tone``, ``language`` and ``target_seconds`` columns.
An optional ``music`` column names a track file (imported into the profile's music library) or ``mood:X`` (any
track of that mood); left out or empty, the project's own music choice is used.

    items = read_batch_csv("products.csv")
    start_batch(profile, runner, items, progress=callback)   # prepares each row and queues its job
    follow_batch(profile, runner, items, progress=callback)  # until every job has finished
    rows = batch_results(profile, items)                     # status, clips, cost and reason per row
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editfactory.core.errors import EditFactoryError, NotFoundError, ValidationError
from editfactory.core.progress import ProgressCallback, ignore_progress, scaled
from editfactory.footage import analyze_source, import_source, list_segments
from editfactory.footage.music import import_track
from editfactory.jobs import JobRunner, JobStore
from editfactory.media.transitions import TRANSITIONS
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.pipeline.production import MAX_SCRIPT_CHARS
from editfactory.profiles import Profile
from editfactory.services import projects
from editfactory.services.uploads import FOOTAGE_SUFFIXES
from editfactory.writing.brief import Brief, save_brief
from editfactory.writing.templates import template_scripts

COLUMNS = ("product", "script", "source_folder", "variants")
REQUIRED = ("product", "source_folder", "variants")
SCRIPT_COLUMNS = ("script", "brief", "description")
"""At least one: the script, or a brief to write the scripts from."""
BRIEF_COLUMNS = {"brief": "description", "description": "description", "price": "price", "offer": "offer",
                 "audience": "audience", "tone": "tone", "language": "language", "target_seconds": "target_seconds"}
"""CSV column → Brief field."""
MUSIC_COLUMN = "music"
"""Optional: a track file, or ``mood:<mood>``."""
TRANSITION_COLUMN = "transition"
"""Optional: cut, crossfade, slide or zoom between the row's segments (empty: the project's choice)."""
MAX_VARIANTS = 10
FOOTAGE = frozenset(FOOTAGE_SUFFIXES)
"""What a source folder's files may be: videos and product photos."""
PREPARE_SHARE = 0.25
"""Part of a row's progress bar taken by importing and analyzing its footage (the job gets the rest)."""
REFUSED = "refused"
SEPARATORS = (",", ";", "\t")
"""Column separators read: the first whose header names every column wins."""
_SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tabs"}


@dataclass
class BatchItem:
    """One CSV row and what became of it: refused with a reason, or a production job."""

    line: int
    """The row's number as a spreadsheet shows it (the header is 1; a cell of several lines is one row)."""
    product: str
    script: str = ""
    source_folder: Path | None = None
    variants: int = 0
    project_id: str | None = None
    job_id: str | None = None
    error: str | None = None
    """Why the row was refused before it got a job; the job's own error is read from the job."""
    sources: list[str] = field(default_factory=list)
    music_file: Path | None = None
    music_mood: str | None = None
    transition: str | None = None
    brief: Brief | None = None
    """The brief the row's scripts were written from (kept as the project's brief)."""
    variant_scripts: list[str] = field(default_factory=list)
    """One script per variant, written from ``brief`` when the row has no script."""

    @property
    def refused(self) -> bool:
        return self.error is not None


def _videos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FOOTAGE)


def _parse_row(line: int, row: dict[str, str | None], base: Path) -> BatchItem:
    product = (row.get("product") or "").strip()
    script = (row.get("script") or "").strip()
    folder_text = (row.get("source_folder") or "").strip()
    variants_text = (row.get("variants") or "").strip() or "1"
    item = BatchItem(line, product or f"(row {line})", script)
    reasons = []
    if not product:
        reasons.append("the product name is empty")
    brief_fields = {field_name: (row.get(column) or "").strip() for column, field_name in BRIEF_COLUMNS.items()
                    if (row.get(column) or "").strip()}
    if not script and not brief_fields.get("description") and not brief_fields.get("price"):
        reasons.append("the script is empty; type the text the voice should read, or a brief (what the product "
                       "is) to write it from")
    elif len(script) > MAX_SCRIPT_CHARS:
        reasons.append(f"the script has {len(script):,} characters; a clip's voiceover takes at most "
                       f"{MAX_SCRIPT_CHARS:,}, so shorten it or split it into several rows")
    try:
        item.variants = int(variants_text)
        if not 1 <= item.variants <= MAX_VARIANTS:
            raise ValueError
    except ValueError:
        reasons.append(f"variants must be a whole number from 1 to {MAX_VARIANTS} (got {variants_text!r})")
    if not script and product and brief_fields and not reasons:
        try:  # offline templates: no model, no network, no cost for a batch of hundreds of products
            item.brief = Brief(product, **brief_fields)
            item.variant_scripts = [v.text for v in template_scripts(item.brief, item.variants)]
        except ValidationError as error:
            reasons.append(f"the brief cannot be used: {error}")
    if not folder_text:
        reasons.append("the source folder is empty")
    else:
        folder = Path(folder_text).expanduser()
        folder = folder if folder.is_absolute() else base / folder
        item.source_folder = folder
        if folder.exists() and not folder.is_dir():
            reasons.append(f"the source folder {folder} is a file, not a folder; give the folder that holds the videos")
        elif not folder.is_dir():
            reasons.append(f"the source folder {folder} does not exist")
        elif not _videos_in(folder):
            reasons.append(f"the source folder {folder} holds no video or photo ({', '.join(sorted(FOOTAGE))})")
    music_text = (row.get(MUSIC_COLUMN) or "").strip()
    if music_text.lower().startswith("mood:"):
        item.music_mood = music_text[5:].strip() or None
        if item.music_mood is None:
            reasons.append("the music mood is empty (write mood:upbeat, say)")
    elif music_text:
        music = Path(music_text).expanduser()
        item.music_file = music if music.is_absolute() else base / music
        if not item.music_file.is_file():
            reasons.append(f"the music file {item.music_file} does not exist")
    transition = (row.get(TRANSITION_COLUMN) or "").strip().lower()
    if transition and transition not in TRANSITIONS:
        reasons.append(f"the transition {transition!r} is not one of {', '.join(TRANSITIONS)}")
    item.transition = transition or None
    if reasons:
        item.error = "Row refused: " + "; ".join(reasons) + "."
    return item


def _records(text: str, separator: str) -> Iterator[list[str]]:
    # newline="" leaves line breaks to the csv module: a quoted cell keeps its own, and U+2028, form feeds and the
    # other characters str.splitlines() would break at stay inside their cell.
    return csv.reader(io.StringIO(text, newline=""), delimiter=separator)


def _header(text: str) -> tuple[str, list[str]]:
    """The separator and the header's column names (stripped, lower case): the first separator naming every column."""
    found = []
    for separator in SEPARATORS:
        try:
            names = [name.strip().lower() for name in next(_records(text, separator), [])]
        except csv.Error:
            names = []
        if all(name in names for name in REQUIRED) and any(name in names for name in SCRIPT_COLUMNS):
            return separator, names
        found.append((separator, names))
    return max(found, key=lambda pair: len(pair[1]))  # the split that finds most columns, for the message


def _csv_error(path: Path, line: int, error: csv.Error) -> ValidationError:
    if "field larger than field limit" in str(error):
        return ValidationError(
            f"The batch file {path.name} has a cell of more than {csv.field_size_limit() // 1024} KB around line {line}; "
            f"a script may have at most {MAX_SCRIPT_CHARS:,} characters. If no cell is that long, a quote (\") opened "
            "in a cell is not closed, so the rest of the file reads as one cell: close it, or save the file again "
            "from the spreadsheet."
        )
    return ValidationError(f"The batch file {path.name} cannot be read as CSV around line {line} ({error}); "
                           "save it again from the spreadsheet as CSV.")


def read_batch_csv(path: Path | str, base: Path | str | None = None) -> list[BatchItem]:
    """Every row of the CSV as a :class:`BatchItem`; rows that cannot be made carry their reason in ``error``."""
    path = Path(path)
    base = Path(base) if base is not None else path.parent
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"The batch file {path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise ValidationError(f"The batch file {path} is a folder; give the CSV file inside it.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"The batch file {path} cannot be read ({error}); save it as UTF-8 CSV.") from None
    separator, header = _header(text)
    missing = [name for name in REQUIRED if name not in header]
    if not any(name in header for name in SCRIPT_COLUMNS):
        missing.insert(1, "script (or brief)")
    if missing:
        first_line = text.split("\n", 1)[0]
        hint = next((f" Its first line seems separated by {_SEPARATOR_NAMES[other]}; that is fine, but every column "
                     "must be named." for other in (";", "\t") if other in first_line and "," not in first_line), "")
        raise ValidationError(
            f"The batch file {path.name} lacks the column(s) {', '.join(missing)}. "
            f"Its first line must name the columns: {','.join(COLUMNS)}.{hint}"
        )
    twice = next((name for index, name in enumerate(header) if name and name in header[:index]), None)
    if twice:
        raise ValidationError(f"The batch file {path.name} names the column {twice!r} twice in its first line; "
                              "keep one, so no row's value is silently dropped.")
    reader = _records(text, separator)
    items = []
    try:
        next(reader)
        for row_number, values in enumerate(reader, start=2):  # as a spreadsheet numbers rows: the header is 1
            if not any(value.strip() for value in values):
                continue  # blank line
            # A cell's line breaks as Windows spreadsheets save them (CR LF) become plain ones.
            row = dict(zip(header, (value.replace("\r\n", "\n").replace("\r", "\n") for value in values)))
            items.append(_parse_row(row_number, row, base))
    except csv.Error as error:
        raise _csv_error(path, reader.line_num, error) from None
    if not items:
        raise ValidationError(f"The batch file {path.name} has no rows under its header.")
    return items


def _project_for(profile: Profile, item: BatchItem) -> dict:
    for project in projects.list_projects(profile):
        if project["name"] == item.product:
            return project
    return projects.create_project(profile, item.product, script=item.script or next(iter(item.variant_scripts), ""))


def _prepare(profile: Profile, item: BatchItem, progress: ProgressCallback) -> None:
    """Import the row's footage (bad files are skipped with their reason) and analyze what is new."""
    videos = _videos_in(item.source_folder)
    refused = []
    for index, video in enumerate(videos):
        progress(f"{item.product}: importing {video.name}", index / len(videos) / 2)
        try:
            item.sources.append(import_source(profile, video).id)
        except EditFactoryError as error:
            refused.append(f"{video.name}: {error}")
    if not item.sources:
        raise ValidationError(f"None of the videos in {item.source_folder} can be used: " + "; ".join(refused))
    for index, source_id in enumerate(item.sources):
        if not list_segments(profile, source_id, origin="auto"):  # analyzed before: keep its segments
            analyze_source(profile, source_id, scaled(progress, 0.5 + index / len(item.sources) / 2,
                                                      0.5 + (index + 1) / len(item.sources) / 2,
                                                      f"{item.product}: analyzing: "))


def _row_music(profile: Profile, item: BatchItem) -> dict | None:
    """The row's music for its request (``None``: the project's choice); a bad track refuses the row."""
    if item.music_mood is not None:
        return {"mood": item.music_mood}
    if item.music_file is not None:
        return {"track_id": import_track(profile, item.music_file).id}
    return None


def start_batch(profile: Profile, runner: JobRunner, items: list[BatchItem], *, preset: str | dict = "tiktok",
                voice: dict[str, Any] | None = None, mode: str = "best",
                progress: ProgressCallback | None = None) -> list[BatchItem]:
    """Prepare every row that was not refused and queue its production job; a failing row gets its reason."""
    report = progress or ignore_progress
    count = max(len(items), 1)
    for index, item in enumerate(items):
        if item.refused or item.job_id:
            continue
        step = scaled(report, index / count * PREPARE_SHARE, (index + 1) / count * PREPARE_SHARE)
        try:
            project = _project_for(profile, item)
            item.project_id = project["id"]
            if item.brief is not None:
                save_brief(profile, project["id"], item.brief)
            _prepare(profile, item, step)
            projects.set_project_sources(profile, project["id"], item.sources)
            request = ProductionRequest(project["id"], item.script, variants=item.variants,
                                        variant_scripts=list(item.variant_scripts), preset=preset,
                                        voice=dict(voice or {}), mode=mode, music=_row_music(profile, item),
                                        transition=item.transition)
            item.job_id = start_production(runner, profile, request)
        except EditFactoryError as error:
            item.error = str(error)
    report("Every row is queued", PREPARE_SHARE)
    return items


def follow_batch(profile: Profile, runner: JobRunner, items: list[BatchItem], *,
                 progress: ProgressCallback | None = None, poll_seconds: float = 0.5) -> list[BatchItem]:
    """Wait until every row's job has finished, reporting the whole batch's progress as it goes."""
    report = progress or ignore_progress
    store = JobStore(profile)
    pending = [item for item in items if item.job_id]
    while True:
        jobs = {item.job_id: store.get(item.job_id) for item in pending}
        done = sum(1 for job in jobs.values() if job.finished)
        fraction = (sum(job.fraction for job in jobs.values()) + sum(1 for item in items if not item.job_id)) / max(len(items), 1)
        running = [f"{item.product}: {jobs[item.job_id].step}" for item in pending if not jobs[item.job_id].finished]
        report(f"{done} of {len(pending)} job(s) finished" + (f" — {running[0]}" if running else ""),
               PREPARE_SHARE + (1 - PREPARE_SHARE) * fraction)
        unfinished = [item for item in pending if not jobs[item.job_id].finished]
        if not unfinished:
            return items
        try:
            runner.wait(profile, unfinished[0].job_id, timeout=poll_seconds)
        except TimeoutError:
            pass


def batch_results(profile: Profile, items: list[BatchItem]) -> list[dict[str, Any]]:
    """One dict per row: status, the clips made (absolute paths), their music (track titles), cost, and the reason
    when it failed."""
    store = JobStore(profile)
    results = []
    for item in items:
        row: dict[str, Any] = {"line": item.line, "product": item.product, "variants": item.variants,
                               "status": REFUSED, "clips": [], "music": [], "cost_usd": 0.0, "error": item.error or ""}
        if item.job_id:
            job = store.get(item.job_id)
            row["status"], row["error"] = job.status, job.error or ""
            for clip_id in (job.outputs or {}).get("clip_ids", []):
                try:
                    clip = projects.get_clip(profile, clip_id)
                except NotFoundError:  # deleted since
                    continue
                row["clips"].append(str(profile.paths.absolute(clip["path"])))
                title = (clip.get("music") or {}).get("title")
                if title and title not in row["music"]:
                    row["music"].append(title)
                row["cost_usd"] += float(clip.get("cost_usd") or 0.0)
        results.append(row)
    return results
