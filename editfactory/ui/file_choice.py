"""What the browser knows of the files a user chose or dropped: every file's name and size, empty ones included.

The upload widget sends a file's content in chunks; a 0-byte file has none, so the server never hears of it and the
page said "Received 1 file(s)" and nothing else. This component reports each choice (names and sizes) as it is made,
so the page can refuse an empty file by name.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

MAX_REPORTED = 200
"""Files of one choice reported at most (an upload takes 50)."""


class ChosenFiles(JSComponent):
    """Reports every file chosen in a file input or dropped on the page while it is shown."""

    chosen = param.List(default=[], doc="The files of the latest choice or drop: {'name', 'size'} each.")

    # `input` (unlike `change`) crosses the shadow roots Panel draws components in; drops cross them too.
    _esm = """
    export function render({ model }) {
      const report = (files) => {
        if (!files || !files.length) { return }
        model.send_msg(Array.from(files).map((file) => ({ name: file.name, size: file.size })))
      }
      const onInput = (event) => {
        const target = event.composedPath()[0]
        if (target && target.type === "file") { report(target.files) }
      }
      const onDrop = (event) => report(event.dataTransfer && event.dataTransfer.files)
      document.addEventListener("input", onInput, true)
      document.addEventListener("drop", onDrop, true)
      model.on("remove", () => {
        document.removeEventListener("input", onInput, true)
        document.removeEventListener("drop", onDrop, true)
      })
      return document.createElement("span")
    }
    """

    def _handle_msg(self, msg) -> None:
        files = msg if isinstance(msg, list) else []
        chosen = []
        for item in files[:MAX_REPORTED]:
            if not isinstance(item, dict):
                continue
            size = item.get("size")
            chosen.append({"name": str(item.get("name") or "")[:255],
                           "size": size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else -1})
        self.chosen = chosen

    def empty_files(self) -> list[str]:
        """Names of the latest choice's files that are empty (0 bytes)."""
        return [item["name"] for item in self.chosen if item["size"] == 0]


def received_files(upload, value) -> list[tuple[str, bytes]]:
    """``(file name, bytes)`` of each file a FileInput/FileDropper just received (one file or several)."""
    values = value if isinstance(value, list) else [value]
    names = upload.filename if isinstance(upload.filename, list) else [upload.filename]
    return list(zip(names, values, strict=False))
