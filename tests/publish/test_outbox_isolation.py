"""The outbox's clip summary is written only for clips of the profile it is asked through."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError
from editfactory.publish import clip_state, outbox
from editfactory.services import projects
from tests.publish.conftest import add_clip


def _pending(clip_id: str) -> outbox.NewPublication:
    return outbox.NewPublication(clip_id, "tiktok-1", "tiktok", "post", "Hello", {}, None, None, "m1")


def test_clip_state_of_another_profiles_clip_is_refused_and_nothing_written(workspace, sample_mp4):
    a, b = workspace.create("Store A"), workspace.create("Store B")
    clip_a = add_clip(a, sample_mp4)
    with pytest.raises(NotFoundError, match="Clip .* not found in profile 'Store B'"):
        outbox.refresh_clip_state(b, clip_a)
    assert b.db.fetchall("SELECT clip_id FROM clip_publish_state") == []  # no orphan row in the wrong profile
    outbox.record(a, [_pending(clip_a)])
    assert outbox.refresh_clip_state(a, clip_a) == "publishing"
    assert clip_state(a, clip_a)["state"] == "publishing"


def test_a_deleted_clip_with_posts_still_summarizes_without_a_state_row(workspace, sample_mp4):
    a = workspace.create("Store A")
    clip = add_clip(a, sample_mp4)
    outbox.record(a, [_pending(clip)])
    projects.delete_clip(a, clip)
    assert outbox.refresh_clip_state(a, clip) == "publishing"  # its posts still count (status refresh keeps working)
    assert a.db.fetchall("SELECT clip_id FROM clip_publish_state") == []
