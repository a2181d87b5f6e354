"""Every public service function that takes an id of a profile's item, called through another profile.

``CALLS`` maps each function's qualified name to a call that hands it the ids
of the *owner's* items (``Items``) through the profile ``via``. The isolation
tests run every entry deterministically and in the random walk; a test also
lists the package's id-taking functions, so a new one fails until it is added
here. ``EXPECT_EMPTY`` names read functions that filter by the id: through
another profile they may answer "nothing" instead of refusing.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from editfactory.core.ids import new_id
from editfactory.costs import ledger
from editfactory.footage import (analysis, captions, deletion, duplicates, framing, music, posters, segments, selection,
                                 sources)
from editfactory.footage import proxies
from editfactory.footage import transitions as project_transitions
from editfactory.jobs import JobRunner, JobStore
from editfactory.jobs.kinds import footage as library_jobs
from editfactory.jobs.kinds import publishing as publishing_jobs
from editfactory.jobs.kinds import voices as voice_jobs
from editfactory.services import brand, clip_catalog, offer, projects
from editfactory.media.captions import CaptionStyle
from editfactory.profiles import Profile
from editfactory.publish import outbox, service
from editfactory.tts import cloning
from editfactory.tts.service import synthesize_for_profile
from editfactory.writing import brief as briefs
from editfactory.writing import post_copy
from tests.music_tracks import make_track


@dataclass(frozen=True)
class Items:
    """One of each kind of item in a profile, made by ``populate``."""

    project: str
    clip: str
    source: str
    segment: str
    voice: str
    publication: str
    job: str
    video: Path
    track: str


def populate(profile: Profile, video: Path) -> Items:
    """Give ``profile`` a project (playing a music track), clip (with a rendered file), source, segment, cloned
    voice, publication, job and music track.

    Sources and voices are written as rows over files in the profile's folder: refusals never get past the
    lookup, so no real import or cloning is needed for them. The music track is a real import of a short kick
    made with ffmpeg next to ``video`` (once per folder).
    """
    project = projects.create_project(profile, "Summer")
    source_id, segment_id, voice_id = new_id("src"), new_id("seg"), new_id("voice")
    media = profile.paths.media / f"{source_id}.mp4"
    media.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(video, media)
    rendered = profile.paths.renders / f"{project['id']}.mp4"
    rendered.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(video, rendered)
    with profile.db.transaction() as cur:
        cur.execute(
            "INSERT INTO source_videos (id, filename, path, content_hash, size_bytes, duration, width, height, fps,"
            " rotation, has_audio, status) VALUES (?, 'shoe.mp4', ?, ?, 1, 1.0, 320, 240, 10, 0, false, 'imported')",
            [source_id, profile.paths.relative(media), source_id],
        )
        cur.execute("INSERT INTO segments (id, source_id, start_s, end_s, origin) VALUES (?, ?, 0, 1, 'manual')",
                    [segment_id, source_id])
        cur.execute("INSERT INTO voices (id, provider, name, provider_voice_id, sample_paths, settings)"
                    " VALUES (?, 'elevenlabs', 'Anna', 'el-voice', [], '{}')", [voice_id])
    projects.set_project_sources(profile, project["id"], [source_id])
    clip = projects.create_clip(profile, project["id"], "Summer v1", status="rendered",
                                path=profile.paths.relative(rendered), duration=1.0)
    [publication] = outbox.record(profile, [outbox.NewPublication(
        clip["id"], "tiktok-1", "tiktok", "post", "Hello", {}, None, None, new_id("m"))])
    job = JobStore(profile).create("test.noop")
    kick = video.parent / "isolation-kick.wav"
    if not kick.exists():
        make_track(kick, seconds=6)
    track = music.import_track(profile, kick, moods=["upbeat"])
    music.set_project_music(profile, project["id"], {"track_id": track.id})
    return Items(project["id"], clip["id"], source_id, segment_id, voice_id, publication.id, job.id, rendered,
                 track.id)


def _runner_call(method: str):
    def call(via: Profile, it: Items):
        with JobRunner(workers=1) as runner:
            return getattr(runner, method)(via, it.job)
    return call


def _job_kind_call(start, *args_of, **kwargs):
    def call(via: Profile, it: Items):
        with JobRunner(workers=1) as runner:
            return start(runner, via, *[a(it) for a in args_of], **kwargs)
    return call


CALLS = {
    # projects and clips
    "editfactory.services.projects.get_project": lambda via, it: projects.get_project(via, it.project),
    "editfactory.services.projects.update_project": lambda via, it: projects.update_project(via, it.project, name="Taken"),
    "editfactory.services.projects.delete_project": lambda via, it: projects.delete_project(via, it.project),
    "editfactory.services.projects.set_project_sources": lambda via, it: projects.set_project_sources(via, it.project, [it.source]),
    "editfactory.services.projects.project_sources": lambda via, it: projects.project_sources(via, it.project),
    "editfactory.services.projects.create_clip": lambda via, it: projects.create_clip(via, it.project, "Stolen"),
    "editfactory.services.projects.get_clip": lambda via, it: projects.get_clip(via, it.clip),
    "editfactory.services.projects.update_clip": lambda via, it: projects.update_clip(via, it.clip, name="Taken"),
    "editfactory.services.projects.delete_clip": lambda via, it: projects.delete_clip(via, it.clip),
    "editfactory.services.projects.list_clips": lambda via, it: projects.list_clips(via, it.project),
    "editfactory.services.projects.count_clips": lambda via, it: projects.count_clips(via, it.project),
    "editfactory.services.projects.clips_page": lambda via, it: projects.clips_page(via, it.project),
    "editfactory.services.projects.find_clip": lambda via, it: projects.find_clip(via, it.project, f"renders/{it.video.name}"),
    "editfactory.services.clip_catalog.delete_clips": lambda via, it: clip_catalog.delete_clips(via, [it.clip]),
    "editfactory.services.clip_catalog.poster_for": lambda via, it: clip_catalog.poster_for(via, it.clip, it.video, 1.0),
    "editfactory.footage.posters.clip_poster": lambda via, it: posters.clip_poster(via, it.clip),
    # sources and segments
    "editfactory.footage.sources.get_source": lambda via, it: sources.get_source(via, it.source),
    "editfactory.footage.deletion.delete_source": lambda via, it: deletion.delete_source(via, it.source),
    "editfactory.footage.deletion.source_usage": lambda via, it: deletion.source_usage(via, it.source),
    # a project's finishing choices: transition, logo, offer, brief; post copy for a clip
    "editfactory.footage.transitions.project_transition":
        lambda via, it: project_transitions.project_transition(via, it.project),
    "editfactory.footage.transitions.set_project_transition":
        lambda via, it: project_transitions.set_project_transition(via, it.project, "crossfade"),
    "editfactory.services.brand.project_watermark": lambda via, it: brand.project_watermark(via, it.project),
    "editfactory.services.brand.set_project_watermark": lambda via, it: brand.set_project_watermark(via, it.project, False),
    "editfactory.services.brand.watermark_for": lambda via, it: brand.watermark_for(via, it.project),
    "editfactory.services.offer.get_offer": lambda via, it: offer.get_offer(via, it.project),
    "editfactory.services.offer.set_offer":
        lambda via, it: offer.set_offer(via, it.project, {"product": "Stolen", "price": 1.0, "currency": "EUR"}),
    "editfactory.writing.brief.load_brief": lambda via, it: briefs.load_brief(via, it.project),
    "editfactory.writing.brief.save_brief": lambda via, it: briefs.save_brief(via, it.project, briefs.Brief("Stolen")),
    "editfactory.writing.post_copy.suggest_for_clip":
        lambda via, it: post_copy.suggest_for_clip(via, it.clip, ["tiktok"], use_model=False),
    "editfactory.footage.sources.list_sources": lambda via, it: sources.list_sources(via, project_id=it.project),
    "editfactory.footage.sources.count_sources": lambda via, it: sources.count_sources(via, project_id=it.project),
    "editfactory.footage.analysis.analyze_source": lambda via, it: analysis.analyze_source(via, it.source),
    "editfactory.footage.captions.caption_preview":
        lambda via, it: captions.caption_preview(via, CaptionStyle(), source_id=it.source),
    "editfactory.footage.segments.create_segment": lambda via, it: segments.create_segment(via, it.source, 0, 0.5),
    "editfactory.footage.segments.get_segment": lambda via, it: segments.get_segment(via, it.segment),
    "editfactory.footage.segments.update_segment": lambda via, it: segments.update_segment(via, it.segment, notes="x"),
    "editfactory.footage.segments.delete_segment": lambda via, it: segments.delete_segment(via, it.segment),
    "editfactory.footage.segments.list_segments": lambda via, it: segments.list_segments(via, it.source),
    "editfactory.footage.segments.count_segments": lambda via, it: segments.count_segments(via, it.source),
    "editfactory.footage.segments.replace_auto_segments":
        lambda via, it: segments.replace_auto_segments(via, it.source, [(0.0, 1.0, 0.5, {})]),
    "editfactory.footage.selection.candidates_for": lambda via, it: selection.candidates_for(via, [it.source]),
    "editfactory.footage.selection.choose_footage": lambda via, it: selection.choose_footage(via, [it.source], 1.0),
    "editfactory.footage.selection.select_for_sources":
        lambda via, it: selection.select_for_sources(via, [it.source], 1.0),
    "editfactory.footage.framing.project_framing": lambda via, it: framing.project_framing(via, it.project),
    "editfactory.footage.framing.set_project_framing": lambda via, it: framing.set_project_framing(via, it.project, "fit"),
    "editfactory.footage.framing.resolved_framing": lambda via, it: framing.resolved_framing(via, it.project),
    "editfactory.footage.duplicates.record_fingerprint":
        lambda via, it: duplicates.record_fingerprint(via, it.source, [1, 3, 5, 7], 4.0),
    "editfactory.footage.duplicates.copies_of": lambda via, it: duplicates.copies_of(via, it.source),
    "editfactory.footage.duplicates.copies_among": lambda via, it: duplicates.copies_among(via, [it.source]),
    "editfactory.footage.duplicates.segment_copies": lambda via, it: duplicates.segment_copies(via, [it.source]),
    "editfactory.footage.duplicates.with_copies": lambda via, it: duplicates.with_copies(via, [it.source], []),
    # music tracks and a project's music
    # A proxy is a file in the given profile's own folder, named by the source id: another profile's id finds none
    # there, and deleting removes nothing of the owner's.
    "editfactory.footage.proxies.proxy_path": lambda via, it: proxies.proxy_path(via, it.source).is_file(),
    "editfactory.footage.proxies.delete_proxy": lambda via, it: proxies.delete_proxy(via, it.source),
    "editfactory.footage.music.get_track": lambda via, it: music.get_track(via, it.track),
    "editfactory.footage.music.rename_track": lambda via, it: music.rename_track(via, it.track, "Taken"),
    "editfactory.footage.music.set_moods": lambda via, it: music.set_moods(via, it.track, ["taken"]),
    "editfactory.footage.music.delete_track": lambda via, it: music.delete_track(via, it.track),
    "editfactory.footage.music.projects_using": lambda via, it: music.projects_using(via, it.track),
    "editfactory.footage.music.project_music": lambda via, it: music.project_music(via, it.project),
    "editfactory.footage.music.set_project_music":
        lambda via, it: music.set_project_music(via, it.project, {"track_id": it.track}),
    "editfactory.footage.music.clear_project_music": lambda via, it: music.clear_project_music(via, it.project),
    "editfactory.footage.music.uses_profile_default": lambda via, it: music.uses_profile_default(via, it.project),
    # voices and costs
    "editfactory.tts.cloned_voices.get_voice": lambda via, it: cloning.get_voice(via, it.voice),
    "editfactory.tts.cloning.rename_voice": lambda via, it: cloning.rename_voice(via, it.voice, "Taken"),
    "editfactory.tts.cloning.delete_voice": lambda via, it: cloning.delete_voice(via, it.voice),
    "editfactory.tts.cloning.preview_voice": lambda via, it: cloning.preview_voice(via, it.voice),
    "editfactory.tts.service.synthesize_for_profile":
        lambda via, it: synthesize_for_profile(via, "Hi", {"provider": "elevenlabs", "voice": it.voice}, job_id=it.job),
    "editfactory.costs.ledger.reserve": lambda via, it: ledger.reserve(via, "elevenlabs", "m", 0.01, job_id=it.job),
    "editfactory.costs.ledger.release_job_holds": lambda via, it: ledger.release_job_holds(via, it.job),
    # publishing
    "editfactory.publish.outbox.get": lambda via, it: outbox.get(via, it.publication),
    "editfactory.publish.outbox.update": lambda via, it: outbox.update(via, it.publication, title="Taken"),
    "editfactory.publish.outbox.claim": lambda via, it: outbox.claim(via, it.publication, None),
    "editfactory.publish.outbox.release": lambda via, it: outbox.release(via, [it.publication]),
    "editfactory.publish.outbox.set_media": lambda via, it: outbox.set_media(via, [it.publication], "m1", "/x.mp4"),
    "editfactory.publish.outbox.record": lambda via, it: outbox.record(via, [outbox.NewPublication(
        it.clip, "tiktok-1", "tiktok", "post", "Stolen", {}, None, None, "m2")]),
    "editfactory.publish.outbox.for_clip": lambda via, it: outbox.for_clip(via, it.clip),
    "editfactory.publish.outbox.clip_state": lambda via, it: outbox.clip_state(via, it.clip),
    "editfactory.publish.outbox.refresh_clip_state": lambda via, it: outbox.refresh_clip_state(via, it.clip),
    "editfactory.publish.service.publish_clip": lambda via, it: service.publish_clip(via, it.clip),
    "editfactory.publish.service.publish_many": lambda via, it: service.publish_many(via, [it.clip]),
    "editfactory.publish.service.delete_publication": lambda via, it: service.delete_publication(via, it.publication),
    "editfactory.publish.service.retry_publication": lambda via, it: service.retry_publication(via, it.publication),
    "editfactory.publish.service.retry_now": lambda via, it: service.retry_now(via, it.publication),
    "editfactory.publish.service.cancel_publication": lambda via, it: service.cancel_publication(via, it.publication),
    "editfactory.publish.outbox.update_if_open": lambda via, it: outbox.update_if_open(via, it.publication,
                                                                                      title="Taken"),
    "editfactory.publish.outbox.mark_sending": lambda via, it: outbox.mark_sending(via, it.publication),
    "editfactory.publish.outbox.cancel_unsent": lambda via, it: outbox.cancel_unsent(via, it.publication),
    "editfactory.publish.service.list_publications": lambda via, it: service.list_publications(via, it.clip),
    "editfactory.publish.service.count_publications": lambda via, it: service.count_publications(via, it.clip),
    # jobs
    "editfactory.jobs.store.JobStore.get": lambda via, it: JobStore(via).get(it.job),
    "editfactory.jobs.store.JobStore.watch": lambda via, it: JobStore(via).watch(it.job, timeout=1),
    "editfactory.jobs.store.JobStore.cancel_requested": lambda via, it: JobStore(via).cancel_requested([it.job]),
    "editfactory.jobs.store.JobStore.many": lambda via, it: JobStore(via).many([it.job]),
    "editfactory.jobs.store.JobStore.mark_running": lambda via, it: JobStore(via).mark_running(it.job, temp_dir=None),
    "editfactory.jobs.store.JobStore.set_progress": lambda via, it: JobStore(via).set_progress(it.job, "x", 0.5),
    "editfactory.jobs.store.JobStore.finish": lambda via, it: JobStore(via).finish(it.job, "failed", error="x"),
    "editfactory.jobs.store.JobStore.request_cancel": lambda via, it: JobStore(via).request_cancel(it.job),
    "editfactory.jobs.store.JobStore.requeue": lambda via, it: JobStore(via).requeue(it.job),
    "editfactory.jobs.runner.JobRunner.cancel": _runner_call("cancel"),
    "editfactory.jobs.runner.JobRunner.retry": _runner_call("retry"),
    "editfactory.jobs.runner.JobRunner.wait": _runner_call("wait"),
    "editfactory.jobs.kinds.footage.start_analysis": _job_kind_call(library_jobs.start_analysis, lambda it: it.source),
    "editfactory.jobs.kinds.footage.start_import": lambda via, it: _job_kind_call(
        library_jobs.start_import, lambda _: [it.video], project_id=it.project)(via, it),
    "editfactory.jobs.kinds.publishing.start_publish": _job_kind_call(publishing_jobs.start_publish, lambda it: [it.clip]),
    "editfactory.jobs.kinds.voices.start_voiceover": lambda via, it: _job_kind_call(
        voice_jobs.start_voiceover, project_id=it.project, script="Hello there.")(via, it),
}

EXPECT_EMPTY = {
    # Reads that filter by the id: another profile's id matches nothing here, so "nothing" is a right answer.
    "editfactory.services.projects.list_clips", "editfactory.services.projects.count_clips", "editfactory.services.projects.clips_page",
    "editfactory.services.projects.find_clip",
    "editfactory.footage.sources.list_sources", "editfactory.footage.sources.count_sources",
    "editfactory.footage.segments.count_segments", "editfactory.footage.music.projects_using",
    "editfactory.publish.outbox.for_clip",
    "editfactory.publish.outbox.clip_state", "editfactory.publish.service.list_publications",
    "editfactory.publish.service.count_publications", "editfactory.jobs.store.JobStore.cancel_requested",
    "editfactory.jobs.store.JobStore.many",
    # Writes that touch only rows of this profile matching the ids: another profile's ids change nothing.
    "editfactory.publish.outbox.release", "editfactory.publish.outbox.set_media", "editfactory.publish.outbox.claim",
    "editfactory.publish.outbox.update_if_open", "editfactory.publish.outbox.mark_sending",
    "editfactory.publish.outbox.cancel_unsent",
    "editfactory.costs.ledger.release_job_holds",
    "editfactory.footage.proxies.proxy_path", "editfactory.footage.proxies.delete_proxy",
}

NOT_ID_SCOPED = {
    # Take ids that are not items of a profile (the workspace's profiles, Postiz posts, provider voices),
    # or are the studio's per-session models, which call the functions above with the session's profile.
    "editfactory.profiles.workspace.Workspace", "editfactory.publish.client.PostizClient",
    "editfactory.tts.elevenlabs_provider.ElevenLabsProvider", "editfactory.tts.base.VoiceProvider", "editfactory.models.",
    # A runner's in-memory count of ended jobs, keyed by profile id (no item, no database).
    "editfactory.jobs.runner.JobRunner.finished_count",
}


def is_nothing(result) -> bool:
    """Whether a read answered "nothing": an empty list/set/page, a zero count, or the unpublished state."""
    if result is None or result == 0 or result == {"state": "unpublished", "channels": []}:
        return True
    if isinstance(result, (list, tuple, set, dict)):
        return len(result) == 0
    items = getattr(result, "items", getattr(result, "rows", None))  # a page of a paged list
    return items is not None and len(items) == 0 and getattr(result, "total", 0) == 0


def snapshot(profile: Profile) -> tuple:
    """Every table's rows and every file (name, size) of the profile: what a refused call must leave unchanged."""
    tables = [r[0] for r in profile.db.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name")]
    rows = {t: sorted(json.dumps(list(r), default=str) for r in profile.db.fetchall(f'SELECT * FROM "{t}"'))
            for t in tables}
    skipped = {"tmp"}
    files = sorted(
        (p.relative_to(profile.folder).as_posix(), p.stat().st_size)
        for p in profile.folder.rglob("*")
        if p.is_file() and p.relative_to(profile.folder).parts[0] not in skipped
        and not p.name.startswith(profile.paths.database.name)
    )
    return rows, files


__all__ = ["CALLS", "EXPECT_EMPTY", "Items", "NOT_ID_SCOPED", "is_nothing", "populate", "snapshot"]
