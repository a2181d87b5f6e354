"""Every job kind is said in words: what the job makes, with names instead of ids and no JSON (issue 21, point 3)."""

from __future__ import annotations

import pytest

from editfactory.jobs.describe import DESCRIBE, describe_job
from editfactory.jobs.registry import STANDARD_KINDS

NAMES = {"proj_1": "Spring launch", "clip_1": "Red boots", "clip_2": "Blue boots", "src_1": "beach.mp4",
         "voice_9": "Anna – warm", "c-tiktok": "Shop TikTok", "c-x": "Shop X"}

EXAMPLES = {
    "production": ({"project_id": "proj_1", "variants": 3, "voice": {"provider": "piper", "voice": "joe"},
                    "preset": "tiktok"}, "3 variants of 'Spring launch', Piper Joe, TikTok"),
    "voiceover": ({"project_id": "proj_1", "script": None, "voice": {"provider": "elevenlabs", "voice": "voice_9"}},
                  "Voiceover of the script of 'Spring launch', ElevenLabs Anna – warm"),
    "voice_preview": ({"voice": {"provider": "edge", "voice": "en-US-AriaNeural"}, "text": "Hello there"},
                      "Sample of Edge TTS AriaNeural: 'Hello there'"),
    "clone_voice": ({"provider": "xtts", "name": "Anna", "samples": ["/a/1.wav", "/a/2.wav"], "language": "en"},
                    "Clone the voice 'Anna' from 2 samples, with Coqui XTTS v2"),
    "import_sources": ({"paths": ["/up/beach.mp4", "/up/city.mp4"], "project_id": "proj_1"},
                       "Import 2 videos into 'Spring launch'"),
    "analyze_source": ({"source_id": "src_1", "options": {}}, "Find the best moments of 'beach.mp4'"),
    "publish": ({"clip_ids": ["clip_1", "clip_2"], "targets": ["c-tiktok", "c-x"], "start": "2027-12-01T10:00:00+00:00",
                 "spacing_minutes": 120.0, "draft": False},
                "Publish 2 clips to Shop TikTok, Shop X, from 2027-12-01 10:00 UTC, 120 min apart"),
    "publish_refresh": ({}, "Ask Postiz how the sent posts stand"),
    "publish_resume": ({}, "Finish the posts left unsent (none is sent twice)"),
    "publish_retry_due": ({}, "Send the posts whose wait is over"),
    "export": ({"destination": "/backups/shoes.zip", "include_secrets": False}, "Export the profile to 'shoes.zip'"),
}


def test_every_standard_kind_has_a_describe_function_and_an_example():
    assert set(DESCRIBE) == set(STANDARD_KINDS) == set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_says_what_it_makes(kind):
    inputs, words = EXAMPLES[kind]
    assert describe_job(kind, inputs, NAMES) == words


def test_ids_without_a_name_are_never_shown_raw():
    text = describe_job("production", {"project_id": "proj_gone", "variants": 1}, {})
    assert text == "1 variant of a deleted project, the profile's voice, TikTok" and "proj_gone" not in text
    assert describe_job("publish", {"clip_ids": ["clip_1"], "targets": None}, NAMES) == \
        "Publish 'Red boots' to the default channels, now"


def test_odd_inputs_fall_back_to_the_kind_and_unknown_kinds_to_their_name():
    assert describe_job("production", {"variants": "many"}, {}) == "Production"
    assert describe_job("my_plugin_job", {"x": 1}) == "My plugin job"
