"""Every setter fuzzed: each call stores a valid value or raises one of our errors with a message, nothing else.

One table, one small entry per setter (:data:`TARGETS`). Each target is called with a
fixed list of known troublemakers (NaN, ±inf, -0.0, huge numbers, yes/no, control and
invisible characters, line and paragraph separators, 1 MB of text, wrong types) and then
with what hypothesis draws. After every call:

- it returned, or raised an :class:`EditFactoryError` whose message is words (never a raw
  exception, never a message that repeats a 1 MB paste or a key);
- a refused call changed nothing stored (settings, projects, segments, voices, secrets and
  the workspace's profiles are compared with a snapshot taken before);
- an accepted call changed only what the target owns, and what is stored there is valid
  (the target's own check, and no NaN or infinity anywhere in the settings' JSON).

``invoke test`` runs a short pass (``EDITFACTORY_FUZZ_EXAMPLES``, default 30 drawn inputs per
target); ``invoke reliability`` runs a long one and prints the number of inputs tried.
"""

from __future__ import annotations

import csv
import fractions
import hashlib
import json
import math
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editfactory.core.errors import EditFactoryError, check_text
from editfactory.costs import get_quota, set_quota
from editfactory.costs.ledger import MAX_QUOTA_USD
from editfactory.footage.captions import SETTING_KEY as STYLE_KEY
from editfactory.footage.captions import get_caption_style, save_caption_style
from editfactory.footage.framing import FRAMINGS, default_framing, set_default_framing, set_project_framing
from editfactory.footage.segments import create_segment, get_segment, update_segment
from editfactory.media.captions import CaptionStyle
from editfactory.models.settings_page import style_from_form
from editfactory.pipeline.production import MAX_SCRIPT_CHARS, MAX_VARIANTS, ProductionRequest
from editfactory.profiles.names import clean_name
from editfactory.publish.config import CONFIG_KEY as POSTIZ_CONFIG_KEY
from editfactory.services import projects
from editfactory.storage.secrets import get_secret
from editfactory.storage.settings import get_setting
from editfactory.tts.credentials import check_key, set_key
from editfactory.tts.service import MAX_PRICE_PER_1K, get_prices, set_defaults, set_price

EXAMPLES = int(os.environ.get("EDITFACTORY_FUZZ_EXAMPLES", "30"))
"""Drawn inputs per target; the fixed troublemakers are tried on top of these."""

# -- inputs ----------------------------------------------------------------------------------------------------

ODD_CHARACTERS = ("\x00\x07\x08\x1b\x7f\x85\r\n\t\x0b\x0c\x1c"  # controls, CR/LF, form feed, file separator
                  "\u2028\u2029"  # line and paragraph separators
                  "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"  # bidi marks
                  "\u200b\u200c\u200d\u2060\ufeff\ufe0f\u00ad"  # zero-width and invisible
                  "\ud800\udfff\ue000\U0010ffff")  # lone surrogates, private use, a noncharacter
MEGABYTE = "x" * 1_000_000
KEY_LIKE = "sk_" + "A1b2C3d4" * 4  # a plausible key: a refusal must never repeat it

TROUBLEMAKERS: tuple[Any, ...] = (
    float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e308, -1e308, 5e-324, 10**400, -(10**400), 2**63,
    True, False, None, "", " ", "12", " $3 ", "nan", "inf", "-0", "1e999", "0x10", "١٢",
    "Shop\x00", "Shop\u2028Two", "Shop\u2029", "\u202eShop", "Sh\u200bop", "Shop\u200f", "a\ud800", "\ufeffShop",
    "#000000\n", "auto\n", MEGABYTE, "Ab1-" * 250_000, KEY_LIKE, KEY_LIKE + "\u200b",
    b"12", [1], {"a": 1}, (1, 2), Decimal("NaN"), Decimal("0.30"), fractions.Fraction(1, 3), 1j,
)

CORE_TROUBLEMAKERS: tuple[Any, ...] = (
    float("nan"), float("inf"), float("-inf"), -0.0, 10**400, True, None, "12", "Shop\u2028Two", "\u202eShop",
    "a\ud800", MEGABYTE, [1], fractions.Fraction(1, 3),
)
"""Tried with every field of a several-field setter (all of TROUBLEMAKERS would take too long there)."""

FLOATS = st.one_of(st.floats(), st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e308, 5e-324]))
INTEGERS = st.one_of(st.integers(), st.sampled_from([10**400, -(10**400), 2**63, -1, 0]))
TEXTS = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(ODD_CHARACTERS)), max_size=60)
NUMERIC_TEXTS = st.one_of(FLOATS.map(str), INTEGERS.map(str), st.sampled_from(["$0.30", " 25 ", "1_000", "-0", "NaN"]))
WRONG_TYPES = st.one_of(st.none(), st.booleans(), st.binary(max_size=8), st.lists(st.integers(), max_size=3),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.complex_numbers(),
                        st.decimals(), st.fractions())
HUGE = st.sampled_from([MEGABYTE, "Ab1-" * 250_000, "\u2028" * 100_000])
ANYTHING = st.one_of(FLOATS, INTEGERS, TEXTS, NUMERIC_TEXTS, WRONG_TYPES, HUGE)


# -- the world the setters work on -----------------------------------------------------------------------------

@dataclass
class Ctx:
    workspace: Any
    shop: Any
    other: Any
    project: dict
    segment: Any
    session: Any
    state: dict | None = None
    """What was stored after the last call: the next call's "before" (only the setters change anything)."""


def stored_state(c: Ctx) -> dict[str, str]:
    """Everything a setter could change, as key → digest: settings, projects, segments, voices, secrets, profiles."""
    state = {f"profiles/{p.id}": repr((p.name, p.description)) for p in c.workspace.list()}
    for profile in (c.shop, c.other):
        with profile.db.session():
            for key, value in profile.db.fetchall("SELECT key, value FROM settings"):
                state[f"{profile.id}/setting/{key}"] = value
            for table in ("projects", "segments", "voices", "clips"):
                for row in profile.db.fetchall(f"SELECT * FROM {table}"):
                    state[f"{profile.id}/{table}/{row[0]}"] = hashlib.sha256(repr(row).encode()).hexdigest()
        for name in ("postiz.api_key", "elevenlabs.api_key"):
            value = get_secret(profile, name)
            state[f"{profile.id}/secret/{name}"] = None if value is None else hashlib.sha256(value.encode()).hexdigest()
    return state


def _no_nan_in_settings(c: Ctx) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} stored in a setting")

    for profile in (c.shop, c.other):
        for key, value in profile.db.fetchall("SELECT key, value FROM settings"):
            json.loads(value, parse_constant=refuse)


# -- the table ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One setter: how to call it with a value, what it may change, and how to tell that what it stored is valid."""

    name: str
    call: Callable[[Ctx, Any], Any]
    owns: Callable[[Ctx], tuple[str, ...]]
    """Keys of :func:`stored_state` an accepted call may change."""
    valid: Callable[[Ctx, Any], None] = lambda c, result: None
    """Asserts that what is stored (or returned) after an accepted call is valid."""
    values: st.SearchStrategy = ANYTHING
    names_input: bool = False
    """Its refusals may repeat the input (an upload's refusal names the file); otherwise text of 16 characters or
    more must not come back in a message (a key pasted into the wrong field would be shown, and logged)."""
    fields: tuple[str, ...] = ()
    """For a setter of several fields: ``call`` gets ``(field, value)``, each field tried with every input."""

    def strategy(self) -> st.SearchStrategy:
        return st.tuples(st.sampled_from(self.fields), self.values) if self.fields else self.values

    def fixed_inputs(self) -> list[Any]:
        if not self.fields:
            return list(TROUBLEMAKERS)
        return [(field, value) for field in self.fields for value in CORE_TROUBLEMAKERS]


def _setting(key: str) -> Callable[[Ctx], tuple[str, ...]]:
    return lambda c: (f"{c.shop.id}/setting/{key}",)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _quota_valid(c: Ctx, _result: Any) -> None:
    quota = get_quota(c.shop)
    assert quota is None or (_finite(quota) and 0 <= quota <= MAX_QUOTA_USD), quota


def _prices_valid(c: Ctx, _result: Any) -> None:
    for models in get_prices(c.shop).values():
        assert all(_finite(p) and 0 <= p <= MAX_PRICE_PER_1K for p in models.values()), models


STYLE_FIELDS = ("font", "size", "primary_color", "highlight_color", "outline_color", "outline", "shadow", "bold",
                "vertical_position", "highlight_current_word", "max_words_per_cue", "max_chars_per_cue", "uppercase")


def _style_valid(c: Ctx, _result: Any) -> None:
    raw = get_setting(c.shop, STYLE_KEY)
    style = CaptionStyle.from_dict(raw)  # validates every field
    assert raw == style.to_dict(), "the stored style is not what its checks make of it"
    assert all(type(raw[f]) is type(getattr(CaptionStyle(), f)) for f in STYLE_FIELDS), raw


def _style_field(c: Ctx, value: tuple[str, Any]) -> Any:
    field, item = value
    return save_caption_style(c.shop, CaptionStyle(**{field: item}))


def _style_position(c: Ctx, value: Any) -> Any:
    return save_caption_style(c.shop, style_from_form(get_caption_style(c.shop), position="custom",
                                                      custom_percent=value))


def _project_framing_valid(c: Ctx, _result: Any) -> None:
    settings_ = projects.get_project(c.shop, c.project["id"])["settings"] or {}
    assert settings_.get("framing", "auto") in FRAMINGS, settings_


def _profile_name_valid(c: Ctx, _result: Any) -> None:
    name = c.workspace.get(c.other.id).name
    assert clean_name(name) == name, repr(name)


def _profile_description_valid(c: Ctx, _result: Any) -> None:
    description = c.workspace.get(c.other.id).description
    assert isinstance(description, str) and len(description) <= 2000 and "\x00" not in description


PROJECT_FIELDS = ("name", "description", "script")


def _project_text_valid(c: Ctx, _result: Any) -> None:
    project = projects.get_project(c.shop, c.project["id"])
    assert check_text(project["name"], "name", max_length=projects.MAX_NAME) == project["name"]
    for field, limit in (("description", projects.MAX_DESCRIPTION), ("script", projects.MAX_SCRIPT)):
        assert check_text(project[field], field, max_length=limit, multiline=True) == project[field]


def _eleven_key_valid(c: Ctx, _result: Any) -> None:
    key = get_secret(c.shop, "elevenlabs.api_key")
    assert key is None or check_key("elevenlabs", key) == key


PIPER_NUMBERS = ("speed", "variability", "rhythm_variability", "volume", "sentence_pause")


def _voice_settings_valid(c: Ctx, _result: Any) -> None:
    stored = (get_setting(c.shop, "tts.defaults") or {}).get("settings", {})
    assert all(_finite(stored[name]) for name in PIPER_NUMBERS if name in stored), stored


SEGMENT_FIELDS = ("start", "end", "notes", "favorite")


def _segment_valid(c: Ctx, _result: Any) -> None:
    segment = get_segment(c.shop, c.segment.id)
    assert _finite(segment.start) and _finite(segment.end) and 0 <= segment.start < segment.end <= 6.001, segment
    assert isinstance(segment.notes, str) and isinstance(segment.favorite, bool)
    assert check_text(segment.notes, "notes", max_length=10**6, multiline=True) == segment.notes


REQUEST_FIELDS = ("script", "variants", "seed", "mode", "render_workers", "draft")


def _production_request(c: Ctx, value: tuple[str, Any]) -> list[str]:
    field, item = value
    request = ProductionRequest(c.project["id"], **{"script": "Sandals for summer.", field: item})
    return request.scripts()


def _scripts_valid(_c: Ctx, scripts: list[str]) -> None:
    assert 1 <= len(scripts) <= MAX_VARIANTS and all(isinstance(s, str) and 0 < len(s) <= MAX_SCRIPT_CHARS
                                                     for s in scripts), scripts


def _voice_name(c: Ctx, value: Any) -> Any:
    from editfactory.tts.cloning import clone_voice
    from editfactory.tts.registry import get_provider

    return clone_voice(c.shop, get_provider("xtts", c.shop), value, [])  # the name is checked before the samples


def _studio_quota(c: Ctx, value: Any) -> Any:
    from editfactory.models.settings_page import SettingsModel

    return SettingsModel(session=c.session).save_quota(value)


def _studio_price(c: Ctx, value: Any) -> Any:
    from editfactory.models.settings_page import SettingsModel

    return SettingsModel(session=c.session).save_price("edge", "edge", value)


def _upload_name(c: Ctx, value: Any) -> Any:
    from editfactory.services.uploads import stage_upload

    return stage_upload(c.shop, value, b"\x00" * 64)


TARGETS: list[Target] = [
    Target("monthly quota", lambda c, v: set_quota(c.shop, v), _setting("costs.quota_usd"), _quota_valid),
    Target("monthly quota typed in the studio", _studio_quota, _setting("costs.quota_usd"), _quota_valid),
    Target("voice price", lambda c, v: set_price(c.shop, "elevenlabs", "eleven_flash_v2_5", v),
           _setting("tts.prices"), _prices_valid),
    Target("voice price typed in the studio", _studio_price, _setting("tts.prices"), _prices_valid),
    Target("caption style field", _style_field, _setting(STYLE_KEY), _style_valid, fields=STYLE_FIELDS),
    Target("caption position typed in the studio", _style_position, _setting(STYLE_KEY), _style_valid),
    Target("default framing", lambda c, v: set_default_framing(c.shop, v), _setting("render.framing"),
           lambda c, _: default_framing(c.shop) == get_setting(c.shop, "render.framing")),
    Target("project framing", lambda c, v: set_project_framing(c.shop, c.project["id"], v),
           lambda c: (f"{c.shop.id}/projects/{c.project['id']}",), _project_framing_valid),
    Target("profile name", lambda c, v: c.workspace.update(c.other.id, name=v),
           lambda c: (f"profiles/{c.other.id}",), _profile_name_valid),
    Target("profile description", lambda c, v: c.workspace.update(c.other.id, description=v),
           lambda c: (f"profiles/{c.other.id}",), _profile_description_valid),
    Target("project name, description, script",
           lambda c, v: projects.update_project(c.shop, c.project["id"], **{v[0]: v[1]}),
           lambda c: (f"{c.shop.id}/projects/{c.project['id']}",), _project_text_valid,
           fields=PROJECT_FIELDS),
    Target("ElevenLabs key", lambda c, v: set_key(c.shop, "elevenlabs", v),
           lambda c: (f"{c.shop.id}/secret/elevenlabs.api_key",), _eleven_key_valid,
           st.one_of(ANYTHING, st.text(alphabet=st.sampled_from("abcdef0123456789_-" + ODD_CHARACTERS),
                                       min_size=18, max_size=60))),
    Target("voice settings (Piper)", lambda c, v: set_defaults(c.shop, "piper", settings={v[0]: v[1]}),
           _setting("tts.defaults"), _voice_settings_valid,
           fields=PIPER_NUMBERS),
    Target("segment range, notes, favorite", lambda c, v: update_segment(c.shop, c.segment.id, **{v[0]: v[1]}),
           lambda c: (f"{c.shop.id}/segments/{c.segment.id}",), _segment_valid,
           st.one_of(ANYTHING, st.floats(0, 6)), fields=SEGMENT_FIELDS),
    Target("production request (script, variants, seed, mode)", _production_request, lambda c: (), _scripts_valid,
           fields=REQUEST_FIELDS),
    Target("cloned voice name", _voice_name, lambda c: ()),
    Target("upload file name", _upload_name, lambda c: (), names_input=True),
]


def _postiz_url(c: Ctx, value: Any) -> Any:
    from editfactory.publish.config import save_config

    return save_config(c.shop, url=value)


def _postiz_key(c: Ctx, value: Any) -> Any:
    from editfactory.publish.config import save_config

    return save_config(c.shop, api_key=value)


def _batch_script(c: Ctx, value: Any) -> Any:
    from editfactory.ops.batch import read_batch_csv

    folder = c.shop.paths.tmp / "fuzz-batch"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "batch.csv"
    # A lone surrogate cannot be UTF-8: written as its raw bytes, it is the broken file a user could have.
    with path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
        csv.writer(handle).writerows([["product", "script", "source_folder", "variants"], ["Mug", value, ".", "1"]])
    items = read_batch_csv(path)
    assert len(items) == 1, f"one row became {len(items)}"
    return items


# Their defects (items 7, 6/8 and 10 of issue 17) are fixed, so these joined the table.
TARGETS += [
    Target("Postiz URL", _postiz_url, _setting(POSTIZ_CONFIG_KEY)),
    Target("Postiz key", _postiz_key, lambda c: (f"{c.shop.id}/secret/postiz.api_key",)),
    Target("batch CSV script cell", _batch_script, lambda c: (), values=TEXTS),
]


BRAND_FIELDS = ("corner", "size", "opacity", "margin", "text_color", "highlight_color", "outline_color",
                "end_card_color", "font")


def _brand_field(c: Ctx, value: tuple[str, Any]) -> Any:
    from editfactory.services.brand import update_brand

    field, item = value
    return update_brand(c.shop, **{field: item})


def _brand_valid(c: Ctx, _result: Any) -> None:
    from editfactory.services.brand import BrandKit, get_brand

    raw = get_setting(c.shop, "brand.kit")
    kit = BrandKit(**{k: v for k, v in raw.items() if k != "logo"})  # validates every field
    assert {k: v for k, v in raw.items() if k != "logo"} == {f: getattr(kit, f) for f in BRAND_FIELDS}, raw
    assert get_brand(c.shop) == kit


def _logo_upload(c: Ctx, value: Any) -> Any:
    from editfactory.services.brand import set_logo

    return set_logo(c.shop, value)


def _project_logo(c: Ctx, value: Any) -> Any:
    from editfactory.services.brand import set_project_watermark

    return set_project_watermark(c.shop, c.project["id"], value)


def _project_logo_valid(c: Ctx, _result: Any) -> None:
    settings_ = projects.get_project(c.shop, c.project["id"])["settings"] or {}
    assert settings_.get("watermark", True) in (True, False), settings_


TARGETS += [
    Target("brand kit field", _brand_field, _setting("brand.kit"), _brand_valid, fields=BRAND_FIELDS),
    Target("logo file or content", _logo_upload, _setting("brand.kit")),
    Target("project logo switch", _project_logo, lambda c: (f"{c.shop.id}/projects/{c.project['id']}",),
           _project_logo_valid),
]


# -- running it ----------------------------------------------------------------------------------------------------

TRIED: Counter = Counter()


def _media(folder: Path) -> Path:
    from editfactory.media.runner import ffmpeg_path

    path = folder / "product.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
                   check=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    from editfactory.jobs import JobRunner
    from editfactory.footage import import_source
    from editfactory.models import StudioSession
    from editfactory.profiles import Workspace

    os.environ["EDITFACTORY_SECRETS_BACKEND"] = "file"  # keys in the profile's folder, never the machine's keyring
    workspace = Workspace(tmp_path_factory.mktemp("fuzz-workspace"))
    shop, other = workspace.create("Shop"), workspace.create("Other")
    source = import_source(shop, _media(tmp_path_factory.mktemp("fuzz-media")))
    project = projects.create_project(shop, "Launch", script="Sandals for summer.")
    segment = create_segment(shop, source.id, 1.0, 3.0)
    with JobRunner(workers=1) as runner:
        session = StudioSession(workspace, runner)
        session.open(shop.id)
        yield Ctx(workspace, shop, other, project, segment, session)
    os.environ.pop("EDITFACTORY_SECRETS_BACKEND", None)
    tried = sum(TRIED.values())
    if TRIED:
        print(f"\nFIGURE: setter fuzz: {tried} inputs over {len(TRIED)} setters ({EXAMPLES} drawn per setter, plus "
              f"{len(TROUBLEMAKERS)} fixed troublemakers), each stored valid or refused with our error, nothing else "
              "changed")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def check_one(c: Ctx, target: Target, value: Any) -> None:
    """Call the setter once and check the outcome (see the module docstring)."""
    TRIED[target.name] += 1
    before = c.state if c.state is not None else stored_state(c)
    c.state = None  # taken again after this call
    try:
        result = target.call(c, value)
    except EditFactoryError as error:
        message = str(error)
        assert len(message) >= 15 and "Traceback" not in message, f"{target.name}: {message!r}"
        assert len(message) < 2000, f"{target.name}: the message repeats the input ({len(message)} characters)"
        secret = value[1] if isinstance(value, tuple) and len(value) == 2 else value
        if isinstance(secret, str) and len(secret.strip()) >= 16 and not target.names_input:
            assert secret.strip() not in message, f"{target.name}: the message repeats the input"
        after = stored_state(c)
        assert after == before, (f"{target.name}: refused {_shown(value)} but changed "
                                 f"{sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))}")
        c.state = after
        return
    except Exception as error:  # noqa: BLE001 - the point of the test
        raise AssertionError(f"{target.name}: {_shown(value)} raised a raw {type(error).__name__}: "
                             f"{_shown(str(error))}") from error
    after = stored_state(c)
    changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
    assert changed <= set(target.owns(c)), f"{target.name}: {_shown(value)} also changed {sorted(changed)}"
    _no_nan_in_settings(c)
    target.valid(c, result)
    c.state = after


def _run(c: Ctx, target: Target) -> None:
    for value in target.fixed_inputs():
        check_one(c, target, value)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(value=target.strategy())
    def drawn(value: Any) -> None:
        check_one(c, target, value)

    drawn()


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_every_setter_stores_a_valid_value_or_refuses_with_our_error(ctx, target):
    _run(ctx, target)
