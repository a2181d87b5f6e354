"""Sending outbox rows to Postiz: uploads, retries with backoff, and reconciling before any re-send.

The rule that prevents duplicates: once a create-post request has left for a
row (``first_sent_at`` is set), that row is never sent again before the
channel's posts have been listed and searched for the row's invisible marker,
and never while that request may still be carried out (``resend_after``: a
timed-out or dropped request, or one in flight when the process died, can
land late). Copies that land anyway are removed by the status follow-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from editfactory.core.progress import ProgressCallback
from editfactory.profiles.profile import Profile
from editfactory.publish import marker, outbox
from editfactory.publish.client import PostizClient, UploadedMedia, iso_utc
from editfactory.publish.content import to_postiz_html
from editfactory.publish.errors import PostizError, PostizSetupError
from editfactory.publish.outbox import FAILED, POSTED, RETRYING, SENDING, Publication

log = logging.getLogger(__name__)

RECONCILE_MARGIN = dt.timedelta(days=1)  # Postiz stores "now" posts at its own clock, in its own time zone


RETRY_DELAY_ENV = "EDITFACTORY_PUBLISH_RETRY_DELAY"
"""Seconds before the first retry of a post (it doubles with each failure); default 2."""
RETRY_MAX_DELAY_ENV = "EDITFACTORY_PUBLISH_RETRY_MAX_DELAY"
"""The longest wait between two tries of a post, in seconds; default 300."""


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment variable ``name``, else ``default``."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


@dataclass
class RetryPolicy:
    """How hard to try. Tests pass tiny delays or a recording ``sleep``; the defaults suit real use.

    ``landing_grace``: how long after a request ended without a clear answer
    (timeout, dropped connection, gateway error) Postiz may still create the
    post; nothing is sent again for that row before it has passed and the post
    was looked for once more. ``deadline``: a ``clock()`` value after which
    nothing waits any more; rows still open are left for a later retry
    (bounds the total time of a background resume).
    """

    max_attempts: int = 6
    base_delay: float = field(default_factory=lambda: env_seconds(RETRY_DELAY_ENV, 2.0))
    max_delay: float = field(default_factory=lambda: env_seconds(RETRY_MAX_DELAY_ENV, 300.0))
    factor: float = 2.0
    jitter: float = 0.25
    retry_after_cap: float = 3600.0
    max_wait: float = 120.0  # a longer wait (an hourly rate limit) leaves the row for a later retry instead
    landing_grace: float = 30.0
    deadline: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); Retry-After wins when longer."""
        backoff = min(self.max_delay, self.base_delay * self.factor ** max(0, attempt - 1))
        backoff *= 1 + self.jitter * (2 * self.rng.random() - 1)
        if retry_after is not None:
            return max(backoff, min(retry_after, self.retry_after_cap))
        return backoff

    def can_wait(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` here is allowed (else the row is left for later)."""
        return seconds <= self.max_wait and (self.deadline is None or self.clock() + seconds <= self.deadline)

    def within(self, budget: float | None) -> RetryPolicy:
        """This policy with a deadline ``budget`` seconds from now (the earlier one wins)."""
        if budget is None:
            return self
        deadline = self.clock() + max(0.0, budget)
        return replace(self, deadline=deadline if self.deadline is None else min(deadline, self.deadline))


def _wait(policy: RetryPolicy, seconds: float, progress: ProgressCallback | None, why: str) -> None:
    """Sleep through the policy, first saying until when (so a long wait never looks like a hang)."""
    if progress is not None and seconds >= 1:
        until = dt.datetime.now().astimezone() + dt.timedelta(seconds=seconds)
        progress(f"{why}: waiting until {until:%H:%M:%S}", None)
    policy.sleep(seconds)


def with_retries(action: Callable[[], object], policy: RetryPolicy, what: str,
                 progress: ProgressCallback | None = None):
    """Run a call that is safe to repeat (listing, uploading) until it succeeds or cannot."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return action()
        except PostizError as error:
            wait = policy.delay(attempt, getattr(error, "retry_after", None))
            if not error.retryable or attempt >= policy.max_attempts or not policy.can_wait(wait):
                raise
            log.info("Retrying %s in %.2f s after: %s", what, wait, error)
            _wait(policy, wait, progress, f"Postiz could not {what} yet")


# Rows a thread of this process is sending right now (id → thread): a due-retry or a resume in another
# thread leaves them alone. Between processes the row's ``owner`` does the same (see ``outbox.claim``).
_delivering: dict[str, int] = {}
_delivering_lock = threading.Lock()


def delivering_here(publication_id: str) -> bool:
    """Whether another thread of this process is sending the row now."""
    with _delivering_lock:
        holder = _delivering.get(publication_id)
    return holder is not None and holder != threading.get_ident()


@contextlib.contextmanager
def claimed_here(publication_ids: list[str]):
    """Claim rows for this thread (again for rows it holds already); yields the ids it got."""
    me = threading.get_ident()
    with _delivering_lock:
        got = [i for i in publication_ids if _delivering.get(i, me) == me]
        new = [i for i in got if i not in _delivering]
        for i in new:
            _delivering[i] = me
    try:
        yield got
    finally:
        with _delivering_lock:
            for i in new:
                _delivering.pop(i, None)


def ensure_media(profile: Profile, client: PostizClient, publications: list[Publication], policy: RetryPolicy,
                 clip_path) -> UploadedMedia:
    """Upload the clip once for these rows (re-uploading is harmless: it only leaves unused media)."""
    have = next((p for p in publications if p.media_id and p.media_path), None)
    if have is not None:
        media = UploadedMedia(have.media_id, have.media_path)
    else:
        media = with_retries(lambda: client.upload(clip_path), policy, "take the upload")
    outbox.set_media(profile, [p.id for p in publications if p.media_id != media.id], media.id, media.path)
    return media


def payload(pub: Publication) -> dict:
    """The create-post body for one row: one channel, one value with the video, the marker in the text.

    The text goes as escaped HTML, so Postiz's sanitiser keeps all of it (the marker too).
    """
    date = pub.scheduled_at.replace(tzinfo=dt.timezone.utc) if pub.scheduled_at else dt.datetime.now(dt.timezone.utc)
    return {
        "type": pub.post_type,
        "shortLink": False,
        "date": iso_utc(date),
        "tags": [],
        "posts": [{
            "integration": {"id": pub.integration_id},
            "value": [{"content": to_postiz_html(marker.with_marker(pub.content, pub.marker)),
                       "image": [{"id": pub.media_id, "path": pub.media_path}]}],
            "settings": {**pub.settings, marker.SETTINGS_FIELD: pub.id},  # stored, returned, never published
        }],
    }


def reconcile_window(pubs: list[Publication]) -> tuple[dt.datetime, dt.datetime]:
    """A UTC range that holds the Postiz publish date of every one of these rows."""
    moments = [m for p in pubs for m in (p.first_sent_at, p.scheduled_at, p.created_at) if m is not None]
    moments.append(outbox.utcnow())
    return ((min(moments) - RECONCILE_MARGIN).replace(tzinfo=dt.timezone.utc),
            (max(moments) + RECONCILE_MARGIN).replace(tzinfo=dt.timezone.utc))


def matching_posts(posts: list[dict], pub: Publication) -> list[dict]:
    """The posts on the row's channel that are the row's, oldest first.

    A post whose settings carry an outbox reference (Postiz returns them) is the
    row's only when it is the row's id; otherwise the caption's tag decides.
    """
    def is_ours(post: dict) -> bool:
        reference = marker.settings_reference(post)
        if reference is not None:
            return reference == pub.id
        return pub.marker in marker.decode(str(post.get("content") or ""))

    found = [post for post in posts
             if str((post.get("integration") or {}).get("id")) == pub.integration_id and is_ours(post)]
    return sorted(found, key=lambda post: (str(post.get("publishDate") or ""), str(post.get("id"))))


@dataclass(frozen=True)
class DuplicateCopy:
    """An extra copy of one publication's post found on Postiz (same channel, same marker)."""

    publication_id: str
    clip_id: str
    platform: str
    post_id: str
    state: str
    removed: bool
    release_url: str | None = None

    def describe(self) -> str:
        if not self.removed:
            return f"an extra copy on {self.platform} (Postiz post {self.post_id}, {self.state}) could not be removed"
        if self.state == "PUBLISHED":
            where = f" at {self.release_url}" if self.release_url else ""
            return (f"an extra copy on {self.platform} was already published{where}: it was removed in Postiz; "
                    "if the platform still shows it, delete it there")
        return f"an extra copy on {self.platform} ({self.state.lower()}) was removed before it went out"


_KEEP_FIRST = {"PUBLISHED": 0, "QUEUE": 1, "DRAFT": 1}


def choose_copy(matches: list[dict], recorded_id: str | None) -> dict:
    """The copy to keep: a published one before a queued one (never take down what is public), else the recorded one."""
    return min(matches, key=lambda m: (_KEEP_FIRST.get(str(m.get("state")), 2), str(m.get("id")) != recorded_id,
                                       str(m.get("publishDate") or ""), str(m.get("id"))))


def remove_duplicates(client: PostizClient, pub: Publication, matches: list[dict], keep_id: str,
                      policy: RetryPolicy) -> list[DuplicateCopy]:
    """Delete every copy of the row's post but ``keep_id``, whatever its state; returns what was found and done.

    A copy can appear late: a request that timed out or was in flight when the
    process died may still be carried out after the retry succeeded.
    """
    found = []
    for post in matches:
        post_id = str(post.get("id"))
        if post_id == keep_id:
            continue
        state = str(post.get("state") or "")
        try:
            with_retries(lambda post_id=post_id: client.delete_post(post_id), policy, "remove a duplicate")
            removed = True
            log.warning("Removed duplicate Postiz post %s (%s) of publication %s", post_id, state, pub.id)
        except PostizError as error:
            removed = False
            log.warning("Could not remove duplicate Postiz post %s of publication %s: %s", post_id, pub.id, error)
        found.append(DuplicateCopy(pub.id, pub.clip_id, pub.platform or pub.integration_id, post_id, state, removed,
                                   post.get("releaseURL")))
    return found


def find_on_server(profile: Profile, client: PostizClient, pub: Publication, policy: RetryPolicy) -> dict | None:
    """The post this row already created on Postiz, found by its marker on the same channel, or None.

    Extra copies found on the way are removed (and counted on the row).
    """
    matches = matching_posts(client.list_posts(*reconcile_window([pub])), pub)
    if not matches:
        return None
    keep = choose_copy(matches, pub.postiz_post_id)
    extra = remove_duplicates(client, pub, matches, str(keep.get("id")), policy)
    if extra:
        outbox.update(profile, pub.id, duplicates_removed=pub.duplicates_removed + sum(d.removed for d in extra))
    return keep


def _seconds_until(moment: dt.datetime | None) -> float:
    return 0.0 if moment is None else (moment - outbox.utcnow()).total_seconds()


def deliver(profile: Profile, client: PostizClient, pub: Publication, policy: RetryPolicy,
            progress: ProgressCallback | None = None) -> Publication:
    """Send one row until Postiz has it, it is refused, or the attempts run out (then it stays open).

    Never sends a row again while an earlier request for it may still land
    (``resend_after``): it looks for the post, waits out the window when the
    policy allows (else leaves the row for a later retry), and looks again.
    A row another thread of this process is delivering is returned untouched.
    """
    with claimed_here([pub.id]) as mine:
        if not mine:
            return pub
        current = outbox.get(profile, pub.id)  # the stored state wins over a copy taken before the claim
        if not current.is_open:
            return current
        return _deliver(profile, client, current, policy, progress)


def _found(profile: Profile, pub: Publication, existing: dict) -> Publication:
    log.info("Publication %s was already on Postiz as post %s", pub.id, existing.get("id"))
    return outbox.update(profile, pub.id, status=POSTED, postiz_post_id=str(existing.get("id")),
                         postiz_state=existing.get("state"), last_error=None, retryable=None, next_attempt_at=None,
                         resend_after=None, release_url=existing.get("releaseURL"))


def _deliver(profile: Profile, client: PostizClient, pub: Publication, policy: RetryPolicy,
             progress: ProgressCallback | None) -> Publication:
    me = outbox.owner_tag()
    name = pub.platform or pub.integration_id
    tries = 0
    while True:
        tries += 1
        reconciling = True
        try:
            if pub.first_sent_at is not None:
                # Look now (the post is usually there already), and once more after the landing window.
                existing = find_on_server(profile, client, pub, policy)
                if existing is not None:
                    return _found(profile, pub, existing)
                hold = _seconds_until(pub.resend_after)
                if hold > 0:
                    if not policy.can_wait(hold):
                        log.info("Publication %s waits until %s: an earlier request may still land", pub.id,
                                 pub.resend_after)
                        return outbox.update(profile, pub.id, status=RETRYING, next_attempt_at=pub.resend_after,
                                             last_error=pub.last_error or "An earlier request may still arrive at "
                                             "Postiz; the outbox looks for it before sending again.")
                    _wait(policy, hold, progress, f"An earlier request to {name} may still arrive")
                    existing = find_on_server(profile, client, pub, policy)
                    if existing is not None:
                        return _found(profile, pub, existing)
            if policy.deadline is not None and policy.clock() >= policy.deadline:  # out of time: left for later
                return outbox.update(profile, pub.id, status=RETRYING) if pub.status == SENDING else pub
            reconciling = False
            sent_at = outbox.utcnow()
            sending = outbox.mark_sending(profile, pub.id, attempts=pub.attempts + 1, owner=me,
                                          first_sent_at=pub.first_sent_at or sent_at, next_attempt_at=None,
                                          # if this process dies mid-request, a resume must not send before this
                                          resend_after=sent_at + dt.timedelta(seconds=client.timeout
                                                                              + policy.landing_grace))
            if sending is None:  # cancelled meanwhile: nothing was sent
                return outbox.get(profile, pub.id)
            pub = sending
            answer = client.create_post(payload(pub))
        except PostizError as error:
            pub = outbox.get(profile, pub.id)
            if not error.retryable and (isinstance(error, PostizSetupError) or reconciling):
                # The key, the URL or the post list is the problem, not this post, and an earlier attempt may be on
                # Postiz already: keep the row open, so a resume delivers or finds it once that is fixed.
                answered = {} if reconciling else {"resend_after": None}  # refused outright: nothing in flight
                return outbox.update(profile, pub.id, status=RETRYING, last_error=str(error), retryable=False,
                                     next_attempt_at=None, **answered)
            if not error.retryable:
                return outbox.update(profile, pub.id, status=FAILED, last_error=str(error), retryable=False,
                                     next_attempt_at=None, resend_after=None)
            now = outbox.utcnow()
            if reconciling:
                resend_after = pub.resend_after
            else:  # this attempt: answered (nothing in flight), or maybe still being carried out
                resend_after = now + dt.timedelta(seconds=policy.landing_grace) if error.may_land_later else None
            # The wait grows with every failed try of this post, also across rounds of the background retry loop.
            failures = pub.failed_tries + 1
            backoff = policy.delay(failures, getattr(error, "retry_after", None))
            due = now + dt.timedelta(seconds=backoff)
            pub = outbox.update(profile, pub.id, status=RETRYING, last_error=str(error), retryable=True,
                                next_attempt_at=due, resend_after=resend_after, failed_tries=failures)
            if tries >= policy.max_attempts or not policy.can_wait(max(backoff, _seconds_until(resend_after))):
                log.warning("Publication %s not delivered yet (%d tries); it stays in the outbox until %s",
                            pub.id, tries, pub.due_at)
                return outbox.update(profile, pub.id, next_attempt_at=pub.due_at)
            why = (f"Postiz asked to wait before posting to {name}" if getattr(error, "retry_after", None)
                   else f"Posting to {name} failed for now")
            _wait(policy, backoff, progress, why)
            continue
        post_id = next((str(item.get("postId")) for item in answer
                        if str(item.get("integration")) == pub.integration_id and item.get("postId")), None)
        if post_id is None:
            # Accepted but unrecognisable: the next round looks it up instead of blindly sending again.
            pub = outbox.update(profile, pub.id, status=RETRYING, retryable=True, resend_after=None,
                                last_error="Postiz answered without the new post's id; checking the post list.")
            if tries >= policy.max_attempts:
                return pub
            continue
        state = "DRAFT" if pub.post_type == "draft" else "QUEUE"
        return outbox.update(profile, pub.id, status=POSTED, postiz_post_id=post_id, postiz_state=state,
                             last_error=None, retryable=None, next_attempt_at=None, resend_after=None)
