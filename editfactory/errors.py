"""The project's own exceptions: every error a user can meet says what happened and what to do next."""

from __future__ import annotations


class EditFactoryError(Exception):
    """Base class for errors shown to users; the message is meant to be read by a person."""


class ValidationError(EditFactoryError, ValueError):
    """Input was refused before anything was stored."""


class NotFoundError(EditFactoryError, LookupError):
    """Something asked for does not exist in the profile it was asked from."""

    def __init__(self, kind: str, item_id: str, profile_name: str | None = None):
        where = f"profile {profile_name!r}" if profile_name else "this profile"
        super().__init__(
            f"{kind} {item_id!r} was not found in {where}. "
            "It may have been deleted, or it belongs to another profile; switch to that profile to use it."
        )
        self.kind = kind
        self.item_id = item_id


class ProfileBusyError(EditFactoryError):
    """Another process kept the profile's database locked for longer than we are willing to wait."""


class StorageError(EditFactoryError):
    """The profile's database failed in a way that is not a lock conflict."""


class MediaError(EditFactoryError):
    """ffmpeg or probing failed; the message carries the relevant ffmpeg lines."""


class DiskFullError(StorageError, MediaError):
    """The disk ran out of space while writing (a render, the database); the message names the folder and what to free.

    A StorageError (the job stops: the next file would fail too) and a MediaError (raised where ffmpeg writes)."""


class VoiceError(EditFactoryError):
    """A voice provider failed or is unavailable; the message says why and how to fix it."""


class QuotaExceededError(EditFactoryError):
    """A paid call was refused because it would push the profile's monthly spend over its quota."""


class PublishError(EditFactoryError):
    """Publishing through Postiz failed; the message says whether retrying can help."""


class CancelledError(EditFactoryError):
    """Work was cancelled by the user."""
