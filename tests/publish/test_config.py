"""Per-profile Postiz configuration: URL, key as a secret, connection test, and the per-profile client cache."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.publish import (
    PostizError,
    PostizAuthError,
    PostizRedirectError,
    PublishingNotConfiguredError,
    api_key_masked,
    load_config,
    save_config,
    check_connection,
)
from editfactory.publish.config import client_for, known_channels
from editfactory.storage.secrets import get_secret
from tests.publish.conftest import configure, standard_integrations

KEY_A = "key-store-a-0123456789"
KEY_B = "key-store-b-9876543210"


def test_save_and_load(workspace):
    profile = workspace.create("Store A")
    assert load_config(profile).enabled is False
    saved = save_config(profile, url="https://postiz.example.com/api/", enabled=True, default_channels=["c1"],
                        api_key=KEY_A)
    assert saved == load_config(profile)
    assert saved.url == "https://postiz.example.com/api"
    assert saved.api_url == "https://postiz.example.com/api/public/v1"
    assert saved.default_channels == ("c1",)
    assert api_key_masked(profile) == "••••••••6789"
    assert get_secret(profile, "postiz.api_key") == KEY_A
    save_config(profile, api_key="")
    assert api_key_masked(profile) == ""


@pytest.mark.parametrize("url, message", [
    ("ftp://x", "must start with https"),
    ("https://user:secret@postiz.example.com", "not inside the Postiz URL"),
])
def test_bad_urls_are_refused(workspace, url, message):
    with pytest.raises(ValidationError, match=message):
        save_config(workspace.create("S"), url=url)


def test_bad_key_is_refused(workspace):
    with pytest.raises(ValidationError, match="does not look like a Postiz API key"):
        save_config(workspace.create("S"), api_key="short")


def test_connection_test_lists_and_remembers_channels(workspace, postiz_factory):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY_A, standard_integrations("a"))
    save_config(profile, url=server.backend_url, api_key=KEY_A)  # works while publishing is still off
    report = check_connection(profile)
    assert [c.id for c in report.channels] == ["a-tiktok", "a-insta", "a-yt", "a-x", "a-bsky"]
    assert report.key_masked.endswith("6789") and KEY_A not in repr(report)
    assert set(known_channels(profile)) == {c.id for c in report.channels}
    save_config(profile, api_key="wrong-key-abcdef")
    with pytest.raises(PostizAuthError, match="Invalid API key"):
        check_connection(profile)


def test_unconfigured_profile_says_what_to_do(workspace):
    profile = workspace.create("Store A")
    with pytest.raises(PublishingNotConfiguredError, match="switched off"):
        client_for(profile)
    save_config(profile, enabled=True)
    with pytest.raises(PublishingNotConfiguredError, match="no Postiz API key"):
        client_for(profile)


def test_clients_cached_per_profile_and_dropped_on_change(workspace, postiz_factory):
    a, b = workspace.create("Store A"), workspace.create("Store B")
    server_a = postiz_factory(KEY_A, standard_integrations("a"))
    server_b = postiz_factory(KEY_B, standard_integrations("b"))
    configure(a, server_a, KEY_A)
    configure(b, server_b, KEY_B)
    client_a, client_b = client_for(a), client_for(b)
    assert client_for(a) is client_a and client_a is not client_b
    assert client_a.base_url == server_a.base_url and client_b.base_url == server_b.base_url
    save_config(a, default_channels=["a-x"])  # any change drops the cached client of A only
    assert client_for(a) is not client_a and client_for(b) is client_b
    fresh = client_for(a)
    save_config(a, url=server_b.backend_url, api_key=KEY_B)
    moved = client_for(a)
    assert moved is not fresh and moved.base_url == server_b.base_url
    assert known_channels(a) == {}  # channels of the old server are forgotten


def test_change_made_by_another_process_also_replaces_the_cached_client(workspace, postiz_factory):
    """The notebook saves a new key or URL: the studio's cached client must not keep using the old one."""
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import get_setting, set_setting

    profile = workspace.create("Store A")
    server_a = postiz_factory(KEY_A, standard_integrations("a"))
    server_b = postiz_factory(KEY_B, standard_integrations("b"))
    configure(profile, server_a, KEY_A)
    cached = client_for(profile)
    set_secret(profile, "postiz.api_key", KEY_B)  # written directly, as another process would: no cache drop here
    rekeyed = client_for(profile)
    assert rekeyed is not cached
    set_setting(profile, "postiz.config", {**get_setting(profile, "postiz.config"), "url": server_b.backend_url})
    moved = client_for(profile)
    assert moved is not rekeyed and moved.base_url == server_b.base_url
    assert [c.id for c in check_connection(profile).channels][0] == "b-tiktok"
    assert set(server_b.auth_headers) == {KEY_B} and server_a.requests == []


def test_connection_test_without_key_says_where_to_paste_it(workspace):
    profile = workspace.create("Store A")
    save_config(profile, url="https://postiz.example.com/api")
    with pytest.raises(PublishingNotConfiguredError, match="paste it in the profile's publishing settings"):
        check_connection(profile)


# Easy to paste along with a key: an ellipsis, a zero-width space, a Cyrillic look-alike, a no-break space.
PASTED_KEYS = ["pz-key-0123…4567", "pz-key-0123\u200b4567", "pz-key-0123\u04304567", "pz-key-0123\u00a04567"]


@pytest.mark.parametrize("bad_key", PASTED_KEYS)
def test_key_with_a_pasted_character_is_refused_at_save_time(workspace, bad_key):
    from editfactory.storage.secrets import set_secret

    profile = workspace.create("Store A")
    save_config(profile, url="https://postiz.example.com/api", api_key=KEY_A)
    with pytest.raises(ValidationError, match=r"Postiz API key contains an? (non-ASCII|invisible) character "
                                              r"\(U\+[0-9A-F]{4} [A-Z -]+\) at position 12 of 16") as refused:
        save_config(profile, url="https://other.example.com", api_key=bad_key)
    assert bad_key not in str(refused.value) and bad_key not in repr(refused.value)
    assert refused.value.__context__ is None  # nothing of the key hides in a chained error either
    assert get_secret(profile, "postiz.api_key") == KEY_A and load_config(profile).url.startswith("https://postiz")
    # The ElevenLabs key goes through the same store and the same check (named as its provider declares it).
    import editfactory.tts.registry  # noqa: F401
    with pytest.raises(ValidationError, match="ElevenLabs API key contains") as eleven:
        set_secret(profile, "elevenlabs.api_key", bad_key)
    assert bad_key not in repr(eleven.value) and get_secret(profile, "elevenlabs.api_key") is None


def test_key_saved_before_the_check_gives_a_clear_error_not_a_raw_one(workspace, postiz_factory, sample_mp4,
                                                                      fast_policy):
    """A key with a zero-width space already in the secret file: every use says what to do, never echoes it."""
    import json
    import traceback

    from editfactory.publish import publish_clip, resume_pending
    from editfactory.ops.startup import open_profile
    from tests.publish.conftest import add_clip

    bad_key = "pz-legacy-\u200bkey-0123456789"
    profile = workspace.create("Store A")
    server = postiz_factory(KEY_A, standard_integrations("a"))
    configure(profile, server, KEY_A, default_channels=["a-x"])
    check_connection(profile)
    clip = add_clip(profile, sample_mp4)
    secret_file = profile.paths.secrets / "secrets.json"
    secret_file.write_text(json.dumps({"postiz.api_key": bad_key}), encoding="utf-8")  # as an old version saved it

    errors = []
    for attempt in (lambda: check_connection(profile),
                    lambda: publish_clip(profile, clip, caption="x", policy=fast_policy)):
        with pytest.raises(PublishingNotConfiguredError, match="invisible character .*Copy the key again") as caught:
            attempt()
        errors.append(caught.value)
    from editfactory.publish import outbox, marker

    outbox.record(profile, [outbox.NewPublication(clip, "a-x", "x", "now", "Left open", {"__type": "x"}, None, None,
                                                  marker.new_key())])
    assert "Copy the key again" in resume_pending(profile, policy=fast_policy).summary()
    opened = open_profile(workspace, profile.id)
    opened.publishing.wait(60)
    assert "Copy the key again" in opened.summary()
    for error in errors:
        text = str(error) + repr(error) + "".join(traceback.format_exception(error))
        assert bad_key not in text and "legacy" not in text
    assert server.requests[-1][1] == "/integrations"  # nothing was sent with the bad key


@pytest.mark.parametrize("url, message", [
    ("https://[::1", "not a valid address"),
    ("https://[::1]:port/api", "not a valid address"),
    ("https://postiz.example.com:99999/api", "not a valid address"),
    ("https://postiz.example.com/api?key=abc", "must not contain a '\\?…' query"),
    ("https://postiz.example.com/api#settings", "must not contain a '\\?…' query or a '#…' part"),
])
def test_malformed_urls_are_refused_at_save_time_with_a_clear_message(workspace, url, message):
    profile = workspace.create("S")
    save_config(profile, url="https://postiz.example.com/api")
    with pytest.raises(ValidationError, match=message):
        save_config(profile, url=url)
    assert load_config(profile).url == "https://postiz.example.com/api"  # the stored one is kept


def test_ipv6_url_in_brackets_is_accepted(workspace):
    saved = save_config(workspace.create("S"), url="http://[::1]:5000/api")
    assert saved.api_url == "http://[::1]:5000/api/public/v1"


def test_redirect_is_reported_at_connection_test_with_the_url_to_save(workspace, postiz_factory):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY_A, standard_integrations("a"))
    configure(profile, server, KEY_A)
    page = b"<html><head><title>301 Moved Permanently</title></head><body><h1>Moved</h1></body></html>"
    server.fail_next(301, page, {"Location": "https://postiz.example.com/api/public/v1/is-connected?x=1",
                                 "Content-Type": "text/html"})
    with pytest.raises(PostizRedirectError, match=r"redirect \(HTTP 301\) to https://postiz.example.com/api while") \
            as moved:
        check_connection(profile)
    assert "Save https://postiz.example.com/api as the Postiz URL" in str(moved.value)
    assert "<" not in str(moved.value) and moved.value.location == "https://postiz.example.com/api"
    assert server.auth_headers == [KEY_A]  # the key went only to the configured address, once, never re-sent


@pytest.mark.parametrize("url, message", [
    ("https://exa\tmple.com", "invisible character or a space \\(U\\+0009\\) at position 12"),
    ("https://exa\nmple.com/api", "invisible character"),
    ("https://a..b", "empty part in its host name"),
    ("https://.postiz.example.com", "empty part in its host name"),
    (f"https://{'a' * 64}.example.com/api", "longer than 63 characters"),
    ("https://exa mple.com", "a space"),
])
def test_urls_the_http_client_cannot_use_are_refused_at_save_time(workspace, url, message):
    """They used to be saved, then every call raised a raw httpx.InvalidURL or UnicodeError."""
    profile = workspace.create("S")
    save_config(profile, url="https://postiz.example.com/api")
    with pytest.raises(ValidationError, match=message):
        save_config(profile, url=url)
    assert load_config(profile).url == "https://postiz.example.com/api"  # the stored one is kept
    assert save_config(profile, url=f"https://{'a' * 63}.example.com/api").url.startswith("https://aaa")


@pytest.mark.parametrize("url", ["https://exa\tmple.com", "https://a..b", f"https://{'a' * 64}.example.com"])
def test_a_bad_url_saved_by_an_older_version_gives_our_error_on_use(workspace, url):
    from editfactory.storage.settings import get_setting, set_setting

    profile = workspace.create("S")
    save_config(profile, enabled=True, api_key=KEY_A)
    set_setting(profile, "postiz.config", {**get_setting(profile, "postiz.config"), "url": url})
    with pytest.raises(PublishingNotConfiguredError, match="The Postiz URL .*Save the address"):
        check_connection(profile)


def test_a_server_that_never_answers_fails_the_connection_test_within_ten_seconds(workspace, postiz_factory):
    """It waited 91.7 s (three tries of 30 s), then said 'it may still have done it'."""
    import threading
    import time

    profile = workspace.create("Store A")
    server = postiz_factory(KEY_A, standard_integrations("a"))
    configure(profile, server, KEY_A)
    server.hold = threading.Event()  # accepts every connection, answers none
    started = time.monotonic()
    try:
        with pytest.raises(PostizError, match="accepted the connection but did not answer within 5 s") as caught:
            check_connection(profile)
        took = time.monotonic() - started
    finally:
        server.hold.set()
    assert took <= 10, took
    assert "may still have done it" not in str(caught.value) and server.requests == [("GET", "/is-connected")]


def test_the_connection_test_uses_the_url_and_key_typed_not_the_saved_ones(workspace, postiz_factory):
    """Right after a key was typed (not saved) it said 'has no Postiz API key'."""
    profile = workspace.create("Store A")
    server_a = postiz_factory(KEY_A, standard_integrations("a"))
    server_b = postiz_factory(KEY_B, standard_integrations("b"))
    report = check_connection(profile, url=server_a.backend_url, api_key=KEY_A)  # nothing saved yet
    assert [c.id for c in report.channels][0] == "a-tiktok" and report.key_masked.endswith("6789")
    assert get_secret(profile, "postiz.api_key") is None and load_config(profile).url == ""  # nothing saved
    assert known_channels(profile) == {}  # channels of settings that are not saved are not remembered
    configure(profile, server_a, KEY_A)
    typed = check_connection(profile, url=server_b.backend_url, api_key=KEY_B)  # the form changed, not saved
    assert [c.id for c in typed.channels][0] == "b-tiktok" and server_b.auth_headers == [KEY_B, KEY_B]
    assert load_config(profile).url == server_a.backend_url and get_secret(profile, "postiz.api_key") == KEY_A
    with pytest.raises(PostizAuthError):  # the saved key against the typed URL of another server
        check_connection(profile, url=server_b.backend_url)
    assert [c.id for c in check_connection(profile).channels][0] == "a-tiktok"
    assert set(known_channels(profile)) == {c.id for c in standard_integrations("a")}


@pytest.mark.parametrize("key", ["abc", "pz-1234"])
def test_a_too_short_key_says_the_minimum_length(workspace, key):
    profile = workspace.create("Store A")
    for attempt in (lambda: save_config(profile, api_key=key),
                    lambda: check_connection(profile, url="https://postiz.example.com/api", api_key=key)):
        with pytest.raises(ValidationError, match=f"it has {len(key)} characters and a key has at least 8"):
            attempt()
    assert get_secret(profile, "postiz.api_key") is None
