"""The first-run checklist: add footage, write a script, make a first video, connect Postiz — each ticked from the
profile's own data, each with the page where it is done."""

from __future__ import annotations

from dataclasses import dataclass

from editfactory.profiles import Profile
from editfactory.publish.config import has_api_key, load_config


@dataclass(frozen=True)
class FirstStep:
    """One step: what to do, the page (``?page=``) where it is done, a hint, whether the profile has done it."""

    key: str
    label: str
    page: str
    hint: str
    done: bool


_FINISHED = "SELECT count(*) FROM clips WHERE status IN ('rendered', 'published') AND path IS NOT NULL"


def has_finished_clip(profile: Profile) -> bool:
    return profile.db.fetchone(_FINISHED)[0] > 0


def first_steps(profile: Profile) -> list[FirstStep]:
    """The checklist for ``profile`` (a few counting queries on its database, one secret lookup)."""
    with profile.db.session():
        footage = profile.db.fetchone("SELECT count(*) FROM source_videos")[0] > 0
        script = profile.db.fetchone("SELECT count(*) FROM projects WHERE trim(coalesce(script, '')) <> ''")[0] > 0
        video = has_finished_clip(profile)
        postiz = bool(load_config(profile).url)
    postiz = postiz and has_api_key(profile)
    return [
        FirstStep("footage", "Add footage", "produce",
                  "Create a project on Produce and upload a few product videos or photos.", footage),
        FirstStep("script", "Write a script", "produce",
                  "A few sentences for the voiceover, in the project's Script box.", script),
        FirstStep("video", "Make a first video", "produce",
                  "Pick a voice and Render: the clip appears here in the Library.", video),
        FirstStep("postiz", "Connect Postiz", "settings",
                  "Your Postiz address and API key in Settings, to publish to TikTok, Reels and Shorts.", postiz),
    ]
