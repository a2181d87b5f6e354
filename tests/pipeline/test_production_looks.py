"""A project's caption look and the font check, met through the production job."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.footage import save_caption_style
from editfactory.jobs import SUCCEEDED, JobStore
from editfactory.media.caption_looks import LOOKS
from editfactory.media.captions import CaptionStyle
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from .conftest import SMALL


def test_a_script_the_profile_font_cannot_draw_is_refused_before_any_voice(store, runner):
    profile, project = store
    save_caption_style(profile, CaptionStyle(font="League Spartan"))
    with pytest.raises(ValidationError, match=r"cannot draw .*Ω.*choose the font"):
        start_production(runner, profile, ProductionRequest(project["id"], "Reducere azi. Ωμέγα προσφορά."))
    assert JobStore(profile).list() == [], "no job, so no voice was paid for"
    # The project's look (Noto Sans) draws Greek: the same script is accepted and its captions use the look.
    job_id = start_production(runner, profile, ProductionRequest(project["id"], "Ωμέγα προσφορά.", preset=SMALL,
                                                                 caption_look="karaoke"))
    job = runner.wait(profile, job_id, timeout=120)
    assert job.status == SUCCEEDED, job.error
    clip = projects.list_clips(profile, project["id"])[0]
    ass = profile.paths.absolute(clip["captions_path"]).read_text(encoding="utf-8")
    assert f"Caption,{LOOKS['karaoke'].font}," in ass and "ΩΜΈΓΑ" in ass
