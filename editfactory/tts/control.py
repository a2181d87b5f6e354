"""How a running synthesis is followed and stopped: progress per piece, cancel between pieces, characters sent.

Every provider speaks a long script in pieces (sentence groups, or one request per
chunk for a network provider) and tells the control as it goes. The service hands
one in per voiceover: the job's cancel flag stops the synthesis between pieces, or
abandons a request that is still waiting for the server; and what was sent to a paid
provider is what gets charged when a voiceover stops half way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from editfactory.core.errors import CancelledError
from editfactory.core.progress import ProgressCallback, ignore_progress

T = TypeVar("T")

_POLL_SECONDS = 0.05  # how often a waiting request looks at the cancel flag


class SynthesisControl:
    """Cancel flag, progress callback and the count of characters sent, for one synthesis."""

    def __init__(self, total_characters: int, *, cancelled: threading.Event | None = None,
                 progress: ProgressCallback | None = None) -> None:
        self.total_characters = max(1, int(total_characters))
        self.cancelled = cancelled
        self.progress = progress or ignore_progress
        self.sent_characters = 0
        """Characters handed to the provider so far (a request abandoned on cancel counts: the server has them)."""
        self.done_characters = 0

    def check(self) -> None:
        """Raise CancelledError when the synthesis should stop; providers call it between pieces."""
        if self.cancelled is not None and self.cancelled.is_set():
            raise CancelledError(f"The voiceover was cancelled after {self.done_characters:,} of "
                                 f"{self.total_characters:,} characters; nothing was saved.")

    def sending(self, characters: int) -> None:
        """A piece of ``characters`` is about to go to the engine (checks for a cancel first)."""
        self.check()
        self.sent_characters += characters

    def not_sent(self, characters: int) -> None:
        """The provider refused the piece (an error answer, no connection): it was not spoken, so not billed."""
        self.sent_characters = max(0, self.sent_characters - characters)

    def done(self, characters: int) -> None:
        """A piece of ``characters`` is spoken: move the progress."""
        self.done_characters = min(self.total_characters, self.done_characters + characters)
        self.progress(f"{self.done_characters:,} of {self.total_characters:,} characters spoken",
                      self.done_characters / self.total_characters)

    def wait_for(self, call: Callable[[], T]) -> T:
        """Run a blocking request; on cancel stop waiting at once (CancelledError) and leave it to finish alone.

        An HTTP request cannot be interrupted from another thread, so it runs in a daemon thread of its own; what
        it returns after a cancel is dropped. Without a cancel flag the call runs here, as before.
        """
        if self.cancelled is None:
            return call()
        outcome: dict[str, object] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = call()
            except BaseException as error:  # handed to the waiting thread, which re-raises it
                outcome["error"] = error
            finally:
                finished.set()

        threading.Thread(target=run, name="editfactory-tts-request", daemon=True).start()
        while not finished.wait(_POLL_SECONDS):
            self.check()
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["value"]  # type: ignore[return-value]


def control_or_default(control: SynthesisControl | None, text: str) -> SynthesisControl:
    """The control a provider was given, or one that only counts (a direct call without a job)."""
    return control if control is not None else SynthesisControl(len(text.strip()))
