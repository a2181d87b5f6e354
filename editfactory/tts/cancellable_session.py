"""An ONNX Runtime session whose running inference a cancel can stop (Piper's voices run on one).

One Piper sentence can take seconds on a busy machine; waiting for it to end before
looking at the cancel flag would let a cancelled voiceover run on. ONNX Runtime stops
a run between its operators when the run's ``RunOptions.terminate`` is set, so each
synthesis gets its own options (per thread: a loaded voice is shared by the process)
and a small watcher sets ``terminate`` as soon as the job's cancel flag is set.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_WATCH_SECONDS = 0.05


class CancellableSession:
    """Wraps an ``onnxruntime.InferenceSession``: everything passes through; ``run`` uses this thread's options."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        return self._session.run(output_names, input_feed, run_options or getattr(self._local, "options", None))

    @contextlib.contextmanager
    def stopped_by(self, cancelled: threading.Event | None) -> Iterator[None]:
        """Within the block, runs on this thread are stopped (they raise) once ``cancelled`` is set."""
        if cancelled is None:
            yield
            return
        import onnxruntime

        options = onnxruntime.RunOptions()
        finished = threading.Event()

        def watch() -> None:
            while not finished.wait(_WATCH_SECONDS):
                if cancelled.is_set():
                    options.terminate = True
                    return

        watcher = threading.Thread(target=watch, name="editfactory-tts-cancel", daemon=True)
        self._local.options = options
        watcher.start()
        try:
            yield
        finally:
            finished.set()
            self._local.options = None
            watcher.join(timeout=1)
