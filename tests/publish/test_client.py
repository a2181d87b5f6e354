"""The Postiz client against the fake server: endpoints, shapes and every error becoming a clear message."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from editfactory.publish.client import CLOUD_URL, PostizClient, api_base_url, error_for_response, iso_utc
from editfactory.publish.errors import (
    PostizAuthError,
    PostizConnectionError,
    PostizError,
    PostizNotFoundError,
    PostizRateLimitError,
    PostizServerError,
    PostizValidationError,
)
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import standard_integrations

KEY = "test-key-0123456789"


def _payload(integration="a-x", content="Hello", media=None, settings=None, type_="now"):
    return {"type": type_, "shortLink": False, "date": iso_utc(dt.datetime.now(dt.timezone.utc)), "tags": [],
            "posts": [{"integration": {"id": integration},
                       "value": [{"content": content, "image": [media] if media else []}],
                       "settings": settings or {"__type": "x", "who_can_reply_post": "everyone"}}]}


def test_base_urls():
    assert api_base_url("") == CLOUD_URL == "https://api.postiz.com/public/v1"
    assert api_base_url("https://p.example.com/api/") == "https://p.example.com/api/public/v1"
    assert api_base_url("https://p.example.com/api/public/v1") == "https://p.example.com/api/public/v1"


def test_endpoints_round_trip(postiz_factory, sample_mp4):
    server = postiz_factory(KEY, standard_integrations("a"))
    with PostizClient(server.backend_url, KEY) as client:
        assert client.is_connected()
        channels = client.integrations()
        assert [c.identifier for c in channels] == ["tiktok", "instagram", "youtube", "x", "bluesky"]
        media = client.upload(sample_mp4)
        assert media.path.endswith(".mp4") and media.id in server.media
        created = client.create_post(_payload(media={"id": media.id, "path": media.path}))
        assert created == [{"postId": created[0]["postId"], "integration": "a-x"}]
        now = dt.datetime.now(dt.timezone.utc)
        posts = client.list_posts(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
        assert [p["id"] for p in posts] == [created[0]["postId"]]
        assert posts[0]["state"] == "QUEUE" and posts[0]["integration"]["id"] == "a-x"
        assert client.list_posts(now + dt.timedelta(days=1), now + dt.timedelta(days=2)) == []
        client.delete_post(created[0]["postId"])
        assert client.list_posts(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)) == []
    assert set(server.auth_headers) == {KEY}  # the raw key, no "Bearer"


def test_missing_and_wrong_key(postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"))
    with pytest.raises(PostizAuthError, match="Invalid API key") as wrong:
        with PostizClient(server.backend_url, "wrong-key-123456") as client:
            client.integrations()
    assert "Settings → Public API" in str(wrong.value) and not wrong.value.retryable
    with pytest.raises(PostizAuthError, match="No API Key found"):
        with PostizClient(server.backend_url, "") as client:
            client.integrations()


def test_upload_field_must_be_file(postiz_factory, sample_mp4):
    server = postiz_factory(KEY, standard_integrations("a"))
    response = httpx.post(f"{server.base_url}/upload", headers={"Authorization": KEY},
                          files={"video": ("a.mp4", sample_mp4.read_bytes(), "video/mp4")})
    assert response.status_code == 400 and response.json() == {"msg": "No file provided"}


def test_upload_refuses_non_media(postiz_factory, tmp_path):
    server = postiz_factory(KEY, standard_integrations("a"))
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(PostizValidationError, match="Unsupported file type"):
        with PostizClient(server.backend_url, KEY) as client:
            client.upload(text)


def test_validation_errors_in_both_postiz_shapes(postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"))
    with PostizClient(server.backend_url, KEY) as client:
        with pytest.raises(PostizValidationError, match="Integration with id nope not found"):
            client.create_post(_payload(integration="nope"))
        bad = _payload()
        bad["shortLink"] = "no"
        with pytest.raises(PostizValidationError, match="shortLink must be a boolean") as dto:
            client.create_post(bad)
        assert dto.value.details == ["shortLink must be a boolean value"]
        with pytest.raises(PostizValidationError, match="post is too long") as too_long:
            client.create_post(_payload(content="x" * 281))
        assert too_long.value.provider == "x" and too_long.value.channel_name == "a X"
        assert "Fix the caption" in str(too_long.value) and not too_long.value.retryable
        with pytest.raises(PostizValidationError, match="title must be longer than or equal to 2"):
            client.create_post(_payload(integration="a-yt", settings={"type": "public"}))
        with pytest.raises(PostizValidationError, match="post_type"):
            client.create_post(_payload(integration="a-insta", settings={"post_type": "reel"}))
        with pytest.raises(PostizValidationError, match="privacy_level must be one of") as tiktok:
            client.create_post(_payload(integration="a-tiktok", settings={"privacy_level": "EVERYONE"}))
        assert tiktok.value.provider == "tiktok"
        with pytest.raises(PostizValidationError, match="All posts must have an integration id"):
            client.create_post({**_payload(), "posts": [{"value": [{"content": "x", "image": []}]}]})
        with pytest.raises(PostizValidationError, match="type must be one of"):
            client.create_post({**_payload(), "type": "later"})
        assert server.live_posts() == []


def test_rate_limit_carries_retry_after(postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"), post_limit_per_hour=1)
    with PostizClient(server.backend_url, KEY) as client:
        client.create_post(_payload())
        with pytest.raises(PostizRateLimitError, match="per hour") as limited:
            client.create_post(_payload())
        assert limited.value.retryable and limited.value.retry_after == 1.0
        assert "ThrottlerException" in str(limited.value) and "Postiz asks to wait 1 s" in str(limited.value)
        assert "stays in the outbox" in str(limited.value)
        server.fail_next(429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"},
                         {"Retry-After": 30}, method="GET", path="/integrations")
        with pytest.raises(PostizRateLimitError, match="list the connected channels") as listing:
            client.integrations()
        assert "Wait a little and try again" in str(listing.value) and "outbox" not in str(listing.value)
        assert listing.value.retry_after == 30.0


def test_server_errors_timeouts_and_drops(postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"))
    with PostizClient(server.backend_url, KEY, timeout=0.2) as client:
        server.fail_next(500, {"statusCode": 500, "message": "Internal server error"})
        with pytest.raises(PostizServerError) as failed:
            client.integrations()
        assert failed.value.retryable and failed.value.maybe_delivered
        server.faults = Faults(drop_after=1.0)
        with pytest.raises(PostizConnectionError, match="dropped") as dropped:
            client.create_post(_payload())
        assert dropped.value.maybe_delivered and len(server.live_posts()) == 1  # the post exists nevertheless
        server.faults = Faults(slow=1.0, slow_seconds=0.5)
        with pytest.raises(PostizConnectionError, match="did not answer in time") as slow:
            client.is_connected()
        assert slow.value.maybe_delivered
        server.faults = Faults()
        server.fail_next(404, {"statusCode": 404, "message": "Not Found"})
        with pytest.raises(PostizNotFoundError):
            client.delete_post("missing")


def test_unreachable_server_is_not_maybe_delivered():
    with PostizClient("http://127.0.0.1:9", KEY, timeout=0.5) as client:
        with pytest.raises(PostizConnectionError, match="Could not connect") as refused:
            client.is_connected()
        assert refused.value.retryable and not refused.value.maybe_delivered


def test_key_not_in_repr_or_messages(postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"))
    with PostizClient(server.backend_url, KEY) as client:
        assert KEY not in repr(client)
        with pytest.raises(PostizValidationError) as error:
            client.create_post(_payload(integration="nope"))
        assert KEY not in str(error.value)


def test_upload_over_one_gigabyte_is_refused_before_sending(postiz_factory, tmp_path):
    server = postiz_factory(KEY, standard_integrations("a"))
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.truncate(1024 * 1024 * 1024 + 1)  # sparse: no real disk use
    with PostizClient(server.backend_url, KEY) as client:
        with pytest.raises(PostizValidationError, match="up to 1 GB. Render a shorter") as refused:
            client.upload(huge)
    assert not refused.value.retryable and server.requests == []


def test_wrong_url_answering_html_is_explained(postiz_factory):
    """A URL that points at the Postiz front end (or a proxy page) answers 200 with HTML, not the API's JSON."""
    server = postiz_factory(KEY, standard_integrations("a"))
    with PostizClient(server.backend_url, KEY) as client:
        server.fail_next(200, {"html": "<html>Postiz</html>"}, method="GET", path="/integrations")
        with pytest.raises(PostizError, match="not a list; check that the URL points at the Postiz backend"):
            client.integrations()
        server.fail_next(200, {"unexpected": True}, method="GET", path="/posts")
        with pytest.raises(PostizError, match="post list with something unexpected; check the URL"):
            now = dt.datetime.now(dt.timezone.utc)
            client.list_posts(now, now)


def test_messages_for_proxy_errors_and_5xx_say_what_happens_next():
    request = httpx.Request("POST", "https://postiz.example.com/public/v1/posts")
    gateway = error_for_response(httpx.Response(502, text="<html>Bad gateway</html>", request=request),
                                 "create the post")
    assert isinstance(gateway, PostizServerError) and gateway.status == 502
    assert "HTTP 502" in str(gateway) and "retried automatically" in str(gateway) and "logs" in str(gateway)
    dated = error_for_response(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"},
                                              json={"statusCode": 429, "message": "ThrottlerException: Too Many "
                                                    "Requests"}, request=request), "create the post")
    assert isinstance(dated, PostizRateLimitError) and dated.retry_after > 3600  # an HTTP date is understood too
    plain = error_for_response(httpx.Response(429, request=request), "create the post")
    assert plain.retry_after is None and "too many requests" in str(plain)


@pytest.mark.parametrize("status, body", [
    (400, {"statusCode": 400, "message": ["bad request", "headers: {'authorization': '%s'}"]}),
    (401, {"msg": "Invalid API key: %s"}),
    (403, {"statusCode": 403, "message": "Forbidden for key=%s"}),
    (500, {"statusCode": 500, "message": "crash while handling Authorization: %s"}),
    (502, "Bad gateway; request headers: Authorization=%s"),
    (418, {"message": "teapot says %s"}),
])
def test_key_echoed_by_the_server_is_redacted_from_messages(postiz_factory, status, body):
    server = postiz_factory(KEY, standard_integrations("a"))
    echoed = json.loads(json.dumps(body).replace("%s", KEY))
    server.fail_next(status, echoed, path="/integrations")
    with PostizClient(server.backend_url, KEY) as client:
        with pytest.raises(PostizError) as caught:
            client.integrations()
    error = caught.value
    text = str(error) + repr(error) + repr(getattr(error, "details", ""))
    assert KEY not in text and KEY[:8] not in text
    assert "[redacted]" in text or status >= 500  # 5xx messages do not quote the answer at all


@pytest.mark.parametrize("status", [400, 404, 405])
def test_html_error_page_is_not_copied_into_the_message(status):
    """A URL that points at Postiz's web app (or a proxy) answers with a page, not the API's JSON."""
    page = f"<html><body><h1>{status}</h1><pre>Authorization: {KEY}</pre>" + "x" * 5000 + "</body></html>"
    error = error_for_response(httpx.Response(status, text=page, headers={"content-type": "text/html"}),
                               "list the connected channels", KEY)
    assert "HTML page" in str(error) and "check the URL" in str(error)
    assert "<h1>" not in str(error) and KEY not in str(error) and len(str(error)) < 400
