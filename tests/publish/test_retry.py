"""Retrying a post Postiz refused: back in the outbox, sent once by the next resume, never duplicated."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.publish import list_publications, publish_clip, resume_pending, retry_publication
from editfactory.publish import outbox
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"


@pytest.fixture
def store(workspace, postiz_factory, sample_mp4):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY)
    return profile, server, add_clip(profile, sample_mp4, "Red sneakers")


def test_a_refused_post_is_sent_once_after_retry(store, fast_policy):
    profile, server, clip = store
    server.fail_next(400, {"statusCode": 400, "message": ["posts.0.value must not be empty"]},
                     method="POST", path="/posts")
    (failed,) = publish_clip(profile, clip, ["a-x"], caption="Fresh drop", policy=fast_policy)
    assert failed.status == outbox.FAILED and "refused" in failed.last_error and server.live_posts() == []
    reopened = retry_publication(profile, failed.id)
    assert reopened.status == outbox.RETRYING and outbox.clip_state(profile, clip)["state"] == "publishing"
    report = resume_pending(profile, policy=fast_policy)
    assert [p.status for p in report.results] == [outbox.POSTED]
    assert len(server.live_posts()) == 1
    # Once posted it cannot be "retried" into a second copy.
    with pytest.raises(ValidationError, match="Only failed posts"):
        retry_publication(profile, failed.id)
    assert resume_pending(profile, policy=fast_policy).found == [] and len(server.live_posts()) == 1


def test_retry_refuses_another_profiles_post(workspace, store, fast_policy):
    profile, server, clip = store
    server.fail_next(400, {"statusCode": 400, "message": ["bad"]}, method="POST", path="/posts")
    (failed,) = publish_clip(profile, clip, ["a-x"], caption="Hi", policy=fast_policy)
    other = workspace.create("Store B")
    with pytest.raises(NotFoundError):
        retry_publication(other, failed.id)
    assert list_publications(profile)[0].status == outbox.FAILED
