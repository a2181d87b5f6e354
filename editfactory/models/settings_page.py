"""The Settings page's state: the profile's name, caption style (with a preview frame), Postiz, the API key of
every voice provider that needs one, prices and the monthly quota.

Every ``save_*`` goes through the service that owns the value, so a bad value is
refused there with its reason and nothing is stored. Keys are never read back:
only their masked form is kept here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import param

from editfactory.core.errors import ValidationError, check_number
from editfactory.costs import get_quota, month_spend, set_quota
from editfactory.costs.confirm import DEFAULT_CONFIRM_ABOVE_USD, confirm_above, set_confirm_above
from editfactory.footage import get_caption_style, save_caption_style
from editfactory.footage.captions import caption_preview
from editfactory.footage.framing import default_framing, set_default_framing
from editfactory.footage.music import choice_value, default_music, picker_choices, set_default_music
from editfactory.footage.sources import list_sources
from editfactory.media.captions import CaptionStyle
from editfactory.models.dashboard import quota_level
from editfactory.models.session import StudioSession
from editfactory.publish.config import api_key_masked, check_connection, known_channels, load_config, save_config
from editfactory.tts.credentials import keys_masked, provider_secret, set_key
from editfactory.tts.registry import PROVIDERS, get_provider
from editfactory.tts.service import set_price

POSITIONS = {"top": 0.22, "middle": 0.55, "bottom": 0.72}
"""Preset caption positions (fraction of the height from the top of the frame); anything else is "custom"."""


def position_choice(vertical_position: float) -> tuple[str, float]:
    """("bottom", 72.0) for a stored 0.72: the preset it matches (else "custom") and the position in percent."""
    for name, value in POSITIONS.items():
        if math.isclose(value, vertical_position, abs_tol=1e-6):
            return name, round(value * 100, 1)
    return "custom", round(vertical_position * 100, 1)


def style_from_form(base: CaptionStyle, *, position: str, custom_percent: Any, **fields: Any) -> CaptionStyle:
    """A validated style from the form's values; a bad value raises ValidationError saying which and why."""
    if position == "custom":
        if custom_percent is None:
            raise ValidationError("Type the caption's custom position as a percentage of the height (0 top … 100 bottom).")
        custom_percent = check_number(custom_percent, "A custom caption position", text=True,
                                      hint="Type a percentage of the height: 0 (top) to 100 (bottom).")
        if not 0 <= custom_percent <= 100:
            raise ValidationError(f"A custom caption position of {custom_percent:g} % is outside the frame; use 0 (top) "
                                  "to 100 (bottom).")
        vertical = custom_percent / 100
    elif position in POSITIONS:
        vertical = POSITIONS[position]
    else:
        raise ValidationError(f"Unknown caption position {position!r}; choose top, middle, bottom or custom.")
    if fields.get("outline") is None and "outline" in fields:
        raise ValidationError("Type the caption outline in pixels (0 for none).")
    # The style checks every value (numbers: finite, whole where needed, in range) with the same words.
    return replace(base, vertical_position=vertical, **fields)


class SettingsModel(param.Parameterized):
    """What the Settings page shows for the session's profile; keys only ever masked."""

    session = param.ClassSelector(class_=StudioSession)
    profile_name = param.String(default="", doc="The profile's name.")
    profile_description = param.String(default="", doc="The profile's description.")
    style = param.ClassSelector(class_=CaptionStyle, default=CaptionStyle(), doc="The saved caption style.")
    preview_path = param.String(default="", doc="The latest caption-style preview image.")
    has_footage = param.Boolean(default=False, doc="Whether the preview is drawn over the profile's own footage.")
    postiz_url = param.String(default="", doc="The saved Postiz URL ('' means Postiz cloud).")
    postiz_enabled = param.Boolean(default=False, doc="Whether publishing is switched on.")
    postiz_key_masked = param.String(default="", doc="The saved Postiz key, masked ('' when none).")
    channels = param.List(default=[], doc="Channels found at the last connection test: {'name', 'platform', 'id'}.")
    provider_keys = param.Dict(default={}, doc="{voice provider: its saved key, masked ('' when none)} for every "
                                                "registered provider that needs a key.")
    prices = param.List(default=[], doc="Every provider's models with this profile's price per 1 000 characters.")
    quota = param.Number(default=None, allow_None=True, doc="Monthly quota in USD (None: no limit).")
    confirm_above = param.Number(default=DEFAULT_CONFIRM_ABOVE_USD, doc="A paid call costing more (USD) is confirmed "
                                 "first, with its price.")
    spent = param.Number(default=0.0, doc="Spent (and reserved) this month in USD.")
    framing = param.String(default="auto", doc="The profile's default framing of footage (auto, fill, fit).")
    music_choices = param.Dict(default={"No music": ""}, doc="Default music to pick from: label -> '', "
                               "'track:<id>' or 'mood:<mood>' (the profile's tracks and their moods).")
    music = param.String(default="", doc="The profile's default music ('' none, 'track:<id>', 'mood:<mood>').")
    music_level = param.Number(default=-12.0, bounds=(-30.0, 0.0), doc="Default music level, dB under the voice.")

    # -- reading (safe in a worker thread) -----------------------------------------------------

    def read(self) -> dict[str, Any]:
        profile = self.session.require_profile()
        with profile.db.session():
            config = load_config(profile)
            prices = []
            for name in PROVIDERS:
                with get_provider(name, profile) as provider:
                    prices += [{"provider": name, "label": provider.label, "model": m.id, "model_label": m.label,
                                "price": m.price_per_1k_chars, "unit": provider.pricing_unit} for m in provider.models()]
            return {
                "profile_name": profile.name, "profile_description": profile.description, "style": get_caption_style(profile),
                "has_footage": bool(list_sources(profile)),
                "postiz_url": config.url, "postiz_enabled": config.enabled,
                "postiz_key_masked": api_key_masked(profile),
                "channels": [_channel_row(c) for c in known_channels(profile).values()],
                "provider_keys": keys_masked(profile), "prices": prices,
                "quota": get_quota(profile), "spent": month_spend(profile), "framing": default_framing(profile),
                "confirm_above": confirm_above(profile), **_music_values(profile),
            }

    def apply(self, values: dict[str, Any]) -> None:
        self.param.update(**values)

    def load(self) -> None:
        self.apply(self.read())

    def clear(self) -> None:
        self.param.update(profile_name="", profile_description="", style=CaptionStyle(), preview_path="", has_footage=False,
                          postiz_url="", postiz_enabled=False, postiz_key_masked="", channels=[],
                          provider_keys={}, prices=[], quota=None, spent=0.0, framing="auto",
                          confirm_above=DEFAULT_CONFIRM_ABOVE_USD,
                          music_choices={"No music": ""}, music="", music_level=-12.0)

    @property
    def quota_used(self) -> float | None:
        if self.quota is None:
            return None
        return self.spent / self.quota if self.quota > 0 else (1.0 if self.spent > 0 else 0.0)

    @property
    def quota_level(self) -> str:
        return quota_level(self.quota_used)

    # -- saving (each refuses a bad value with its reason; nothing stored then) ---------------------

    def save_profile(self, name: str, description: str) -> None:
        profile = self.session.require_profile()
        self.session.update_profile(profile.id, name=name, description=description)
        self.param.update(profile_name=self.session.profile.name,
                          profile_description=self.session.profile.description)

    def save_style(self, style: CaptionStyle) -> CaptionStyle:
        saved = save_caption_style(self.session.require_profile(), CaptionStyle.from_dict(style.to_dict()))
        self.style = saved
        return saved

    def restore_default_style(self) -> CaptionStyle:
        return self.save_style(CaptionStyle())

    def render_preview(self, style: CaptionStyle) -> str:
        """The preview image of ``style`` over this profile's footage (slow: call it in a thread)."""
        return str(caption_preview(self.session.require_profile(), style))

    def save_framing(self, framing: str) -> None:
        """The profile's default framing; a bad value is refused and nothing is stored."""
        self.framing = set_default_framing(self.session.require_profile(), framing)

    def save_music(self, music: str, level: float) -> None:
        """The profile's default music (a track or a mood) and its level; a bad choice is refused, nothing stored."""
        kind, _, value = (music or "").partition(":")
        choice = {"track_id": value} if kind == "track" else {"mood": value} if kind == "mood" else {}
        profile = self.session.require_profile()
        set_default_music(profile, {**choice, "options": {"level_db": level}})
        self.param.update(**_music_values(profile))

    def save_postiz(self, url: str, api_key: str | None, enabled: bool) -> None:
        """Save the URL (and the key when one was typed); a bad URL or key is refused and nothing is stored."""
        profile = self.session.require_profile()
        config = save_config(profile, url=url, enabled=enabled, api_key=api_key or None)
        self.param.update(postiz_url=config.url, postiz_enabled=config.enabled,
                          postiz_key_masked=api_key_masked(profile))

    def remove_postiz_key(self) -> None:
        save_config(self.session.require_profile(), api_key="")
        self.postiz_key_masked = ""

    def test_connection(self, url: str | None = None, api_key: str | None = None) -> list[dict[str, str]]:
        """Ask Postiz for the channels with the URL and key typed in the form (empty key: the saved one);
        gives up within 10 s. Network: call it in a thread."""
        report = check_connection(self.session.require_profile(), url=url, api_key=api_key or None)
        return [_channel_row(c) for c in report.channels]

    def save_provider_key(self, provider: str, key: str) -> None:
        """Check and store a voice provider's key; a bad key is refused with its reason and nothing is stored."""
        if not key or not key.strip():
            secret = provider_secret(provider)
            raise ValidationError(f"Paste the {secret.label} first ({secret.where}).")
        self.provider_keys = {**self.provider_keys, provider: set_key(self.session.require_profile(), provider, key)}

    def remove_provider_key(self, provider: str) -> None:
        self.provider_keys = {**self.provider_keys, provider: set_key(self.session.require_profile(), provider, "")}

    def save_price(self, provider: str, model: str, value: Any) -> float:
        price = set_price(self.session.require_profile(), provider, model, value)
        self.prices = [dict(row, price=price) if (row["provider"], row["model"]) == (provider, model) else row
                       for row in self.prices]
        return price

    def save_quota(self, value: Any) -> None:
        """``None`` removes the limit; anything else must be an amount ≥ 0 in dollars."""
        if value is None or (isinstance(value, str) and not value.strip()):
            value = None
        else:  # typed text is read as dollars; set_quota refuses NaN, infinities, yes/no and negative amounts
            value = check_number(value, "The monthly quota", text=True,
                                 hint="Type it in dollars, e.g. 25, or leave it empty for no limit.")
        profile = self.session.require_profile()
        set_quota(profile, value)
        self.quota = get_quota(profile)


    def save_confirm_above(self, value: Any) -> None:
        """The amount above which a paid call is confirmed first; typed text is read as dollars."""
        amount = check_number(value, "The amount to confirm paid calls above", text=True,
                              hint="Type it in dollars, e.g. 0.50; 0 asks before every paid call.")
        profile = self.session.require_profile()
        self.confirm_above = set_confirm_above(profile, amount)


def _channel_row(channel) -> dict[str, str]:
    return {"name": channel.name, "platform": channel.identifier, "id": channel.id,
            "state": "disabled" if channel.disabled else "connected"}


def _music_values(profile) -> dict[str, Any]:
    """The music the Settings page offers and the profile's saved default."""
    choices = picker_choices(profile)
    default = default_music(profile)
    current = choice_value(default)
    return {"music_choices": choices, "music": current if current in choices.values() else "",
            "music_level": default.options.level_db}
