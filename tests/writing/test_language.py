"""The script's language against the voice's: a warning that names both, none when they agree or it cannot tell."""

from __future__ import annotations

import pytest

from editfactory.writing.brief import LANGUAGES, Brief
from editfactory.writing.language import detect_language, language_label, voice_mismatch
from editfactory.writing.templates import template_scripts


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_template_language_is_detected(language):
    for variant in template_scripts(Brief("Aroma Mug", language=language), 3):
        assert detect_language(variant.text) == language


def test_a_romanian_script_for_an_english_voice_is_a_warning_that_names_both():
    script = template_scripts(Brief("Aroma Mug", language="ro"), 1)[0].text
    warning = voice_mismatch(script, "Joe", "en_US")
    assert warning.startswith("This script is Romanian; the voice Joe speaks English (US).")
    assert voice_mismatch(script, "Alina", "ro-RO") is None


def test_no_warning_when_it_cannot_tell():
    assert detect_language("Aroma Mug") is None
    assert voice_mismatch("Aroma Mug", "Joe", "en_US") is None
    assert voice_mismatch("Acest produs este cel mai bun pentru casa ta.", "Custom", "") is None


def test_labels():
    assert language_label("en-GB") == "English (UK)"
    assert language_label("ro") == "Romanian"
