"""Publish clips of one profile through that profile's Postiz: now, scheduled, or many with spacing.

Every function takes the profile first and uses only that profile's
configuration, key, clips and outbox, so nothing can leave through another
store's account. Flow: check inputs → record every intended post → upload →
create posts (with retries and reconciliation) → record the clip's state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.core.progress import ProgressCallback
from editfactory.profiles.profile import Profile
from editfactory.publish import marker, outbox
from editfactory.publish.client import DEFAULT_TIMEOUT, Channel, PostizClient
from editfactory.publish.config import client_for, known_channels, load_config, remember_channels
from editfactory.publish.delivery import (
    DuplicateCopy,
    RetryPolicy,
    choose_copy,
    claimed_here,
    deliver,
    delivering_here,
    ensure_media,
    matching_posts,
    reconcile_window,
    remove_duplicates,
    with_retries,
)
from editfactory.publish.errors import (
    PostizConnectionError,
    PostizError,
    PostizSetupError,
    PublishingNotConfiguredError,
)
from editfactory.publish.outbox import POSTED, NewPublication, Publication
from editfactory.publish.providers import ProviderSettings, build_settings, caption_limit, cut_caption


@dataclass
class ChannelTarget:
    """A channel to publish to, optionally with its own caption, title and provider settings."""

    integration_id: str
    caption: str | None = None
    title: str | None = None
    settings: ProviderSettings | dict | None = None


Target = ChannelTarget | str


def _clip(profile: Profile, clip_id: str) -> tuple[str, Path]:
    row = profile.db.fetchone("SELECT name, path FROM clips WHERE id = ?", [clip_id])
    if row is None:
        raise NotFoundError("Clip", clip_id, profile.name)
    name, stored = row
    if not stored or not profile.paths.absolute(stored).is_file():
        raise ValidationError(f"Clip {name!r} has no rendered video file yet; render it, then publish.")
    return name, profile.paths.absolute(stored)


def _targets(profile: Profile, targets: Sequence[Target] | None) -> list[ChannelTarget]:
    chosen = list(targets) if targets else list(load_config(profile).default_channels)
    if not chosen:
        raise ValidationError("Choose at least one channel, or set default channels in the publishing settings.")
    result = [t if isinstance(t, ChannelTarget) else ChannelTarget(str(t)) for t in chosen]
    ids = [t.integration_id for t in result]
    if len(set(ids)) != len(ids):
        raise ValidationError("A channel was chosen twice; each channel gets one post per clip.")
    return result


def _channels(profile: Profile, client: PostizClient, wanted: list[ChannelTarget], policy: RetryPolicy
              ) -> dict[str, Channel]:
    """This profile's channels: from the last listing, or listed now when one is unknown (a read, never a post)."""
    channels = known_channels(profile)
    if any(t.integration_id not in channels for t in wanted):
        listed = with_retries(client.integrations, policy, "listing channels")
        remember_channels(profile, listed)
        channels = {c.id: c for c in listed}
    for target in wanted:
        channel = channels.get(target.integration_id)
        if channel is None:
            raise ValidationError(
                f"Channel {target.integration_id!r} is not connected in profile {profile.name!r}'s Postiz account. "
                "Run the connection test to see this profile's channels and choose one of them.")
        if channel.disabled:
            raise ValidationError(f"Channel {channel.name!r} is disabled in Postiz; enable it there or choose another.")
    return channels


def _plan(clip_id: str, targets: list[ChannelTarget], channels: dict[str, Channel], caption: str,
          title: str | None, when: dt.datetime | None, draft: bool, first_number: int = 1) -> list[NewPublication]:
    """One row per channel; each caption cut to its platform's limit less its invisible tag (numbered from
    ``first_number``; :func:`outbox.record` numbers them for good inside its transaction)."""
    items = []
    for number, target in enumerate(targets, start=first_number):
        identifier = channels[target.integration_id].identifier
        text = (target.caption if target.caption is not None else caption or "").strip()
        limit = caption_limit(identifier)
        key = marker.sequence_key(number)
        text = cut_caption(text, limit - marker.marker_length(key) if limit else None)
        chosen_title = target.title if target.title is not None else title
        settings = build_settings(identifier, target.settings, chosen_title or (text.split("\n")[0] if text else None))
        items.append(NewPublication(
            clip_id=clip_id, integration_id=target.integration_id, platform=identifier,
            post_type="draft" if draft else ("schedule" if when else "now"), content=text, settings=settings,
            scheduled_at=when, title=settings.get("title") or chosen_title, marker=key))
    return items


def _deliver_batch(profile: Profile, client: PostizClient, pubs: list[Publication], policy: RetryPolicy,
                   progress: ProgressCallback | None) -> list[Publication]:
    """Claim the rows (for this thread, then for this process in the database), send them, then let go.

    A row another thread or process took in the meantime is returned as it was, untouched.
    """
    with claimed_here([p.id for p in pubs]) as mine:
        taken = {}
        for pub in pubs:
            if pub.id in mine:
                row = outbox.claim(profile, pub.id, pub.owner)
                if row is not None:
                    taken[pub.id] = row
        try:
            sent = {p.id: p for p in _send_claimed(profile, client, list(taken.values()), policy, progress)}
        finally:
            outbox.release(profile, list(taken))  # rows still open: any process may retry them when due
    return [sent.get(p.id, p) for p in pubs]


def _send_claimed(profile: Profile, client: PostizClient, pubs: list[Publication], policy: RetryPolicy,
                  progress: ProgressCallback | None) -> list[Publication]:
    done: list[Publication] = []
    by_clip: dict[str, list[Publication]] = {}
    for pub in pubs:
        by_clip.setdefault(pub.clip_id, []).append(pub)
    total = max(len(pubs), 1)
    unreachable = False
    for clip_id, group in by_clip.items():
        if unreachable or (policy.deadline is not None and policy.clock() >= policy.deadline):
            done.extend(group)  # out of time, or Postiz cannot be reached: these stay open for a later retry
            continue
        pending = [p for p in group if p.is_open]
        if pending:
            try:
                _, path = _clip(profile, clip_id)
                media = ensure_media(profile, client, pending, policy, path)
            except (PostizError, NotFoundError, ValidationError) as error:
                retry = getattr(error, "retryable", False)
                unreachable = isinstance(error, PostizConnectionError) and not error.maybe_delivered
                # A refused key or a moved URL is the profile's problem, not the post's: keep the rows for a resume.
                keep = retry or isinstance(error, PostizSetupError)
                for pub in pending:
                    # A passing failure gets its time for the next try (the background loop sends it then).
                    failures = pub.failed_tries + 1
                    due = (outbox.utcnow() + dt.timedelta(seconds=policy.delay(
                        failures, getattr(error, "retry_after", None)))) if retry else None
                    outbox.update_if_open(profile, pub.id, status=outbox.RETRYING if keep else outbox.FAILED,
                                          last_error=f"Upload failed: {error}", retryable=retry,
                                          next_attempt_at=due, failed_tries=failures)  # a Cancel meanwhile wins
                done.extend(outbox.get(profile, p.id) for p in group)
                outbox.refresh_clip_state(profile, clip_id)
                continue
        for pub in group:
            if pub.is_open:
                pub = replace(pub, media_id=media.id, media_path=media.path)
                if progress:
                    progress(f"Posting to {pub.platform or pub.integration_id}", len(done) / total)
                pub = deliver(profile, client, pub, policy, progress)
            done.append(pub)
        outbox.refresh_clip_state(profile, clip_id)
    if progress:
        progress("Done", 1.0)
    return done


def publish_clip(profile: Profile, clip_id: str, targets: Sequence[Target] | None = None, *, caption: str = "",
                 title: str | None = None, when: dt.datetime | None = None, draft: bool = False,
                 policy: RetryPolicy | None = None, timeout: float = DEFAULT_TIMEOUT,
                 progress: ProgressCallback | None = None) -> list[Publication]:
    """Publish one clip of this profile now (``when=None``), at ``when``, or as a Postiz draft."""
    return publish_many(profile, [clip_id], targets, captions=caption, titles=title, start=when, spacing=None,
                        draft=draft, policy=policy, timeout=timeout, progress=progress)


def publish_many(profile: Profile, clip_ids: Sequence[str], targets: Sequence[Target] | None = None, *,
                 captions: str | dict[str, str] = "", titles: str | dict[str, str] | None = None,
                 start: dt.datetime | None = None, spacing: dt.timedelta | None = None, draft: bool = False,
                 policy: RetryPolicy | None = None, timeout: float = DEFAULT_TIMEOUT,
                 progress: ProgressCallback | None = None) -> list[Publication]:
    """Publish several clips to the chosen channels; clip *i* goes out at ``start + i × spacing``.

    Without ``start`` and ``spacing`` every clip is posted now. Every intended
    post is recorded before the first request; the result lists them all with
    their outcome (posted, failed with a reason, or still open for a retry).
    """
    policy = policy or RetryPolicy()
    if not clip_ids:
        raise ValidationError("Choose at least one clip to publish.")
    if spacing is not None and spacing <= dt.timedelta(0):
        raise ValidationError("The spacing between clips must be positive, e.g. 2 hours.")
    if spacing is not None and start is None:
        start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    if start is not None and start.tzinfo is None:
        raise ValidationError("Give the publish time with its time zone, e.g. datetime(..., tzinfo=timezone.utc).")
    with profile.db.session():  # local checks share one open of the database file
        config = load_config(profile)
        if not config.enabled:
            raise PublishingNotConfiguredError(
                f"Publishing is switched off for profile {profile.name!r}; turn it on in its publishing settings.")
        wanted = _targets(profile, targets)
        clips = {clip_id: _clip(profile, clip_id) for clip_id in dict.fromkeys(clip_ids)}
        client = client_for(profile, timeout=timeout)
        first_number = outbox.next_marker_number(profile)
    channels = _channels(profile, client, wanted, policy)
    items: list[NewPublication] = []
    for index, clip_id in enumerate(clips):
        caption = captions.get(clip_id, "") if isinstance(captions, dict) else captions
        title = titles.get(clip_id) if isinstance(titles, dict) else titles
        when = start + index * spacing if (start is not None and spacing is not None) else start
        items.extend(_plan(clip_id, wanted, channels, caption, title or clips[clip_id][0], when, draft,
                           first_number + len(items)))
    publications = outbox.record(profile, items)
    for clip_id in clips:
        outbox.refresh_clip_state(profile, clip_id)  # shows "publishing" at once, also if this process dies
    results = _deliver_batch(profile, client, publications, policy, progress)
    _keep_retrying(profile, results)
    return results


def _keep_retrying(profile: Profile, publications: list[Publication]) -> None:
    """Posts left open are sent by this process's background loop once their wait is over (a notebook too)."""
    if any(p.is_open for p in publications):
        # Here: the loop sends through this module (a circle inside publish, not between packages).
        from editfactory.publish.retry_loop import watch_profile

        watch_profile(profile)


@dataclass
class ResumeReport:
    """What :func:`resume_pending` found and did; ``blocked`` says why nothing could be sent, if so."""

    found: list[Publication] = field(default_factory=list)
    results: list[Publication] = field(default_factory=list)
    skipped_in_use: list[Publication] = field(default_factory=list)
    not_due: list[Publication] = field(default_factory=list)
    needs_settings: list[Publication] = field(default_factory=list)
    blocked: str | None = None

    @property
    def still_open(self) -> list[Publication]:
        waiting = [p for p in self.results if p.is_open] if not self.blocked else list(self.found)
        return waiting + self.not_due

    def summary(self) -> str:
        """What to tell the person who just started the studio or a notebook; every open post is accounted for."""
        if not (self.found or self.not_due or self.skipped_in_use or self.needs_settings):
            return "No unfinished posts in the outbox."
        lines = []
        if self.blocked:
            lines.append(f"{self.blocked} They are sent once publishing is set up again.")
        elif self.found:
            posted = sum(p.status == POSTED for p in self.results)
            failed = [p for p in self.results if p.status == outbox.FAILED]
            waiting = [p for p in self.results if p.is_open]
            lines.append(f"Resumed {len(self.found)} unfinished post(s): {posted} delivered (none twice).")
            if failed:
                lines.append(f"{len(failed)} refused by Postiz, e.g.: {failed[0].last_error}")
            if waiting:
                lines.append(f"{len(waiting)} still wait in the outbox and are tried again automatically, "
                             f"e.g. after: {waiting[0].last_error}")
        if self.not_due:
            until = max(p.due_at for p in self.not_due)
            lines.append(f"{len(self.not_due)} wait until {until:%Y-%m-%d %H:%M:%S} UTC (Postiz's rate limit, or an "
                         "earlier request that may still arrive) and are retried then by the running studio or "
                         "notebook, or at the next start.")
        if self.needs_settings:
            lines.append(f"{len(self.needs_settings)} wait until the profile's Postiz key or URL is fixed, e.g. after: "
                         f"{self.needs_settings[0].last_error}")
        if self.skipped_in_use:
            lines.append(f"{len(self.skipped_in_use)} are being sent right now by another running process "
                         "(the studio or a notebook).")
        return " ".join(lines)


def resume_pending(profile: Profile, *, policy: RetryPolicy | None = None, timeout: float = DEFAULT_TIMEOUT,
                   due_only: bool = True, budget: float | None = None, progress: ProgressCallback | None = None,
                   settings_fixed: bool = True) -> ResumeReport:
    """Finish posts a crash or an outage left open, without duplicating any that already arrived.

    Rows told to wait (a rate limit's Retry-After) are left for later unless
    ``due_only=False``. Rows another live process (or another thread of this
    one) is sending are left alone. ``budget``: seconds after which nothing
    waits any more (rows still open are left for a later retry), so the total
    time is about ``budget`` plus one request's ``timeout``. ``settings_fixed=False`` leaves the posts whose
    key or URL was refused (they wait until the settings change); a resume at start tries them too.
    """
    report = ResumeReport()
    now = outbox.utcnow()
    for pub in outbox.open_publications(profile):
        if (pub.owner and pub.owner != outbox.owner_tag() and outbox.owner_alive(pub.owner)) \
                or delivering_here(pub.id):
            report.skipped_in_use.append(pub)  # another running process or thread is sending it right now
        elif due_only and pub.next_attempt_at is not None and pub.next_attempt_at > now:
            report.not_due.append(pub)
        elif not settings_fixed and pub.waits_for_settings:
            report.needs_settings.append(pub)
        else:
            report.found.append(pub)
    if not report.found:
        return report
    try:
        client = client_for(profile, timeout=timeout)
    except PublishingNotConfiguredError as error:
        report.blocked = f"{len(report.found)} post(s) wait in the outbox: {error}"
        return report
    policy = (policy or RetryPolicy()).within(budget)
    report.results = _deliver_batch(profile, client, report.found, policy, progress)
    _keep_retrying(profile, report.results)
    return report


def retry_due_posts(profile: Profile, *, policy: RetryPolicy | None = None, timeout: float = DEFAULT_TIMEOUT,
                    budget: float | None = 120.0, progress: ProgressCallback | None = None) -> ResumeReport:
    """Send the open posts whose wait is over (a Retry-After, a backoff, a landing window); for a running studio.

    Call it periodically (e.g. every minute, or when :func:`next_due_at` has
    passed) or run the ``publish_retry_due`` job; rows not yet due, and rows
    being sent by another process or thread, are left alone. Returns the same
    report as :func:`resume_pending`.
    """
    return resume_pending(profile, policy=policy, timeout=timeout, due_only=True, budget=budget, progress=progress,
                          settings_fixed=False)


def next_due_at(profile: Profile) -> dt.datetime | None:
    """When the next open post of this profile is due (naive UTC; a past time: now), or None when none is.

    Posts being sent by another thread or live process, and posts waiting for their key or URL to be
    fixed, are not counted; an open post without a time of its own (left by a stopped run) is due now.
    """
    moments = []
    for pub in outbox.open_publications(profile):
        if pub.waits_for_settings or delivering_here(pub.id) \
                or (pub.owner and pub.owner != outbox.owner_tag() and outbox.owner_alive(pub.owner)):
            continue
        moments.append(pub.next_attempt_at or pub.updated_at)
    return min(moments) if moments else None


DUPLICATE_WATCH = dt.timedelta(days=7)
"""How long after sending a post that needed retries the follow-up still looks for late copies of it."""


@dataclass
class StatusReport:
    """What :func:`refresh_status_report` found: the rows it updated and every extra copy it removed."""

    updated: list[Publication] = field(default_factory=list)
    duplicates: list[DuplicateCopy] = field(default_factory=list)

    def summary(self) -> str:
        if not self.duplicates:
            return f"Checked {len(self.updated)} post(s) on Postiz; no duplicates."
        removed = sum(d.removed for d in self.duplicates)
        return (f"Checked {len(self.updated)} post(s) on Postiz; found {len(self.duplicates)} duplicate copy(ies) "
                f"of a post sent again after a lost answer, removed {removed}: "
                + "; ".join(d.describe() for d in self.duplicates) + ".")


def refresh_status_report(profile: Profile, *, policy: RetryPolicy | None = None,
                          timeout: float = DEFAULT_TIMEOUT) -> StatusReport:
    """Ask Postiz how the posted publications stand (QUEUE, PUBLISHED, ERROR…) and record it on them and their clips.

    It also finds late copies of a post (a request that timed out or was in
    flight when a process died, carried out by Postiz after the retry
    succeeded): every copy with the row's marker but the one kept is removed,
    already published ones included, and reported. A published copy is kept
    over a queued one, so nothing public is taken down when it can be avoided.
    """
    policy = policy or RetryPolicy()
    since = outbox.utcnow() - DUPLICATE_WATCH
    watched = [p for p in outbox.query(profile, "status = ?", [POSTED])
               if p.postiz_state not in outbox.FINAL_POSTIZ_STATES
               or (p.attempts > 1 and p.first_sent_at is not None and p.first_sent_at > since)]
    report = StatusReport()
    if not watched:
        return report
    client = client_for(profile, timeout=timeout, require_enabled=False)
    posts = with_retries(lambda: client.list_posts(*reconcile_window(watched)), policy, "list posts")
    by_id = {str(post.get("id")): post for post in posts}
    for pub in watched:
        matches = matching_posts(posts, pub)
        if pub.postiz_state != "DELETED" and any(str(m.get("id")) == pub.postiz_post_id for m in matches):
            keep_id = str(choose_copy(matches, pub.postiz_post_id).get("id"))
        else:  # the post was deleted (here or in Postiz): a late copy must not go out in its place
            keep_id = ""
        extra = remove_duplicates(client, pub, matches, keep_id, policy)
        report.duplicates.extend(extra)
        post = by_id.get(keep_id)
        state = post.get("state") if post else "DELETED"
        report.updated.append(outbox.update(
            profile, pub.id, postiz_post_id=keep_id or pub.postiz_post_id, postiz_state=state,
            state_checked_at=outbox.utcnow(), release_url=(post or {}).get("releaseURL") or pub.release_url,
            duplicates_removed=pub.duplicates_removed + sum(d.removed for d in extra)))
    for clip_id in {p.clip_id for p in watched}:
        outbox.refresh_clip_state(profile, clip_id)
    return report


def refresh_status(profile: Profile, *, policy: RetryPolicy | None = None,
                   timeout: float = DEFAULT_TIMEOUT) -> list[Publication]:
    """:func:`refresh_status_report`, returning only the updated publications."""
    return refresh_status_report(profile, policy=policy, timeout=timeout).updated


def delete_publication(profile: Profile, publication_id: str, *, timeout: float = DEFAULT_TIMEOUT) -> Publication:
    """Remove a posted publication from Postiz (its whole group), or cancel one not sent yet."""
    pub = outbox.get(profile, publication_id)
    if pub.status == POSTED and pub.postiz_post_id:
        client_for(profile, timeout=timeout, require_enabled=False).delete_post(pub.postiz_post_id)
        pub = outbox.update(profile, pub.id, postiz_state="DELETED")
    elif pub.is_open and pub.first_sent_at is None:
        pub = outbox.update(profile, pub.id, status=outbox.CANCELLED)
    elif pub.is_open:
        raise ValidationError("This post may already be on Postiz; resume the outbox first, then delete it.")
    outbox.refresh_clip_state(profile, pub.clip_id)
    return pub


def retry_publication(profile: Profile, publication_id: str) -> Publication:
    """Put a post Postiz refused back in the outbox, to be sent by the next resume.

    Nothing is sent here: a resume (``resume_pending``, the "publish_resume" job) sends it, and a post
    that was sent before is first looked for on Postiz by its marker, so a retry never duplicates it.
    Only failed posts qualify: an open one may be in the middle of being sent, and is resumed anyway.
    """
    pub = outbox.get(profile, publication_id)
    if pub.status != outbox.FAILED:
        raise ValidationError(f"Only failed posts can be retried; this one is {pub.status}"
                              + (" and is sent by the outbox by itself." if pub.is_open else "."))
    pub = outbox.update(profile, pub.id, status=outbox.RETRYING, next_attempt_at=None, owner=None, retryable=None)
    outbox.refresh_clip_state(profile, pub.clip_id)
    return pub


def retry_now(profile: Profile, publication_id: str) -> Publication:
    """Send a post at the next chance: a failed one goes back in the outbox, a waiting one stops waiting.

    Nothing is sent here (a resume or the background loop does it); a post sent before is looked for on
    Postiz first, so this never duplicates it.
    """
    pub = outbox.get(profile, publication_id)
    if pub.status == outbox.FAILED:
        pub = retry_publication(profile, publication_id)
    elif pub.is_open:
        pub = outbox.update(profile, pub.id, next_attempt_at=None, retryable=None if pub.retryable is False
                            else pub.retryable)
    else:
        raise ValidationError(f"Only failed posts and posts waiting to retry can be sent again; this one is "
                              f"{pub.status}.")
    _keep_retrying(profile, [pub])
    return pub


def cancel_publication(profile: Profile, publication_id: str) -> Publication:
    """Cancel a post of the outbox that no create request has left for yet; it is then never sent."""
    cancelled = outbox.cancel_unsent(profile, publication_id)
    if cancelled is None:
        pub = outbox.get(profile, publication_id)
        if pub.is_open:
            raise ValidationError(
                "A request for this post already went to Postiz, so the post may be there: it cannot be cancelled "
                "here. Let the outbox finish it (it never posts twice), then delete it in Postiz.")
        raise ValidationError(f"This post is {pub.status} already; there is nothing to cancel.")
    outbox.refresh_clip_state(profile, cancelled.clip_id)
    return cancelled


def _publication_filters(clip_id: str | None, status: str | Sequence[str] | None) -> tuple[str, list]:
    where, params = [], []
    if clip_id:
        where.append("clip_id = ?")
        params.append(clip_id)
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        unknown = [s for s in statuses if s not in outbox.STATUSES]
        if unknown or not statuses:
            raise ValidationError(f"Unknown post status {unknown[0] if unknown else status!r}; "
                                  f"use one of {', '.join(outbox.STATUSES)}.")
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    return " AND ".join(where) or "TRUE", params


def list_publications(profile: Profile, clip_id: str | None = None, *, status: str | Sequence[str] | None = None,
                      newest_first: bool = False, limit: int | None = None, offset: int = 0) -> list[Publication]:
    """The outbox (or one clip's posts), optionally of some statuses, oldest first unless ``newest_first``; paged."""
    where, params = _publication_filters(clip_id, status)
    return outbox.query(profile, where, params, newest_first=newest_first, limit=limit, offset=offset)


def count_publications(profile: Profile, clip_id: str | None = None, *,
                       status: str | Sequence[str] | None = None) -> int:
    """How many posts :func:`list_publications` would list with the same filters, over all pages."""
    where, params = _publication_filters(clip_id, status)
    return outbox.count(profile, where, params)
