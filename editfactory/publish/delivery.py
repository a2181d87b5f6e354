"""Sending outbox rows to Postiz: uploads, retries with backoff, and reconciling before any re-send.

The rule that prevents duplicates: once a create-post request has left for a
row (``first_sent_at`` is set), that row is never sent again before the
channel's posts have been listed and searched for the row's invisible marker.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from editfactory.profiles.profile import Profile
from editfactory.publish import marker, outbox
from editfactory.publish.content import to_postiz_html
from editfactory.publish.client import PostizClient, UploadedMedia, iso_utc
from editfactory.publish.errors import PostizError, PostizSetupError
from editfactory.publish.outbox import FAILED, POSTED, RETRYING, SENDING, Publication

log = logging.getLogger(__name__)

RECONCILE_MARGIN = dt.timedelta(days=1)  # Postiz stores "now" posts at its own clock, in its own time zone


@dataclass
class RetryPolicy:
    """How hard to try. Tests pass tiny delays or a recording ``sleep``; the defaults suit real use."""

    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 300.0
    factor: float = 2.0
    jitter: float = 0.25
    retry_after_cap: float = 3600.0
    max_wait: float = 120.0  # a longer wait (an hourly rate limit) leaves the row for a later resume instead
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); Retry-After wins when longer."""
        backoff = min(self.max_delay, self.base_delay * self.factor ** max(0, attempt - 1))
        backoff *= 1 + self.jitter * (2 * self.rng.random() - 1)
        if retry_after is not None:
            return max(backoff, min(retry_after, self.retry_after_cap))
        return backoff


def with_retries(action: Callable[[], object], policy: RetryPolicy, what: str):
    """Run a call that is safe to repeat (listing, uploading) until it succeeds or cannot."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return action()
        except PostizError as error:
            if not error.retryable or attempt >= policy.max_attempts:
                raise
            wait = policy.delay(attempt, getattr(error, "retry_after", None))
            log.info("Retrying %s in %.2f s after: %s", what, wait, error)
            policy.sleep(wait)


def ensure_media(profile: Profile, client: PostizClient, publications: list[Publication], policy: RetryPolicy,
                 clip_path) -> UploadedMedia:
    """Upload the clip once for these rows (re-uploading is harmless: it only leaves unused media)."""
    have = next((p for p in publications if p.media_id and p.media_path), None)
    if have is not None:
        media = UploadedMedia(have.media_id, have.media_path)
    else:
        media = with_retries(lambda: client.upload(clip_path), policy, "the upload")
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
            "settings": pub.settings,
        }],
    }


def reconcile_window(pubs: list[Publication]) -> tuple[dt.datetime, dt.datetime]:
    """A UTC range that holds the Postiz publish date of every one of these rows."""
    moments = [m for p in pubs for m in (p.first_sent_at, p.scheduled_at, p.created_at) if m is not None]
    moments.append(outbox.utcnow())
    return ((min(moments) - RECONCILE_MARGIN).replace(tzinfo=dt.timezone.utc),
            (max(moments) + RECONCILE_MARGIN).replace(tzinfo=dt.timezone.utc))


def matching_posts(posts: list[dict], pub: Publication) -> list[dict]:
    """The posts on the row's channel that carry the row's marker, oldest first."""
    found = [post for post in posts
             if str((post.get("integration") or {}).get("id")) == pub.integration_id
             and pub.marker in marker.decode(str(post.get("content") or ""))]
    return sorted(found, key=lambda post: (str(post.get("publishDate") or ""), str(post.get("id"))))


def remove_duplicates(client: PostizClient, pub: Publication, matches: list[dict], keep_id: str,
                      policy: RetryPolicy) -> int:
    """Delete extra copies of the row's post that Postiz has not published yet; returns how many went.

    A copy can appear late: a request that timed out may still be processed
    after the retry succeeded. Copies already published are only reported.
    """
    removed = 0
    for post in matches:
        post_id = str(post.get("id"))
        if post_id == keep_id:
            continue
        if post.get("state") in ("QUEUE", "DRAFT"):
            with_retries(lambda post_id=post_id: client.delete_post(post_id), policy, "removing a duplicate")
            removed += 1
            log.warning("Removed duplicate Postiz post %s of publication %s", post_id, pub.id)
        else:
            log.warning("Publication %s has an extra Postiz post %s in state %s; remove it in Postiz",
                        pub.id, post_id, post.get("state"))
    return removed


def find_on_server(client: PostizClient, pub: Publication, policy: RetryPolicy) -> dict | None:
    """The post this row already created on Postiz, found by its marker on the same channel, or None."""
    matches = matching_posts(client.list_posts(*reconcile_window([pub])), pub)
    if not matches:
        return None
    keep = next((m for m in matches if str(m.get("id")) == pub.postiz_post_id), matches[0])
    remove_duplicates(client, pub, matches, str(keep.get("id")), policy)
    return keep


def deliver(profile: Profile, client: PostizClient, pub: Publication, policy: RetryPolicy) -> Publication:
    """Send one row until Postiz has it, it is refused, or the attempts run out (then it stays open)."""
    me = outbox.owner_tag()
    tries = 0
    while True:
        tries += 1
        reconciling = True
        try:
            if pub.first_sent_at is not None:
                existing = find_on_server(client, pub, policy)
                if existing is not None:
                    log.info("Publication %s was already on Postiz as post %s", pub.id, existing.get("id"))
                    return outbox.update(profile, pub.id, status=POSTED, postiz_post_id=str(existing.get("id")),
                                         postiz_state=existing.get("state"), last_error=None, retryable=None,
                                         next_attempt_at=None, release_url=existing.get("releaseURL"))
            reconciling = False
            pub = outbox.update(profile, pub.id, status=SENDING, attempts=pub.attempts + 1, owner=me,
                                first_sent_at=pub.first_sent_at or outbox.utcnow(), next_attempt_at=None)
            answer = client.create_post(payload(pub))
        except PostizError as error:
            pub = outbox.get(profile, pub.id)
            if not error.retryable and (isinstance(error, PostizSetupError) or reconciling):
                # The key, the URL or the post list is the problem, not this post, and an earlier attempt may be on
                # Postiz already: keep the row open, so a resume delivers or finds it once that is fixed.
                return outbox.update(profile, pub.id, status=RETRYING, last_error=str(error), retryable=False,
                                     next_attempt_at=None)
            if not error.retryable:
                return outbox.update(profile, pub.id, status=FAILED, last_error=str(error), retryable=False,
                                     next_attempt_at=None)
            wait = policy.delay(tries, getattr(error, "retry_after", None))
            pub = outbox.update(profile, pub.id, status=RETRYING, last_error=str(error), retryable=True,
                                next_attempt_at=outbox.utcnow() + dt.timedelta(seconds=wait))
            if tries >= policy.max_attempts or wait > policy.max_wait:
                log.warning("Publication %s not delivered yet (%d tries); it stays in the outbox until %s",
                            pub.id, tries, pub.next_attempt_at)
                return pub
            policy.sleep(wait)
            continue
        post_id = next((str(item.get("postId")) for item in answer
                        if str(item.get("integration")) == pub.integration_id and item.get("postId")), None)
        if post_id is None:
            # Accepted but unrecognisable: the next round looks it up instead of blindly sending again.
            pub = outbox.update(profile, pub.id, status=RETRYING, retryable=True,
                                last_error="Postiz answered without the new post's id; checking the post list.")
            if tries >= policy.max_attempts:
                return pub
            continue
        state = "DRAFT" if pub.post_type == "draft" else "QUEUE"
        return outbox.update(profile, pub.id, status=POSTED, postiz_post_id=post_id, postiz_state=state,
                             last_error=None, retryable=None, next_attempt_at=None)
