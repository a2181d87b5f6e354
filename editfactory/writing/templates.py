"""Scripts written offline from templates: hook, benefit, proof, price and offer, call to action.

Free and instant — no model, no network — so the user never faces a blank page. Variants differ in their
first sentence (each takes another hook) and in their angle (the benefit they lead with); variant 1 is
always the same for a brief, the others are drawn with ``seed``. Sentences come from
:mod:`editfactory.writing.phrases`; a script longer than the brief's target drops, in this order, the
description, the proof and the audience sentence (the hook, price, offer and call always stay).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from editfactory.core.errors import check_number
from editfactory.tts.service import speech_seconds
from editfactory.writing.brief import Brief
from editfactory.writing.phrases import PHRASES

MAX_VARIANTS = 10
MAX_DESCRIPTION_SENTENCE = 200
"""A first sentence of the description longer than this is a paragraph, not something to read out."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class ScriptVariant:
    """One script the user can edit, keep or drop."""

    text: str
    hook: str
    """Its first sentence."""
    angle: int
    """Which benefit it leads with (0–4 for templates)."""
    source: str = "templates"
    """'templates', or the model that wrote it."""

    @property
    def seconds(self) -> float:
        """Roughly how long it takes to say at the default voice rate."""
        return speech_seconds(self.text)


def _clause(text: str) -> str:
    """Typed text as the middle of a sentence: trailing punctuation dropped (the template ends the sentence)."""
    return text.strip().rstrip(".!?;,: ")


def first_sentence(description: str) -> str:
    """The description's first sentence, ending in punctuation; '' when there is none or it is too long."""
    text = description.strip()
    if not text:
        return ""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if len(sentence) > MAX_DESCRIPTION_SENTENCE or len(sentence.split()) < 3:
        return ""
    return sentence if sentence[-1] in ".!?…" else sentence + "."


def offer_sentences(brief: Brief) -> list[str]:
    """The price and offer sentences of the brief (none, one or two)."""
    words = PHRASES[brief.language]
    price, offer = _clause(brief.price), _clause(brief.offer)
    said = []
    if price:
        said.append(words.price.format(price=price))
    if offer:
        said.append((words.offer_after_price if price else words.offer_alone).format(offer=offer))
    return said


def compose(brief: Brief, hook: int, angle: int) -> ScriptVariant:
    """The script with hook number ``hook`` (0–9) and angle ``angle`` (0–4), fitted to the brief's target."""
    words = PHRASES[brief.language]
    product = brief.product
    parts = {
        "hook": words.hooks[hook].format(product=product),
        "audience": words.audience.format(audience=_clause(brief.audience)) if _clause(brief.audience) else "",
        "angle": words.angles[angle].format(product=product),
        "description": first_sentence(brief.description),
        "proof": words.proof,
        "offer": " ".join(offer_sentences(brief)),
        "call": words.calls[brief.tone],
    }
    order = ("hook", "audience", "angle", "description", "proof", "offer", "call")

    def text() -> str:
        return " ".join(parts[name] for name in order if parts[name])

    for optional in ("description", "proof", "audience"):
        if speech_seconds(text()) <= brief.target_seconds:
            break
        parts[optional] = ""
    return ScriptVariant(text(), parts["hook"], angle)


def template_scripts(brief: Brief, n: int = 3, *, seed: int = 0) -> list[ScriptVariant]:
    """``n`` (1–10) scripts for ``brief``, each with a different hook; the same brief and seed give the same ones."""
    n = int(check_number(n, "The number of scripts", minimum=1, maximum=MAX_VARIANTS, integer=True))
    seed = int(check_number(seed, "The seed", integer=True))
    words = PHRASES[brief.language]
    rng = random.Random(seed)
    hooks = [0, *rng.sample(range(1, len(words.hooks)), len(words.hooks) - 1)]
    angles = [0, *rng.sample(range(1, len(words.angles)), len(words.angles) - 1)]
    return [compose(brief, hooks[k], angles[k % len(angles)]) for k in range(n)]
