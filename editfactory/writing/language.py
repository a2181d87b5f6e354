"""The language a script is written in, and a warning when the chosen voice speaks another one.

Detection uses lingua (``lingua-language-detector``): it is accurate on the short texts scripts are (a
sentence or two, where n-gram detectors such as langdetect guess), works offline with its models inside the
wheel (nothing downloaded at first use, unlike fasttext's model), and is actively maintained. The detector is
built once, over the languages the studio's voices speak, which keeps it fast and its guesses among them.
"""

from __future__ import annotations

import functools

NAMES: dict[str, str] = {
    "en": "English", "ro": "Romanian", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "hu": "Hungarian", "cs": "Czech", "sv": "Swedish",
    "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "el": "Greek", "bg": "Bulgarian", "ja": "Japanese",
    "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "hi": "Hindi",
}
REGIONS = {"US": "US", "GB": "UK", "AU": "Australia", "CA": "Canada", "IN": "India", "IE": "Ireland",
           "MX": "Mexico", "BR": "Brazil", "PT": "Portugal", "ES": "Spain", "FR": "France", "DE": "Germany",
           "AT": "Austria", "CH": "Switzerland", "IT": "Italy", "RO": "Romania", "MD": "Moldova", "BE": "Belgium"}
MIN_CONFIDENCE = 0.5
"""Below this the text is too short or too mixed to say; no warning rather than a wrong one."""
MIN_WORDS = 3


@functools.cache
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in NAMES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in ('ro'), or None when it cannot be told."""
    if not isinstance(text, str) or len(text.split()) < MIN_WORDS:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return values[0].language.iso_code_639_1.name.lower()


def language_label(code: str) -> str:
    """'English (US)' for 'en-US' or 'en_US', 'Romanian' for 'ro'; the code itself when unknown."""
    language, _, region = (code or "").replace("_", "-").partition("-")
    name = NAMES.get(language.lower(), code)
    region = region.upper()
    return f"{name} ({REGIONS.get(region, region)})" if region else name


def voice_mismatch(script: str, voice_name: str, voice_language: str) -> str | None:
    """A warning when ``script`` is in another language than the voice speaks, else None.

    "This script is Romanian; the voice Joe speaks English (US)". A voice of unknown language, or a script
    too short to tell, gives no warning.
    """
    spoken = (voice_language or "").replace("_", "-").partition("-")[0].lower()
    if spoken not in NAMES:
        return None
    written = detect_language(script)
    if written is None or written == spoken:
        return None
    return (f"This script is {NAMES[written]}; the voice {voice_name} speaks {language_label(voice_language)}. "
            "Choose a voice that speaks the script's language, or write the script in the voice's.")
