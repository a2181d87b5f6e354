"""The project's offer through the production job: end card after the whole voiceover, hook, locale, stored inputs."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from editfactory.core.errors import ValidationError
from editfactory.jobs import SUCCEEDED, JobStore
from editfactory.media.probe import probe
from editfactory.media.runner import ffmpeg_path
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.pipeline.production import offer_parts
from editfactory.services import projects
from editfactory.services.offer import set_offer, set_profile_locale

from .conftest import SCRIPT, SMALL

OFFER = {"product": "Trail shoe", "price": 49.9, "currency": "EUR", "old_price": 59.9, "cta": "Shop now — link in bio",
         "background": "color", "color": "#204080", "end_card_seconds": 2.5, "hook": "Light. Fast. Yours."}


def _levels(path, rate=8000) -> np.ndarray:
    """Sound level in dBFS of each 50 ms of ``path``."""
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "s16le",
                          "-"], check=True, capture_output=True, timeout=60).stdout
    samples = np.frombuffer(raw, dtype=np.int16).astype(float) / 32768
    step = rate // 20
    windows = samples[:len(samples) // step * step].reshape(-1, step)
    return 20 * np.log10(np.sqrt((windows ** 2).mean(axis=1)) + 1e-9)


def test_the_end_card_follows_the_whole_voiceover_with_the_stored_offer(store, runner):
    profile, project = store
    set_offer(profile, project["id"], OFFER)
    job_id = start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, preset=SMALL))
    assert JobStore(profile).get(job_id).inputs["offer"]["product"] == "Trail shoe", "a retry shows the same offer"
    job = runner.wait(profile, job_id, timeout=180)
    assert job.status == SUCCEEDED, job.error
    clip = projects.list_clips(profile, project["id"])[0]
    voice_path = profile.paths.absolute(clip["voiceover_path"])
    voice, video = probe(voice_path).duration, profile.paths.absolute(clip["path"])
    assert probe(video).duration == pytest.approx(voice + 2.5, abs=0.1), "the card extends the clip"
    # Speech measured: where the voiceover speaks (its 50 ms windows over -45 dBFS), the clip is loud too,
    # up to the last spoken window; after it, under the card, it is silent.
    spoken = _levels(voice_path) > -45
    last = int(np.nonzero(spoken)[0].max())
    clip_levels = _levels(video)
    assert (clip_levels[:last + 1][spoken[:last + 1]] > -45).mean() > 0.97, "every spoken moment is in the clip"
    assert clip_levels[last] > -45, "the last word is not cut"
    assert (clip_levels[int((voice + 0.3) * 20):int((voice + 2.3) * 20)] < -60).all(), "the card is silent"


def test_prices_use_the_profile_locale_and_bad_offers_are_refused_before_the_job(store, runner):
    profile, project = store
    set_profile_locale(profile, "ro_RO")
    card, hook = offer_parts(profile, ProductionRequest(project["id"], SCRIPT, offer=OFFER), None)
    assert (card.price, card.old_price, card.badge) == ("49,90\u00a0€", "59,90\u00a0€", "−17\u00a0%")
    assert card.background == "#204080" and hook.text == "Light. Fast. Yours."
    assert offer_parts(profile, ProductionRequest(project["id"], SCRIPT, offer={**OFFER, "end_card": False}),
                       None)[0] is None
    assert offer_parts(profile, ProductionRequest(project["id"], SCRIPT), None) == (None, None), "no offer, no card"
    with pytest.raises(ValidationError, match="currency code"):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, offer={**OFFER, "currency": "ABC"}))
    assert JobStore(profile).list() == []


def test_the_end_card_carries_the_brand_kits_logo_and_colours(store):
    """Brand kit (Settings) + offer (Produce): the card shows the profile's logo, its text colour, and the brand's
    end-card colour unless the project chose its own."""
    import io

    from PIL import Image

    from editfactory.services.brand import set_logo, update_brand

    profile, project = store
    out = io.BytesIO()
    Image.new("RGBA", (300, 150), (255, 0, 255, 255)).save(out, format="PNG")
    kit = set_logo(profile, out.getvalue(), "logo.png")
    update_brand(profile, end_card_color="#336699", text_color="#FFEEDD")
    plain = {key: value for key, value in OFFER.items() if key != "color"}
    card, _ = offer_parts(profile, ProductionRequest(project["id"], SCRIPT, offer=plain), None)
    assert card.logo == kit.logo and card.logo.is_relative_to(profile.folder)
    assert (card.background, card.text_color) == ("#336699", "#FFEEDD")
    card, _ = offer_parts(profile, ProductionRequest(project["id"], SCRIPT, offer=OFFER), None)
    assert card.background == "#204080", "a colour chosen for the project wins over the brand's"


def test_a_product_name_the_caption_font_cannot_draw_is_refused_before_the_job(store, runner):
    from editfactory.footage import save_caption_style
    from editfactory.media.captions import CaptionStyle

    profile, project = store
    save_caption_style(profile, CaptionStyle(font="League Spartan"))
    with pytest.raises(ValidationError, match=r"cannot draw .*Ж.*choose the font"):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT,
                                                            offer={**OFFER, "product": "Жакет"}))
    assert JobStore(profile).list() == []
