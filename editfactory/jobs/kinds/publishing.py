"""Publishing jobs: send posts through the profile's Postiz, refresh their status, resume the outbox.

Each one may wait on the network for a long time (retries, rate limits), so the
studio never runs them on a page's event loop; the outbox records every post
before the first request, so a job that dies is resumed without duplicates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from editfactory.core.errors import ValidationError
from editfactory.jobs.context import JobContext
from editfactory.jobs.registry import PUBLISH, PUBLISH_REFRESH, PUBLISH_RESUME, PUBLISH_RETRY_DUE
from editfactory.jobs.runner import JobRunner
from editfactory.profiles.profile import Profile
from editfactory.services.projects import get_clip
from editfactory.publish import (
    ChannelTarget,
    Publication,
    publish_many,
    refresh_status_report,
    resume_pending,
    retry_due_posts,
)
from editfactory.publish.outbox import FAILED, POSTED



def _publication(pub: Publication) -> dict[str, Any]:
    return {"id": pub.id, "clip_id": pub.clip_id, "channel_id": pub.integration_id, "platform": pub.platform,
            "status": pub.status, "postiz_state": pub.postiz_state, "error": pub.last_error,
            "scheduled_at": pub.scheduled_at.isoformat() if pub.scheduled_at else None}


def _targets(raw: list | None) -> list[ChannelTarget] | None:
    if not raw:
        return None
    targets = []
    for item in raw:
        if isinstance(item, str):
            targets.append(ChannelTarget(item))
        elif isinstance(item, dict) and item.get("integration_id"):
            targets.append(ChannelTarget(item["integration_id"], item.get("caption"), item.get("title"),
                                         item.get("settings")))
        else:
            raise ValidationError("Each channel is its id, or {'integration_id': …, 'caption': …, 'title': …}.")
    return targets


def _start_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date and time; use e.g. 2026-12-24T09:00:00+00:00.") from None
    if moment.tzinfo is None:
        raise ValidationError("Give the publish time with its time zone, e.g. 2026-12-24T09:00:00+00:00.")
    return moment


def publish_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Publish the clips of ``inputs["clip_ids"]`` (now, at ``start``, or spaced); each post's outcome is listed."""
    inputs = ctx.inputs
    spacing = inputs.get("spacing_minutes")
    results = publish_many(
        profile, inputs.get("clip_ids") or [], _targets(inputs.get("targets")),
        captions=inputs.get("captions") or "", titles=inputs.get("titles"),
        start=_start_time(inputs.get("start")),
        spacing=dt.timedelta(minutes=float(spacing)) if spacing else None,
        draft=bool(inputs.get("draft")), progress=ctx.progress,
    )
    posts = [_publication(p) for p in results]
    return {"publications": posts, "posted": sum(p.status == POSTED for p in results),
            "failed": sum(p.status == FAILED for p in results),
            "open": sum(p.is_open for p in results)}


def start_publish(runner: JobRunner, profile: Profile, clip_ids: list[str], targets: list | None = None, *,
                  captions: str | dict[str, str] = "", titles: str | dict[str, str] | None = None,
                  start: dt.datetime | None = None, spacing: dt.timedelta | None = None, draft: bool = False) -> str:
    """Queue publishing ``clip_ids`` of ``profile`` to ``targets`` (channel ids or ChannelTarget); returns the job id.

    ``start`` (with its time zone) schedules; ``spacing`` spreads the clips ``spacing`` apart from ``start``.
    """
    if not clip_ids:
        raise ValidationError("Choose at least one clip to publish.")
    for clip_id in clip_ids:
        get_clip(profile, clip_id)  # NotFoundError for another profile's clip
    if start is not None and start.tzinfo is None:
        raise ValidationError("Give the publish time with its time zone, e.g. datetime(..., tzinfo=timezone.utc).")
    if spacing is not None and spacing <= dt.timedelta(0):
        raise ValidationError("The spacing between clips must be positive, e.g. 2 hours.")
    raw_targets = None
    if targets:
        raw_targets = [t if isinstance(t, str) else {"integration_id": t.integration_id, "caption": t.caption,
                                                     "title": t.title, "settings": _settings_dict(t.settings)}
                       for t in targets]
    inputs = {"clip_ids": list(clip_ids), "targets": raw_targets, "captions": captions, "titles": titles,
              "start": start.isoformat() if start else None,
              "spacing_minutes": spacing.total_seconds() / 60 if spacing else None, "draft": draft}
    _targets(raw_targets)
    return runner.submit(profile, PUBLISH, inputs)


def _settings_dict(settings: Any) -> dict | None:
    if settings is None or isinstance(settings, dict):
        return settings
    return settings.to_dict() if hasattr(settings, "to_dict") else dict(settings)


def publish_refresh_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Ask Postiz how the sent posts stand and record it on them and their clips; late duplicates are removed."""
    ctx.progress("Asking Postiz for the posts' status", 0.1)
    report = refresh_status_report(profile)
    return {"checked": len(report.updated), "publications": [_publication(p) for p in report.updated],
            "duplicates": [d.describe() for d in report.duplicates], "summary": report.summary()}


def start_status_refresh(runner: JobRunner, profile: Profile) -> str:
    return runner.submit(profile, PUBLISH_REFRESH, {})


def publish_resume_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Finish the posts a crash or an outage left open in the outbox (none is sent twice)."""
    ctx.progress("Resuming unfinished posts", 0.1)
    report = resume_pending(profile, progress=ctx.progress)
    return {"summary": report.summary(), "found": len(report.found), "still_open": len(report.still_open),
            "blocked": report.blocked, "publications": [_publication(p) for p in report.results]}


def start_outbox_resume(runner: JobRunner, profile: Profile) -> str:
    return runner.submit(profile, PUBLISH_RESUME, {})


def publish_retry_due_job(profile: Profile, ctx: JobContext) -> dict[str, Any]:
    """Send the posts whose wait (a Retry-After, a backoff, a landing window) is over; the studio runs it when due."""
    ctx.progress("Sending posts whose wait is over", 0.1)
    report = retry_due_posts(profile, progress=ctx.progress)
    return {"summary": report.summary(), "found": len(report.found), "still_open": len(report.still_open),
            "blocked": report.blocked, "publications": [_publication(p) for p in report.results]}


def start_due_retry(runner: JobRunner, profile: Profile) -> str:
    """Queue a :data:`PUBLISH_RETRY_DUE` job; call it when ``publish.next_due_at(profile)`` has passed."""
    return runner.submit(profile, PUBLISH_RETRY_DUE, {})
