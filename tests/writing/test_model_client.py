"""The model client through the real openai SDK against the fake OpenAI-compatible server.

Streaming, usage-based costs, every failure a clear message with the quota hold released, a cancel that
stops the server writing, and unusable replies (cut off, empty, refusal, wrong language) kept out of the
scripts with the raw reply viewable.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from editfactory.core.errors import CancelledError, QuotaExceededError, ValidationError
from editfactory.costs import ledger
from editfactory.writing.brief import Brief
from editfactory.writing.model_client import (
    ModelClient,
    ModelConfig,
    ModelError,
    api_key_masked,
    load_model_config,
    save_model_config,
    with_preset,
)
from editfactory.writing.scripts import write_scripts
from tests.fakes.openai_server import FakeOpenAI

SCRIPTS = [
    "Stop scrolling, this mug keeps your coffee hot for three hours. Get it for twenty five dollars today.",
    "Cold coffee again? The Aroma Mug fixes that for good. Tap the link and order yours now.",
    "A gift every coffee lover will use daily: the Aroma Mug. Order today and shipping is free.",
]
BRIEF = Brief("Aroma Mug", price="$25", offer="free shipping", language="en")


def configure(profile, server, **changes) -> ModelConfig:
    config = ModelConfig(server.base_url, "fake-gpt", price_input_per_m=2.0, price_output_per_m=8.0, **changes)
    return save_model_config(profile, config, api_key=server.api_key)


def entries(profile) -> list[dict]:
    return ledger.month_entries(profile)


def test_settings_are_stored_with_the_key_masked_and_presets_fill_them(shop, fake_openai):
    config = configure(shop, fake_openai)
    assert load_model_config(shop) == config
    assert api_key_masked(shop) == "••••••••" + fake_openai.api_key[-4:]
    assert fake_openai.api_key not in repr(ModelClient(shop))
    assert with_preset("ollama").base_url == "http://127.0.0.1:11434/v1"
    with pytest.raises(ValidationError, match="URL must look like"):
        save_model_config(shop, ModelConfig("ftp://x", "m"))
    with pytest.raises(ValidationError, match="price per million input tokens"):
        save_model_config(shop, ModelConfig(fake_openai.base_url, "m", price_input_per_m=float("nan")))
    assert load_model_config(shop) == config  # refused settings changed nothing


def test_connection_test_names_the_model_or_the_problem_within_its_timeout(shop, fake_openai):
    configure(shop, fake_openai)
    assert "model fake-gpt is available" in ModelClient(shop).test_connection()
    with pytest.raises(ModelError, match="has no model 'gpt-9'"):
        ModelClient(shop, ModelConfig(fake_openai.base_url, "gpt-9")).test_connection()
    with pytest.raises(ModelError, match="refused the API key") as refused:
        ModelClient(shop, api_key="sk-wrong-key-that-is-long-enough").test_connection()
    assert "wrong-key" not in str(refused.value)
    with pytest.raises(ModelError, match="Could not connect"):
        ModelClient(shop, ModelConfig("http://127.0.0.1:9/v1", "fake-gpt")).test_connection()


def test_a_server_that_never_answers_fails_the_connection_test_at_its_timeout(shop):
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        started = time.monotonic()
        with pytest.raises(ModelError, match="did not answer in time"):
            ModelClient(shop, ModelConfig(url, "m"), api_key="k").test_connection(timeout=1.0)
        assert time.monotonic() - started < 3


def test_scripts_stream_in_and_the_cost_is_settled_on_the_reported_usage(shop):
    pieces: list[str] = []
    with FakeOpenAI(reply="\n---\n".join(f"{i + 1}. {s}" for i, s in enumerate(SCRIPTS))) as server:
        configure(shop, server)
        batch = write_scripts(shop, BRIEF, 3, on_text=pieces.append)
        request = server.requests[-1]["body"]
    assert batch.ok and batch.source == "fake-gpt"
    assert [v.text for v in batch.variants] == SCRIPTS
    assert len(pieces) > 3 and "".join(pieces) == batch.raw
    assert request["stream"] is True and request["max_tokens"] == 1200
    assert "Aroma Mug" in request["messages"][1]["content"] and "3 different scripts in English" in \
        request["messages"][1]["content"]
    (entry,) = entries(shop)
    assert entry["status"] == "settled" and entry["unit"] == "tokens"
    prompt = sum(max(1, (len(m["content"]) + 3) // 4) for m in request["messages"])
    completion = (len(batch.raw) + 3) // 4
    assert entry["units"] == prompt + completion
    assert entry["cost_usd"] == pytest.approx((prompt * 2.0 + completion * 8.0) / 1e6)
    assert batch.cost_usd == pytest.approx(entry["cost_usd"])


@pytest.mark.parametrize("fault, words", [
    ("unauthorized", "refused the API key"),
    ("rate_limited", "try again in 7 seconds"),
    ("server_error", "failed (500)"),
    ("malformed", "not an OpenAI-compatible reply"),
])
def test_every_failure_is_a_clear_message_and_the_hold_is_released(shop, fake_openai, fault, words):
    configure(shop, fake_openai)
    fake_openai.inject(fault)
    with pytest.raises(ModelError, match=re.escape(words)) as failed:
        write_scripts(shop, BRIEF, 3)
    assert fake_openai.api_key not in str(failed.value)
    assert [e["status"] for e in entries(shop)] == ["released"]
    assert ledger.month_spend(shop) == 0


def test_a_slow_answer_times_out_with_the_hold_released(shop, fake_openai):
    configure(shop, fake_openai)
    fake_openai.inject("slow", delay=3)
    client = ModelClient(shop)
    with pytest.raises(ModelError, match="did not answer in time"):
        client.complete([{"role": "user", "content": "hi"}], timeout=1.0)
    assert [e["status"] for e in entries(shop)] == ["released"]


@pytest.mark.parametrize("reply, fault, words", [
    ("\n---\n".join(SCRIPTS), "length", "cut off by the output limit"),
    ("", "empty", "reply was empty"),
    ("I'm sorry, but I can't help with that request.", None, "refused"),
    ("Oprește-te o clipă și descoperă Aroma Mug. Costă doar 25 de dolari.\n---\nÎncă îți complici viața? "
     "Încearcă Aroma Mug.\n---\nAm creat Aroma Mug pentru cei care vor mai mult.", None, "wrote in Romanian"),
    (SCRIPTS[0], None, "wrote 1 script(s) instead of 3"),
])
def test_an_unusable_reply_gives_no_scripts_and_keeps_the_raw_reply(shop, reply, fault, words):
    with FakeOpenAI(reply=reply) as server:
        configure(shop, server)
        if fault:
            server.inject(fault)
        batch = write_scripts(shop, BRIEF, 3)
    assert not batch.ok and batch.variants == ()
    assert words in batch.problem
    assert batch.raw == (reply[: len(reply) // 2] if fault == "length" else reply)
    assert [e["status"] for e in entries(shop)] == ["settled"]  # the server did the work and bills it


def test_cancel_stops_the_stream_and_keeps_nothing(shop):
    cancel = threading.Event()
    pieces: list[str] = []

    def on_text(piece: str) -> None:
        pieces.append(piece)
        cancel.set()

    with FakeOpenAI(reply=" ".join(SCRIPTS * 5), chunk_delay=0.05) as server:
        configure(shop, server)
        with pytest.raises(CancelledError):
            write_scripts(shop, BRIEF, 3, on_text=on_text, cancel=cancel)
        deadline = time.monotonic() + 5
        while server.disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.disconnects == 1 and server.completed_streams == 0
    assert len(pieces) <= 2
    (entry,) = entries(shop)
    assert entry["status"] == "settled" and entry["cost_usd"] < 0.001


def test_a_call_over_the_quota_is_refused_before_it_is_made(shop, fake_openai):
    configure(shop, fake_openai, max_output_tokens=8000)
    ledger.set_quota(shop, 0.01)
    with pytest.raises(QuotaExceededError):
        write_scripts(shop, BRIEF, 3)
    assert [r for r in fake_openai.requests if r["method"] == "POST"] == []
    assert entries(shop) == []


def test_without_a_model_the_templates_write_offline(shop):
    batch = write_scripts(shop, BRIEF, 3)
    assert batch.ok and batch.source == "templates" and len(batch.variants) == 3
