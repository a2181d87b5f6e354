"""Sending posts whose wait is over without anyone clicking: one daemon thread per process.

A post that failed for now (Postiz down, a rate limit, a 5xx) stays in the outbox with the time of its next
try. This loop sends it then, in whichever process runs: the studio server watches every profile of its
workspace (``watch_workspace``), and a notebook watches each profile it published from (``watch_profile``,
called by the publish service whenever a post stays open). Claims in the outbox keep two processes, or a
publish job and this loop, from sending one post twice.

A profile is looked at when its next post is due, and at least every ``idle`` seconds (another process may
have added posts); never more often than every ``check`` seconds. Both come from the environment, so tests
can make them short.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from editfactory.core.errors import EditFactoryError
from editfactory.profiles.profile import Profile
from editfactory.publish import outbox
from editfactory.publish.delivery import RetryPolicy, env_seconds

log = logging.getLogger(__name__)

ENABLED_ENV = "EDITFACTORY_PUBLISH_AUTO_RETRY"
"""'0' turns the loop off in this process (the test suite does; tests that need it turn it on)."""
CHECK_ENV = "EDITFACTORY_PUBLISH_RETRY_CHECK"
"""Least seconds between two looks at one profile (default 10)."""
IDLE_ENV = "EDITFACTORY_PUBLISH_RETRY_IDLE"
"""Most seconds between two looks at a profile with nothing due (default 60)."""
ROUND_BUDGET = 60.0
"""Seconds one profile's round may keep trying before the loop moves on to the next profile."""


def loop_enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def round_policy() -> RetryPolicy:
    """One try per post and round, no waiting inside a round: the post's next time is stored instead."""
    return RetryPolicy(max_attempts=1, max_wait=0.0)


class RetryLoop:
    """Watches profiles (and whole workspaces) and sends their posts once due, on one daemon thread."""

    def __init__(self, *, check: float | None = None, idle: float | None = None) -> None:
        self.check = check if check is not None else env_seconds(CHECK_ENV, 10.0)
        self.idle = max(self.check, idle if idle is not None else env_seconds(IDLE_ENV, 60.0))
        self._lock = threading.Lock()
        self._profiles: dict[tuple[Path, str], Profile] = {}
        self._workspaces: dict[Path, object] = {}
        self._next_look: dict[tuple[Path, str], float] = {}
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0  # profiles' rounds that sent something (for tests and the log)

    # -- what to watch ---------------------------------------------------------------------------

    def watch_profile(self, profile: Profile) -> None:
        """Look at this profile now and from then on."""
        key = _key(profile)
        with self._lock:
            self._profiles[key] = profile
            self._next_look[key] = 0.0
        self._start()

    def watch_workspace(self, workspace) -> None:
        """Look at every profile of ``workspace`` (also ones created later)."""
        with self._lock:
            self._workspaces[Path(workspace.root).resolve()] = workspace
        self._start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after its current round (a process that ends needs not: the thread is a daemon)."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="publish-retry-loop", daemon=True)
                self._thread.start()
        self._wake.set()

    # -- the loop ----------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._round()
            except Exception:  # never let the loop die: the next round tries again
                log.exception("The publishing retry loop failed a round")
            with self._lock:
                upcoming = min(self._next_look.values(), default=time.monotonic() + self.idle)
            self._wake.wait(timeout=min(self.idle, max(0.05, upcoming - time.monotonic())))
            self._wake.clear()

    def _watched(self) -> list[Profile]:
        with self._lock:
            profiles = dict(self._profiles)
            workspaces = list(self._workspaces.values())
        for workspace in workspaces:
            try:
                for profile in workspace.list():
                    profiles.setdefault(_key(profile), profile)
            except (OSError, EditFactoryError) as error:
                log.warning("Could not list the profiles of %s: %s", workspace.root, error)
        return list(profiles.values())

    def _round(self) -> None:
        profiles = self._watched()
        with self._lock:  # profiles no longer there (deleted) are no longer waited for
            for key in set(self._next_look) - {_key(p) for p in profiles}:
                del self._next_look[key]
        for profile in profiles:
            key = _key(profile)
            now = time.monotonic()
            with self._lock:
                if self._next_look.get(key, 0.0) > now:
                    continue
            try:
                wait = self._look(profile)
            except Exception:  # one profile's surprise must not stop the others, nor make the loop spin
                log.exception("The publishing retry loop failed on profile %s", profile.id)
                wait = self.idle
            with self._lock:
                if wait is None:
                    self._profiles.pop(key, None)
                    self._next_look.pop(key, None)
                else:
                    self._next_look[key] = time.monotonic() + max(self.check, min(wait, self.idle))

    def _look(self, profile: Profile) -> float | None:
        """Send what is due in this profile; seconds until the next look (None: the profile is gone)."""
        from editfactory.publish.service import next_due_at, retry_due_posts

        if not profile.folder.exists():
            return None
        try:
            due = next_due_at(profile)
            if due is not None and due <= outbox.utcnow():
                report = retry_due_posts(profile, policy=round_policy(), budget=ROUND_BUDGET)
                if report.blocked:  # publishing off or no key: nothing to do until the settings change
                    return self.idle
                if report.results:
                    self.rounds += 1
                    log.info("Publishing retry loop, profile %s: %s", profile.id, report.summary())
                due = next_due_at(profile)
        except EditFactoryError as error:  # e.g. the profile's file is busy: look again soon, nothing is lost
            log.info("Publishing retry loop skipped profile %s for now: %s", profile.id, error)
            return self.check
        if due is None:
            return self.idle
        return (due - outbox.utcnow()).total_seconds()


def _key(profile: Profile) -> tuple[Path, str]:
    return Path(profile.folder).resolve().parent, profile.id


_loop: RetryLoop | None = None
_loop_lock = threading.Lock()


def retry_loop() -> RetryLoop:
    """This process's loop (made on first use; its thread starts with the first thing to watch)."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = RetryLoop()
        return _loop


def watch_profile(profile: Profile) -> None:
    """Have this process send the profile's posts once due (nothing when the loop is turned off)."""
    if loop_enabled():
        retry_loop().watch_profile(profile)


def watch_workspace(workspace) -> None:
    """Have this process send the posts of every profile of ``workspace`` once due (the studio server)."""
    if loop_enabled():
        retry_loop().watch_workspace(workspace)
