"""Publishing through Postiz: per-profile configuration, a client for its public API, and a durable outbox."""

from editfactory.publish.client import Channel, PostizClient
from editfactory.publish.config import (
    ConnectionReport,
    PostizConfig,
    api_key_masked,
    load_config,
    save_config,
    check_connection,
)
from editfactory.publish.delivery import DuplicateCopy, RetryPolicy
from editfactory.publish.errors import (
    PostizAuthError,
    PostizConnectionError,
    PostizError,
    PostizRateLimitError,
    PostizRedirectError,
    PostizServerError,
    PostizSetupError,
    PostizValidationError,
    PublishingNotConfiguredError,
)
from editfactory.publish.outbox import Publication, clip_state
from editfactory.publish.service import (
    ChannelTarget,
    ResumeReport,
    StatusReport,
    count_publications,
    delete_publication,
    list_publications,
    publish_clip,
    publish_many,
    refresh_status,
    refresh_status_report,
    next_due_at,
    resume_pending,
    retry_due_posts,
    retry_publication,
)

__all__ = [
    "Channel", "ChannelTarget", "ConnectionReport", "DuplicateCopy", "PostizAuthError", "PostizClient",
    "PostizConfig", "PostizConnectionError", "PostizError", "PostizRateLimitError", "PostizRedirectError",
    "PostizServerError", "PostizSetupError", "PostizValidationError", "Publication", "PublishingNotConfiguredError",
    "ResumeReport", "RetryPolicy", "StatusReport", "api_key_masked", "check_connection", "clip_state",
    "count_publications", "delete_publication", "list_publications", "load_config", "next_due_at", "publish_clip",
    "publish_many", "refresh_status", "refresh_status_report", "resume_pending", "retry_due_posts",
    "retry_publication", "save_config",
]
