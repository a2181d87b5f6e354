"""State of "Write scripts" on the Produce page: the project's brief, the variants written, and which are kept.

Writing runs in a worker thread; :meth:`WritingModel.write` copies the text streamed so far into ``streaming``
every few tenths of a second on the event loop, so the page shows it as it is written, and ``cancel`` stops
the request. Kept variants (edited or not) become the render's ``variant_scripts``: variant k reads script k.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import param

from editfactory.core.errors import ValidationError
from editfactory.models.session import FAILED, StudioSession
from editfactory.profiles import Profile
from editfactory.services.offer import get_offer, offer_text, profile_locale
from editfactory.tts import estimate_for_profile
from editfactory.tts import get_defaults
from editfactory.writing import LANGUAGES, TONES, Brief, load_brief, load_model_config, save_brief, write_scripts
from editfactory.writing.language import voice_mismatch
from editfactory.writing.templates import MAX_VARIANTS

STREAM_REFRESH_SECONDS = 0.15


class WritingModel(param.Parameterized):
    """The brief form, the written variants and the choice among them."""

    session = param.ClassSelector(class_=StudioSession)
    project_id = param.String(default="", doc="The project whose brief this is.")
    product = param.String(default="", doc="The product's name.")
    description = param.String(default="", doc="What it is, or text pasted from the product page.")
    price = param.String(default="", doc="As the viewer should hear it, e.g. $25 ('' for none).")
    offer = param.String(default="", doc="E.g. free shipping this week ('' for none).")
    audience = param.String(default="", doc="Who it is for ('' for anyone).")
    tone = param.Selector(default="friendly", objects=list(TONES), doc="How the scripts sound.")
    language = param.Selector(default="en", objects=list(LANGUAGES), doc="The scripts' language.")
    target_seconds = param.Number(default=30.0, bounds=(5, 180), doc="Target speaking time.")
    count = param.Integer(default=3, bounds=(1, MAX_VARIANTS), doc="How many variants to write.")
    use_model = param.Boolean(default=True, doc="Use the profile's model when one is set (else templates).")
    model_label = param.String(default="", doc="The profile's model ('' when none: templates write).")
    busy = param.Boolean(default=False, doc="A model is writing.")
    streaming = param.String(default="", doc="The model's text so far, while it writes.")
    problem = param.String(default="", doc="Why the last reply could not be used ('' when it could).")
    raw = param.String(default="", doc="The model's last reply as it came (shown escaped, on request).")
    variants = param.List(default=[], doc="Written variants: {'text', 'kept', 'seconds', 'price', 'too_long', "
                                          "'warning'}.")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._cancel: threading.Event | None = None

    def _profile(self) -> Profile:
        return self.session.require_profile()

    # -- the brief ---------------------------------------------------------------------------------

    def brief(self) -> Brief:
        return Brief(self.product, description=self.description, price=self.price, offer=self.offer,
                     audience=self.audience, tone=self.tone, language=self.language,
                     target_seconds=self.target_seconds)

    def read(self, project_id: str, project_name: str = "") -> dict[str, Any]:
        """The project's brief as fields (the project's name as the product when none is saved); thread-safe."""
        profile = self._profile()
        brief = load_brief(profile, project_id) if project_id else None
        config = load_model_config(profile)
        fields = brief.to_dict() if brief else _from_offer(profile, project_id, project_name)
        return {"fields": fields, "model_label": f"{config.model} at {config.base_url}" if config else ""}

    async def load(self, project_id: str, project_name: str = "") -> None:
        found = await self.session.call(self.read, project_id, project_name)
        if found is FAILED:
            return
        self.param.update(project_id=project_id, variants=[], problem="", raw="", streaming="",
                          model_label=found["model_label"], **found["fields"])

    def save(self) -> Brief:
        if not self.project_id:
            raise ValidationError("Open or create a project first; its brief is kept with it.")
        return save_brief(self._profile(), self.project_id, self.brief())

    # -- writing -----------------------------------------------------------------------------------

    def describe(self, text: str, voice: dict[str, Any], voice_name: str = "", voice_language: str = "",
                 max_seconds: float | None = None) -> dict[str, Any]:
        """Speaking time and price of ``text`` with ``voice``, and the warnings; thread-safe."""
        estimate = estimate_for_profile(self._profile(), text, voice)
        limit = min(self.target_seconds, max_seconds) if max_seconds else self.target_seconds
        warnings = []
        if estimate["seconds"] > limit:
            warnings.append(f"About {estimate['seconds']:.0f} s of speech: longer than the {limit:g} s target.")
        if estimate.get("too_long"):
            warnings.append(f"Longer than the voice takes ({estimate['max_characters']:,} characters).")
        mismatch = voice_mismatch(text, voice_name or estimate.get("voice") or "chosen", voice_language)
        if mismatch:
            warnings.append(mismatch)
        return {"seconds": estimate["seconds"], "price": estimate["label"], "too_long": bool(warnings[:2]),
                "warning": " ".join(warnings)}

    def run_writing(self, pieces: list[str], cancel: threading.Event) -> Any:
        profile = self._profile()
        brief = self.save()
        return write_scripts(profile, brief, self.count, use_model=None if self.use_model else False,
                             on_text=pieces.append, cancel=cancel)

    async def write(self, voice: dict[str, Any] | None = None, voice_name: str = "", voice_language: str = "") -> bool:
        """Write ``count`` variants; the streamed text shows in ``streaming`` as it comes. True when some were."""
        if self.busy:
            return False
        pieces: list[str] = []
        self._cancel = threading.Event()
        self.param.update(busy=True, streaming="", problem="", raw="")
        try:
            task = asyncio.ensure_future(self.session.call(self.run_writing, pieces, self._cancel))
            while not task.done():
                await asyncio.sleep(STREAM_REFRESH_SECONDS)
                self.streaming = "".join(pieces)
            batch = task.result()
        finally:
            self.busy = False
            self._cancel = None
        if batch is FAILED:
            self.streaming = ""
            return False
        self.param.update(problem=batch.problem, raw=batch.raw, streaming="")
        if not batch.ok:
            return False
        voice = voice or {}
        described = await self.session.call(
            lambda: [self.describe(v.text, voice, voice_name, voice_language) for v in batch.variants])
        if described is FAILED:
            described = [{"seconds": v.seconds, "price": "", "too_long": False, "warning": ""} for v in batch.variants]
        self.variants = [{"text": v.text, "kept": True, **d} for v, d in zip(batch.variants, described)]
        return True

    async def redescribe(self, index: int, voice: dict[str, Any] | None = None, voice_name: str = "",
                         voice_language: str = "") -> None:
        """Speaking time, price and warnings of variant ``index`` again (after an edit)."""
        text = self.variants[index]["text"]
        found = await self.session.call(self.describe, text, voice or {}, voice_name, voice_language)
        if found is FAILED or index >= len(self.variants) or self.variants[index]["text"] != text:
            return  # edited again, or written anew, meanwhile: that one is described by its own call
        variants = [dict(v) for v in self.variants]
        variants[index].update(found)
        self.variants = variants

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    # -- choosing ----------------------------------------------------------------------------------

    def edit(self, index: int, text: str) -> None:
        variants = [dict(v) for v in self.variants]
        variants[index]["text"] = text
        self.variants = variants

    def keep(self, index: int, kept: bool = True) -> None:
        variants = [dict(v) for v in self.variants]
        variants[index]["kept"] = bool(kept)
        self.variants = variants

    def kept_scripts(self) -> list[str]:
        return [v["text"].strip() for v in self.variants if v["kept"] and v["text"].strip()]


def _from_offer(profile: Profile, project_id: str, project_name: str) -> dict[str, Any]:
    """An unsaved brief starts from the project's offer (its product and price, as the end card writes the price),
    else from the project's name: the store types the product once."""
    offer = get_offer(profile, project_id) if project_id else None
    if offer is None or not offer.has_product:
        return {"product": project_name}
    words = offer_text(offer, profile_locale(profile, get_defaults(profile).voice))
    return {"product": offer.product, "price": words.price}
