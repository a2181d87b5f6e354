"""One browser session's state: which profile it works on, which page it shows, what to tell the user.

Every session holds its own profile handle and passes it explicitly to the
services; the workspace and the job runner are shared by the whole server
process. Switching profile here never affects another session.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import param

from editfactory.core.errors import EditFactoryError, NotFoundError, ValidationError
from editfactory.jobs import JobRunner
from editfactory.models.pages import page_names
from editfactory.ops.startup import open_profile
from editfactory.profiles import Profile, Workspace

log = logging.getLogger(__name__)

T = TypeVar("T")



class Failed:
    """What ``StudioSession.call`` returns when the call failed (the user has been told why)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


FAILED = Failed()


class StudioSession(param.Parameterized):
    """The state one browser tab works with."""

    workspace = param.ClassSelector(class_=Workspace, constant=True, doc="The server's workspace (shared).")
    runner = param.ClassSelector(class_=JobRunner, constant=True, doc="The server's job runner (shared).")
    profile = param.ClassSelector(class_=Profile, allow_None=True, doc="The profile this session works on.")
    profile_id = param.String(default="", doc="Id of the active profile (kept in the URL).")
    profiles = param.List(default=[], doc="Every profile as {'id', 'name', 'description', 'default'}.")
    page = param.Selector(default="library", objects=["library"],
                          doc="The page shown (kept in the URL); one of the registered pages (models/pages.py).")
    notice = param.Dict(default=None, allow_None=True, doc="The latest message for the user: {'level', 'message'}.")
    startup_summary = param.String(default="", doc="What opening the profile found (interrupted jobs, open posts).")
    timezone = param.String(default="UTC", doc="The browser's time zone (IANA name): times are shown and picked in it.")
    publish_clips = param.List(default=[], item_type=str,
                               doc="Ids of the clips the Library handed to the Publish page (of the active profile).")

    def __init__(self, workspace: Workspace, runner: JobRunner, **params: Any) -> None:
        page = params.pop("page", None)
        super().__init__(workspace=workspace, runner=runner, **params)
        # The pages registered when the session starts (models/pages.py), a test's or plug-in's included.
        self.param.page.objects = page_names()
        if page is not None:
            self.page = page
        self._switching = False
        # Written by background threads, moved into params on the event loop (collect_background_results).
        self._background_lock = threading.Lock()
        self._background_summaries: dict[str, str] = {}

    # -- time ---------------------------------------------------------------------

    def zone(self) -> dt.tzinfo:
        """The browser's time zone; UTC when the browser named none or one this machine does not know."""
        try:
            return ZoneInfo(self.timezone) if self.timezone and self.timezone != "UTC" else dt.timezone.utc
        except (ZoneInfoNotFoundError, ValueError):
            return dt.timezone.utc

    def local_time(self, moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A stored time (naive ones are UTC, as the database keeps them) as the user's wall-clock time."""
        if moment is None:
            return ""
        aware = moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment
        return aware.astimezone(self.zone()).strftime(fmt)

    def from_local(self, moment: dt.datetime) -> dt.datetime:
        """A time the user picked (naive: their wall clock) as an aware UTC time."""
        aware = moment.replace(tzinfo=self.zone()) if moment.tzinfo is None else moment
        return aware.astimezone(dt.timezone.utc)

    # -- telling the user ------------------------------------------------------

    def notify(self, message: str, level: str = "info") -> None:
        self.notice = {"level": level, "message": message}

    def report(self, error: BaseException) -> None:
        """Turn an exception into a message: ours say what to do; others get a reference into the log."""
        if isinstance(error, EditFactoryError):
            self.notify(str(error), "error")
            return
        reference = secrets.token_hex(3).upper()
        log.error("Unexpected error (reference %s)", reference, exc_info=(type(error), error, error.__traceback__))
        self.notify(
            f"Something went wrong (reference {reference}). The details are in the studio's log; "
            "try again, and report the reference if it keeps happening.",
            "error",
        )

    def attempt(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | Failed:
        """Call ``fn`` here; a failure is reported to the user and FAILED returned."""
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every failure must reach the user, never a traceback
            self.report(error)
            return FAILED

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | Failed:
        """Run ``fn`` in a worker thread (the event loop stays free); failures are reported, FAILED returned."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except Exception as error:  # noqa: BLE001
            self.report(error)
            return FAILED

    # -- profiles ----------------------------------------------------------------

    def require_profile(self) -> Profile:
        if self.profile is None:
            raise ValidationError("No profile is open; pick one in the header.")
        return self.profile

    def _profile_listing(self) -> list[dict]:
        default_id = self.workspace.default().id
        return [{"id": p.id, "name": p.name, "description": p.description, "default": p.id == default_id}
                for p in self.workspace.list()]

    def refresh_profiles(self) -> None:
        self.profiles = self._profile_listing()

    def follow_workspace(self) -> None:
        """Follow profiles created, renamed or deleted in other tabs and processes (the studio's poll calls this).

        Cheap: a listing of the workspace folder and each profile's profile.json, no database is opened. A tab
        whose profile was deleted elsewhere moves to the default profile and says so.
        """
        try:
            listing = self._profile_listing()
        except (OSError, EditFactoryError) as error:  # a folder being written or moved right now: next poll
            log.debug("Listing the workspace's profiles failed: %s", error)
            return
        if listing != self.profiles:
            self.profiles = listing
        if self.profile is None or self._switching:
            return
        own = next((p for p in listing if p["id"] == self.profile.id), None)
        if own is None:
            gone = self.profile.name
            self._activate(self.workspace.default())
            self.notify(f"Profile {gone!r} was deleted in another tab or window; {self.profile.name!r} "
                        "(the default profile) is open instead.", "warning")
        elif own["name"] != self.profile.name or own["description"] != self.profile.description:
            self.profile = self.workspace.get(self.profile.id)  # renamed elsewhere: the header shows the new name

    def open(self, profile_id: str | None = None) -> Profile:
        """Open ``profile_id`` (when it exists) or the last used profile, so the page is never blank."""
        profile = None
        if profile_id:
            try:
                profile = self.workspace.get(profile_id)
            except NotFoundError:
                self.notify("The profile in the address no longer exists; the last used profile is open instead.", "warning")
        if profile is None:
            profile = self.workspace.last_used()
        self._activate(profile)
        return profile

    def switch_profile(self, profile_id: str) -> Profile:
        if self.profile is not None and profile_id == self.profile.id:
            return self.profile
        profile = self.workspace.get(profile_id)
        self._activate(profile)
        return profile

    def _activate(self, profile: Profile) -> None:
        self.workspace.remember_last_used(profile.id)
        self.refresh_profiles()
        self._switching = True
        try:
            # A selection of clips belongs to the profile it was made in.
            selection = self.publish_clips if self.profile is not None and self.profile.id == profile.id else []
            self.param.update(profile=profile, profile_id=profile.id, startup_summary="", publish_clips=selection)
        finally:
            self._switching = False
        self._recover_in_background(profile)

    def _recover_in_background(self, profile: Profile) -> None:
        """What a crash left behind (interrupted jobs, open posts) is found off the page-load path."""

        def recover() -> None:
            try:
                summary = open_profile(self.workspace, profile.id).summary()
            except Exception as error:  # noqa: BLE001 - reported, never raised into a thread's void
                log.warning("Recovery of profile %s failed: %s", profile.id, type(error).__name__)
                return
            with self._background_lock:
                self._background_summaries[profile.id] = summary

        threading.Thread(target=recover, name=f"recover-{profile.id[:13]}", daemon=True).start()

    def collect_background_results(self) -> None:
        """Called on the event loop: show what background work found for the active profile."""
        with self._background_lock:
            summary = self._background_summaries.pop(self.profile_id, None) if self.profile_id else None
        if summary:
            self.startup_summary = summary

    @param.depends("profile_id", watch=True)
    def _follow_profile_id(self) -> None:
        # The URL (or a test) changed the id: open that profile.
        if self._switching or (self.profile is not None and self.profile.id == self.profile_id):
            return
        if self.attempt(self.switch_profile, self.profile_id) is FAILED and self.profile is not None:
            self.profile_id = self.profile.id
            self.refresh_profiles()  # it was picked from a list that still showed a profile deleted meanwhile

    def create_profile(self, name: str, description: str = "") -> Profile:
        """Create a profile and switch to it."""
        profile = self.workspace.create(name, description)
        self._activate(profile)
        return profile

    def update_profile(self, profile_id: str, *, name: str | None = None, description: str | None = None) -> Profile:
        profile = self.workspace.update(profile_id, name=name, description=description)
        if self.profile is not None and self.profile.id == profile_id:
            self._activate(self.workspace.get(profile_id))
        else:
            self.refresh_profiles()
        return profile

    def set_default_profile(self, profile_id: str) -> None:
        self.workspace.set_default(profile_id)
        self.refresh_profiles()

    def delete_profile(self, profile_id: str, typed_name: str) -> None:
        """Delete a profile after the user typed its exact name; the active one is left for another first."""
        profile = self.workspace.get(profile_id)
        if typed_name.strip() != profile.name:
            raise ValidationError(f"Type the profile's name exactly ({profile.name!r}) to confirm deleting it.")
        if len(self.workspace.list()) == 1:
            raise ValidationError("This is the only profile and cannot be deleted; create another one first.")
        if self.profile is not None and self.profile.id == profile_id:
            other = next(p for p in self.workspace.list() if p.id != profile_id)
            self._activate(other)
        self.workspace.delete(profile_id)
        self.refresh_profiles()
        self.notify(f"Profile {profile.name!r} and everything in it was deleted.", "success")
