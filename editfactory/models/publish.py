"""The Publish page's state: the clips handed over by the Library, this profile's Postiz channels, the form, the outbox.

Sending is a durable job ("publish"); so is asking Postiz how the posts stand
("publish_refresh", also started periodically while the page is open) and
sending a post again after a retry ("publish_resume"). The page only reads the
outbox, a page at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import param

from editfactory.core.errors import EditFactoryError, NotFoundError, ValidationError
from editfactory.services import projects
from editfactory.services.clip_catalog import poster_for
from editfactory.jobs.kinds.publishing import (
    PUBLISH,
    PUBLISH_REFRESH,
    PUBLISH_RESUME,
    PUBLISH_RETRY_DUE,
    start_due_retry,
    start_outbox_resume,
    start_publish,
    start_status_refresh,
)
from editfactory.models.jobs import ACTIVE_STATUSES, JobWatch
from editfactory.models.session import FAILED, StudioSession
from editfactory.publish import (
    ChannelTarget,
    check_connection,
    count_publications,
    list_publications,
    next_due_at,
    outbox,
)
from editfactory.publish.client import Channel
from editfactory.publish.config import has_api_key, known_channels, load_config
from editfactory.publish.marker import MARKER_LENGTH
from editfactory.publish.outbox import Publication
from editfactory.publish.providers import build_settings, caption_limit, settings_class, text_length
from editfactory.publish.service import cancel_publication, retry_now

MODES = ("now", "schedule", "spaced", "draft")
JOB_KINDS = [PUBLISH, PUBLISH_REFRESH, PUBLISH_RESUME, PUBLISH_RETRY_DUE]
SENDING_KINDS = (PUBLISH, PUBLISH_RESUME, PUBLISH_RETRY_DUE)
OUTBOX_PAGE = 50


@dataclass(frozen=True)
class ChannelInfo:
    """A channel as the form shows it: its caption limit (room left for the duplicate marker) and title rule."""

    id: str
    name: str
    platform: str
    disabled: bool
    limit: int | None
    title_limits: tuple[int, int] | None

    @classmethod
    def of(cls, channel: Channel) -> ChannelInfo:
        limit = caption_limit(channel.identifier)
        return cls(id=channel.id, name=channel.name, platform=channel.identifier, disabled=channel.disabled,
                   limit=limit - MARKER_LENGTH if limit else None,
                   title_limits=settings_class(channel.identifier).title_limits)

    @property
    def label(self) -> str:
        """How the page names the channel: its name in Postiz and its platform (a store can have two TikToks)."""
        return f"{self.name} ({self.platform})"


def post_state(pub: Publication, now: dt.datetime | None = None) -> str:
    """One word for a post: pending, sending, waiting to retry, sent, scheduled, draft, published, failed, …"""
    if pub.status == outbox.POSTED:
        state = pub.postiz_state or "QUEUE"
        if state == "PUBLISHED":
            return "published"
        if state == "ERROR":
            return "failed"
        if state == "DRAFT":
            return "draft"
        if state == "DELETED":
            return "deleted"
        now = now or outbox.utcnow()
        return "scheduled" if pub.scheduled_at is not None and pub.scheduled_at > now else "sent"
    return {outbox.RETRYING: "waiting to retry"}.get(pub.status, pub.status)


def _clip_rows(profile, clip_ids: list[str]) -> tuple[list[dict], list[str]]:
    """This profile's clips among ``clip_ids`` (with poster and file), and the ids it does not have."""
    rows, refused = [], []
    for clip_id in clip_ids:
        try:
            clip = projects.get_clip(profile, clip_id)
        except NotFoundError:
            refused.append(clip_id)
            continue
        video = profile.paths.absolute(clip["path"]) if clip.get("path") else None
        video = video if video is not None and video.is_file() and video.resolve().is_relative_to(
            profile.folder.resolve()) else None
        try:
            poster = poster_for(profile, clip_id, video, clip.get("duration"))
        except EditFactoryError:
            poster = None
        rows.append({"id": clip_id, "name": clip["name"], "file": video, "poster": poster,
                     "duration": clip.get("duration")})
    return rows, refused


class PublishModel(param.Parameterized):
    """Publishing the selected clips of the session's profile."""

    session = param.ClassSelector(class_=StudioSession)
    clips = param.List(default=[], doc="The clips to publish: {'id', 'name', 'file', 'poster', 'duration'}.")
    configured = param.Boolean(default=False, doc="Postiz URL/key saved and publishing switched on for this profile.")
    setup_problem = param.String(default="", doc="Why publishing cannot be used yet ('' when it can).")
    channels = param.List(default=[], doc="This profile's Postiz channels (ChannelInfo).")
    chosen = param.List(default=[], item_type=str, doc="Ids of the channels to publish to.")
    caption = param.String(default="", doc="Caption for every channel without its own.")
    title = param.String(default="", doc="Title for channels that have one (YouTube, TikTok); empty: the clip's name.")
    captions = param.Dict(default={}, doc="Channel id -> its own caption ('' or missing: the shared caption).")
    titles = param.Dict(default={}, doc="Channel id -> its own title.")
    mode = param.Selector(default="now", objects=list(MODES), doc="Post now, at a time, spaced out, or as drafts.")
    start = param.Date(default=None, allow_None=True,
                       doc="When to post (the browser's wall-clock time), or the first clip when spaced.")
    spacing_minutes = param.Integer(default=120, bounds=(1, 60 * 24 * 30), doc="Minutes between clips when spaced.")
    errors = param.Dict(default={}, doc="Field -> what to fix, shown next to the field.")

    outbox_rows = param.List(default=[], doc="The outbox page shown, newest first (Publication).")
    outbox_total = param.Integer(default=0, doc="How many posts the outbox holds in all.")
    outbox_offset = param.Integer(default=0, bounds=(0, None), doc="Where the outbox page starts.")
    clip_names = param.Dict(default={}, doc="Clip id -> name, for the outbox rows shown.")
    refresh_every_s = param.Number(default=300.0, bounds=(1, None),
                                   doc="While the page is open, ask Postiz how the posts stand this often.")
    outbox_every_s = param.Number(default=3.0, bounds=(0.5, None),
                                  doc="While posts wait in the outbox, read it again this often (they may be sent).")
    due_check_every_s = param.Number(default=30.0, bounds=(1, None),
                                     doc="While the page is open, look this often for posts whose wait is over.")

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.watch = JobWatch(session=self.session, kinds=list(JOB_KINDS))
        self._profile_id: str | None = None
        self._last_refresh: dt.datetime | None = None
        self._last_due_check: dt.datetime | None = None
        self._last_outbox_read: dt.datetime | None = None

    # -- reading (worker thread: returns data, sets nothing) ------------------------------------

    def read(self) -> dict[str, Any]:
        profile = self.session.require_profile()
        with profile.db.session():
            config = load_config(profile)
            problem = ""
            if not has_api_key(profile):
                problem = "Postiz is not set up for this profile: save its URL and API key in Settings."
            elif not config.enabled:
                problem = "Publishing is switched off for this profile; switch it on in Settings."
            clips, refused = _clip_rows(profile, list(self.session.publish_clips))
            channels = [ChannelInfo.of(c) for c in known_channels(profile).values()]
            data = {"profile_id": profile.id, "problem": problem, "clips": clips, "refused": refused,
                    "channels": channels, "defaults": list(config.default_channels)}
            data.update(self.read_outbox())
        return data

    def read_outbox(self) -> dict[str, Any]:
        profile = self.session.require_profile()
        with profile.db.session():
            total = count_publications(profile)
            offset = min(self.outbox_offset, max(total - 1, 0) // OUTBOX_PAGE * OUTBOX_PAGE)
            rows = list_publications(profile, newest_first=True, limit=OUTBOX_PAGE, offset=offset)
            ids = sorted({p.clip_id for p in rows})
            names = {}
            if ids:
                marks = ", ".join("?" for _ in ids)
                names = dict(profile.db.fetchall(f"SELECT id, name FROM clips WHERE id IN ({marks})", ids))
        return {"outbox": rows, "outbox_total": total, "outbox_offset": offset, "clip_names": names}

    def read_channels(self) -> list[ChannelInfo]:
        """Ask Postiz for the channels (network; also remembers them for the next page load)."""
        report = check_connection(self.session.require_profile())
        return [ChannelInfo.of(c) for c in report.channels]

    # -- applying (event loop) ----------------------------------------------------------------------

    def _follow_profile(self) -> None:
        current = self.session.profile_id or None
        if self._profile_id is not None and current != self._profile_id:
            self.param.update(clips=[], channels=[], chosen=[], caption="", title="", captions={}, titles={},
                              mode="now", start=None, errors={}, outbox_rows=[], outbox_total=0, outbox_offset=0,
                              clip_names={})
            self.watch.clear()
            self._last_refresh = None
        self._profile_id = current

    def apply(self, data: dict[str, Any]) -> None:
        if data["refused"]:
            self.session.publish_clips = [c for c in self.session.publish_clips if c not in data["refused"]]
            self.session.notify(f"{len(data['refused'])} selected clip(s) are not in profile "
                                f"{self.session.profile.name!r} (deleted, or of another profile) and were left out.",
                                "warning")
        channel_ids = [c.id for c in data["channels"]]
        chosen = [c for c in self.chosen if c in channel_ids]
        if not chosen and not self.chosen:
            chosen = [c for c in data["defaults"] if c in channel_ids]
        self.param.update(configured=not data["problem"], setup_problem=data["problem"], clips=data["clips"],
                          channels=data["channels"], chosen=chosen)
        self.apply_outbox(data)

    def apply_outbox(self, data: dict[str, Any]) -> None:
        self.param.update(outbox_rows=data["outbox"], outbox_total=data["outbox_total"],
                          outbox_offset=data["outbox_offset"], clip_names=data["clip_names"])

    def load(self) -> None:
        """Synchronous form for tests and notebooks."""
        self._follow_profile()
        self.apply(self.read())
        self.watch.refresh_now()

    async def refresh(self) -> None:
        self._follow_profile()
        data = await self.session.call(self.read)
        if data is FAILED or data["profile_id"] != self.session.profile_id:
            return
        self.apply(data)
        await self.watch.refresh()
        if self.configured and not self.channels:
            await self.reload_channels()

    async def reload_channels(self) -> None:
        channels = await self.session.call(self.read_channels)
        if channels is not FAILED:
            self.channels = channels
            self.chosen = [c for c in self.chosen if c in {ch.id for ch in channels}]
            if not channels:
                self.session.notify("Postiz answered, but this profile's account has no connected channels; "
                                    "connect one in Postiz first.", "warning")

    async def reload_outbox(self) -> None:
        data = await self.session.call(self.read_outbox)
        if data is not FAILED:
            self.apply_outbox(data)

    # -- the form -----------------------------------------------------------------------------------

    def channel(self, channel_id: str) -> ChannelInfo | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_label(self, pub: Publication) -> str:
        """The outbox's name for a post's channel; a channel Postiz no longer lists is named by its platform."""
        channel = self.channel(pub.integration_id)
        return channel.label if channel else (pub.platform or pub.integration_id)

    def caption_for(self, channel_id: str) -> str:
        own = (self.captions.get(channel_id) or "").strip()
        return own or self.caption.strip()

    def title_for(self, channel_id: str) -> str:
        return (self.titles.get(channel_id) or "").strip() or self.title.strip()

    def counter(self, channel_id: str) -> tuple[int, int | None]:
        """(characters as the platform counts them, the most it takes) for the channel's caption."""
        channel = self.channel(channel_id)
        return text_length(self.caption_for(channel_id)), channel.limit if channel else None

    def when(self, now: dt.datetime | None = None) -> tuple[dt.datetime | None, dt.timedelta | None]:
        """The first publish time (UTC, aware) and the spacing, for the chosen mode."""
        if self.mode in ("now", "draft"):
            return None, None
        start = self.start
        if start is None:
            return None, None
        start = self.session.from_local(start)
        return start, dt.timedelta(minutes=self.spacing_minutes) if self.mode == "spaced" else None

    def validate(self, now: dt.datetime | None = None) -> dict[str, str]:
        """Every problem with the form, by field; also kept in ``errors`` for the page to show."""
        errors: dict[str, str] = {}
        if not self.configured:
            errors["setup"] = self.setup_problem or "Set up Postiz for this profile in Settings first."
        if not self.clips:
            errors["clips"] = "Select the clips to publish in the Library first."
        if not self.chosen:
            errors["channels"] = "Choose at least one channel."
        for channel_id in self.chosen:
            channel = self.channel(channel_id)
            if channel is None:
                errors[f"caption:{channel_id}"] = "This channel is no longer connected; reload the channels."
                continue
            if channel.disabled:
                errors[f"caption:{channel_id}"] = f"{channel.name} is disabled in Postiz; enable it there or untick it."
                continue
            length, limit = self.counter(channel_id)
            if limit is not None and length > limit:
                errors[f"caption:{channel_id}"] = (f"{length} characters; {channel.name} ({channel.platform}) takes at "
                                                   f"most {limit} here. Shorten it by {length - limit}.")
            title = self.title_for(channel_id)
            if channel.title_limits and text_length(title) > channel.title_limits[1]:
                errors[f"title:{channel_id}"] = (f"The title has {text_length(title)} characters; {channel.name} "
                                                 f"({channel.platform}) takes at most {channel.title_limits[1]}.")
            elif channel.title_limits:
                for clip in self.clips or [{"name": ""}]:
                    try:
                        build_settings(channel.platform, None, title or clip["name"])
                    except ValidationError as error:
                        errors[f"title:{channel_id}"] = str(error)
                        break
        if self.mode in ("schedule", "spaced"):
            start, _ = self.when()
            now = now or dt.datetime.now(dt.timezone.utc)
            if start is None:
                errors["start"] = f"Pick the date and time ({self.session.timezone}) to publish at."
            elif start <= now:
                errors["start"] = (f"{self.session.local_time(start)} ({self.session.timezone}) has passed; "
                                   "pick a time in the future.")
        self.errors = errors
        return errors

    def earlier_posts(self) -> list[str]:
        """One sentence per chosen clip and channel that already has a post there (sent, or on its way), newest
        first: the page asks before posting again ("Posted to TikTok on 7 Dec — post again?")."""
        clip_ids, chosen = [c["id"] for c in self.clips], list(self.chosen)
        if not clip_ids or not chosen:
            return []
        profile = self.session.require_profile()
        marks = ", ".join("?" for _ in clip_ids), ", ".join("?" for _ in chosen)
        found = outbox.query(profile, f"clip_id IN ({marks[0]}) AND integration_id IN ({marks[1]}) "
                                      "AND status NOT IN (?, ?)", [*clip_ids, *chosen, outbox.FAILED, outbox.CANCELLED],
                             newest_first=True)
        names = {c["id"]: c["name"] for c in self.clips}
        seen, sentences = set(), []
        for pub in found:
            if (pub.clip_id, pub.integration_id) in seen:
                continue
            seen.add((pub.clip_id, pub.integration_id))
            channel = self.channel(pub.integration_id)
            where = f"{channel.name} ({channel.platform})" if channel else pub.platform or pub.integration_id
            sentence = f"{self._posted_words(pub)} {where} on {self._day(pub)} — post again?"
            sentences.append(f"{names.get(pub.clip_id, 'This clip')!r}: {sentence}" if len(clip_ids) > 1
                             else sentence)
        return sentences

    def _day(self, pub: Publication) -> str:
        moment = pub.scheduled_at if pub.post_type == "schedule" and pub.scheduled_at else (
            pub.first_sent_at or pub.created_at)
        return self.session.local_time(moment, "%d %b %Y").lstrip("0")

    @staticmethod
    def _posted_words(pub: Publication) -> str:
        if pub.status != outbox.POSTED:
            return "Already being posted to"
        if pub.postiz_state == "DRAFT":
            return "Saved as a draft for"
        return "Scheduled for" if pub.post_type == "schedule" and pub.postiz_state != "PUBLISHED" else "Posted to"

    def submit(self) -> str:
        """Queue the publish job for the clips and channels of the form; returns the job id."""
        errors = self.validate()
        if errors:
            raise ValidationError(next(iter(errors.values())))
        profile = self.session.require_profile()
        targets = [ChannelTarget(c, caption=(self.captions.get(c) or "").strip() or None,
                                 title=(self.titles.get(c) or "").strip() or None) for c in self.chosen]
        start, spacing = self.when()
        job_id = start_publish(self.session.runner, profile, [c["id"] for c in self.clips], targets,
                               captions=self.caption.strip(), titles=self.title.strip() or None, start=start,
                               spacing=spacing, draft=self.mode == "draft")
        self.watch.follow(job_id)
        self._last_refresh = dt.datetime.now(dt.timezone.utc)  # the first status check comes one interval later
        return job_id

    # -- the outbox -------------------------------------------------------------------------------

    def retry(self, publication_id: str) -> str:
        """Send a failed post, or one waiting for its next try, now (a job); returns the job id."""
        profile = self.session.require_profile()
        if any(self._running(kind) for kind in SENDING_KINDS):
            raise ValidationError("Posts are being sent right now; retry when that has finished.")
        retry_now(profile, publication_id)
        job_id = start_outbox_resume(self.session.runner, profile)
        self.watch.follow(job_id)
        return job_id

    def cancel(self, publication_id: str) -> None:
        """Cancel a post no create request has left for yet (refused with the reason otherwise)."""
        cancel_publication(self.session.require_profile(), publication_id)

    def refresh_status(self) -> str | None:
        """Ask Postiz how the sent posts stand (a job); None when such a job already runs."""
        if self._running(PUBLISH_REFRESH):
            return None
        job_id = start_status_refresh(self.session.runner, self.session.require_profile())
        self.watch.follow(job_id)
        self._last_refresh = dt.datetime.now(dt.timezone.utc)
        return job_id

    def _running(self, kind: str) -> bool:
        return any(j.kind == kind and j.status in ACTIVE_STATUSES for j in self.watch.jobs)

    def refresh_due(self, now: dt.datetime | None = None) -> bool:
        """Whether the periodic status refresh should run: posts wait for an answer and the last ask is old."""
        if not self.configured:
            return False
        waiting = any(p.status == outbox.POSTED and p.postiz_state not in outbox.FINAL_POSTIZ_STATES
                      for p in self.outbox_rows)
        if not waiting:
            return False
        now = now or dt.datetime.now(dt.timezone.utc)
        return self._last_refresh is None or (now - self._last_refresh).total_seconds() >= self.refresh_every_s

    def due_posts_waiting(self) -> bool:
        """Whether an open post's wait (a rate limit's Retry-After, a backoff) is over; safe in a thread."""
        due = next_due_at(self.session.require_profile())
        return due is not None and due <= outbox.utcnow()

    def send_due_posts(self) -> str | None:
        """Send the posts whose wait is over (a job); None when posts are being sent already."""
        if any(self._running(kind) for kind in SENDING_KINDS):
            return None
        job_id = start_due_retry(self.session.runner, self.session.require_profile())
        self.watch.follow(job_id)
        return job_id

    async def poll(self) -> None:
        """Follow the jobs; reload the outbox while they run; start the periodic status refresh and the
        sending of posts whose wait is over, when due."""
        before = [(j.id, j.status, j.progress) for j in self.watch.jobs]
        await self.watch.poll()
        after = [(j.id, j.status, j.progress) for j in self.watch.jobs]
        now = dt.datetime.now(dt.timezone.utc)
        # Open posts are also sent by the background retry loop, outside any job of this page: follow them too.
        following = any(p.is_open for p in self.outbox_rows) and (
            self._last_outbox_read is None or (now - self._last_outbox_read).total_seconds() >= self.outbox_every_s)
        if before != after or following:
            self._last_outbox_read = now
            await self.reload_outbox()
        if self.refresh_due():
            self.session.attempt(self.refresh_status)
        now = dt.datetime.now(dt.timezone.utc)
        if self.configured and (self._last_due_check is None
                                or (now - self._last_due_check).total_seconds() >= self.due_check_every_s):
            self._last_due_check = now
            if await self.session.call(self.due_posts_waiting) is True:
                self.session.attempt(self.send_due_posts)
