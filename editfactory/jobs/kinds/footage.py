"""Library jobs: import uploaded source videos (each bad file refused with its reason), analyze a source."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from editfactory.core.errors import CancelledError, EditFactoryError, ProfileBusyError, StorageError, ValidationError
from editfactory.footage import analyze_source, get_source, import_source
from editfactory.footage.proxies import make_proxies
from editfactory.jobs.context import JobContext
from editfactory.jobs.registry import ANALYZE_SOURCE, IMPORT_SOURCES
from editfactory.jobs.runner import JobRunner
from editfactory.media.analysis import AnalysisOptions
from editfactory.profiles.profile import Profile
from editfactory.services import projects
from editfactory.services.uploads import discard_staged, refusal_reason

MAX_FILES_PER_IMPORT = 50
IMPORT_SHARE = 0.6
"""Share of an import job's progress bar for the files themselves; the rest is making their proxies."""


def _refusal(error: EditFactoryError) -> bool:
    """A problem with this one file (refuse it, go on) rather than with the profile or the job (stop)."""
    return not isinstance(error, (CancelledError, ProfileBusyError, StorageError))


def import_sources_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Import every file of ``inputs["paths"]``; a file that cannot be used is listed under "refused" with why.

    Imported sources are added to ``inputs["project_id"]`` when given. Staged uploads are removed once handled.
    Fails (with every reason) only when no file at all could be imported. Last, each imported video gets its
    low-resolution proxy for fast drafts (:mod:`editfactory.footage.proxies`); cancelling then keeps the import.
    """
    paths = [Path(p) for p in ctx.inputs.get("paths") or []]
    project_id = ctx.inputs.get("project_id")
    if project_id:
        projects.get_project(profile, project_id)
    known = {row[0] for row in profile.db.fetchall("SELECT id FROM source_videos")}
    imported: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    for index, path in enumerate(paths):
        ctx.check_cancelled()
        step = ctx.sub_progress(IMPORT_SHARE * index / len(paths), IMPORT_SHARE * (index + 1) / len(paths),
                                prefix=f"File {index + 1} of {len(paths)}: ")
        if not path.is_file():
            refused.append({"file": path.name, "reason": "The file is no longer there (uploads are kept only until "
                                                         "they are imported); upload it again."})
            continue
        try:
            source = import_source(profile, path, step)
        except EditFactoryError as error:
            if not _refusal(error):
                raise
            refused.append({"file": path.name, "reason": refusal_reason(profile, path, error)})
        else:
            imported.append({"file": path.name, "source_id": source.id, "duplicate": source.id in known,
                             "duration": source.duration, "width": source.width, "height": source.height})
            known.add(source.id)
        discard_staged(profile, path)
    if project_id and imported:
        current = projects.project_sources(profile, project_id)
        projects.set_project_sources(profile, project_id, [*current, *(item["source_id"] for item in imported)])
    if not imported:
        reasons = "; ".join(f"{item['file']}: {item['reason']}" for item in refused)
        raise ValidationError(f"None of the files could be imported. {reasons}")
    make_proxies(profile, [get_source(profile, item["source_id"]) for item in imported],
                 ctx.sub_progress(IMPORT_SHARE, 1.0), ctx.cancelled)
    ctx.progress(f"Imported {len(imported)} file(s), refused {len(refused)}", 1.0)
    return {"imported": imported, "refused": refused, "project_id": project_id}


def start_import(runner: JobRunner, profile: Profile, paths: list[Path | str], *,
                 project_id: str | None = None) -> str:
    """Queue the import of ``paths`` (staged uploads or files on this machine) into ``profile``; returns the job id."""
    paths = [str(Path(p)) for p in paths]
    if not paths:
        raise ValidationError("Choose at least one video file to import.")
    if len(paths) > MAX_FILES_PER_IMPORT:
        raise ValidationError(f"Import at most {MAX_FILES_PER_IMPORT} files at once (got {len(paths)}); split them up.")
    if project_id:
        projects.get_project(profile, project_id)  # NotFoundError for another profile's project
    return runner.submit(profile, IMPORT_SOURCES, {"paths": paths, "project_id": project_id})


def _options(raw: dict | None) -> AnalysisOptions:
    raw = dict(raw or {})
    known = {f.name for f in fields(AnalysisOptions)}
    unknown = set(raw) - known
    if unknown:
        raise ValidationError(f"Unknown analysis option(s) {sorted(unknown)}; use some of {sorted(known)}.")
    return AnalysisOptions(**raw)


def analyze_source_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Score a source's windows and store them as its automatic segments (manual ones are kept)."""
    source_id = ctx.inputs.get("source_id") or ""
    source = get_source(profile, source_id)
    # A source imported before proxies existed (or whose proxy was damaged) gets its proxy here; a whole one is kept.
    share = 1.0 if source.kind == "photo" else 0.85
    result = analyze_source(profile, source_id, ctx.sub_progress(0.0, share), ctx.cancelled,
                            _options(ctx.inputs.get("options")))
    if share < 1.0:
        make_proxies(profile, [source], ctx.sub_progress(share, 1.0), ctx.cancelled)
    ctx.progress("Analysis done", 1.0)
    return {"source_id": source_id, "segments": len(result.windows), "dropped": len(result.dropped),
            "duration": result.duration, "frames_sampled": result.frames_sampled}


def start_analysis(runner: JobRunner, profile: Profile, source_id: str, options: dict | None = None) -> str:
    """Queue the analysis of one source video of ``profile``; returns the job id."""
    get_source(profile, source_id)
    return runner.submit(profile, ANALYZE_SOURCE, {"source_id": source_id, "options": asdict(_options(options))})
