"""The Music page: the profile's music library. Upload tracks (each bad file refused with its reason), see their
length, tempo and moods, rename them and edit their mood tags in the table, play one, delete one (a track in use
says by which project)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.footage.music import AUDIO_SUFFIXES
from editfactory.models.produce import size_label
from editfactory.models.session import FAILED
from editfactory.services.uploads import empty_file_reason
from editfactory.ui.file_choice import ChosenFiles, received_files
from editfactory.ui.helpers import BUTTONS_UNSORTED, BusyBar, show_frame
from editfactory.ui.library import duration_text
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView

_COLUMNS = ["title", "moods", "duration", "tempo", "used_by", "filename", "play", "delete", "id"]
# Play and Delete are HTML cells of a set width, as in the Library, and the text columns share the rest and wrap:
# sized to their data, the last column was squeezed, cutting "✖ Delete" to "✖ De…" (issue 21 screenshots at 1366 px).
_PLAY = '<b style="cursor:pointer" title="Listen">▶ Play</b>'
_DELETE = '<span style="color:#c62828;cursor:pointer" title="Delete this track">✖ Delete</span>'
UPLOAD_KINDS = (".mp3", ".m4a", ".aac", ".wav", ".ogg", ".opus", ".flac")
"""The kinds the page names (and the file chooser offers); the import takes every suffix of AUDIO_SUFFIXES."""


def tempo_text(track: dict) -> str:
    return f"{track['tempo_bpm']:.0f} BPM" + ("" if track["steady_beat"] else " (no steady beat)")


class MusicPage(PageView):
    title = "Music"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        model = self.model  # built from the page registry (models/pages.py)
        self._shown_profile: str | None = None
        kinds = ", ".join(s.lstrip(".").upper() for s in UPLOAD_KINDS)
        self._upload = pmui.FileInput(label="Choose or drop music", multiple=True, icon="library_music",
                                      variant="outlined", accept=",".join(AUDIO_SUFFIXES),
                                      uploaded_label="Received {n} file(s)")
        self._upload.param.watch(self._on_upload, "value")
        # An empty file never reaches the server through the upload widget: the browser tells its name.
        self._chosen = ChosenFiles(height=0, width=0, margin=0)
        self._chosen.param.watch(self._on_chosen, "chosen")
        self._chosen_empty: list[dict[str, str]] = []
        self._help = pmui.Typography(
            f"{kinds}; at least 5 s, up to {size_label(model.upload_limit)} each. Each track is measured when it "
            "arrives (length, loudness, tempo and beats); a file that is not usable music is refused with the "
            "reason and the others are still imported. The same file uploaded twice is kept once.",
            variant="body2", color="text.secondary")
        self._busy = BusyBar()
        self._refused = pmui.Alert(object="", severity="warning", visible=False, sizing_mode="stretch_width")
        self._summary = pmui.Typography("", variant="body2")
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=_COLUMNS), show_index=False, selectable=False, sizing_mode="stretch_width",
            min_height=120, layout="fit_columns", hidden_columns=["id"],
            editors={"title": {"type": "input"}, "moods": {"type": "input"}, "duration": None, "tempo": None,
                     "used_by": None, "filename": None, "play": None, "delete": None},
            formatters={"play": {"type": "html"}, "delete": {"type": "html"}}
            | {c: {"type": "textarea"} for c in ("title", "moods", "used_by", "filename")},
            titles={"title": "Title (click to rename)", "moods": "Moods (click to edit)",
                    "duration": "Length", "tempo": "Tempo", "used_by": "Used by", "filename": "File",
                    "play": "", "delete": ""},
            configuration=BUTTONS_UNSORTED,
            widths={"duration": 80, "tempo": 100, "play": 80, "delete": 100},
        )
        self._table.on_edit(self._on_edit)
        self._table.on_click(self._on_click)
        self._player = pn.pane.HTML("", sizing_mode="stretch_width")

        self._confirm_text = pn.pane.Markdown("")
        self._confirm_delete = pmui.Button(label="Delete", color="error", variant="contained", icon="delete",
                                           on_click=lambda _: self._delete_confirmed())
        self._confirm_dialog = pmui.Dialog(
            self._confirm_text, pn.Row(self._confirm_delete, pmui.Button(
                label="Keep it", variant="text", on_click=lambda _: setattr(self._confirm_dialog, "open", False))),
            title="Delete a track", open=False, show_close_button=True,
        )
        self._to_delete = ""

        model.param.watch(lambda *_: self._show_tracks(), ["tracks"])
        model.param.watch(lambda *_: self._show_refused(), ["refused"])
        model.param.watch(lambda *_: self._show_player(), ["playing", "tracks"])
        self._layout = pn.Column(
            pmui.Typography("Music", variant="h5"),
            pmui.Typography("Background music for this profile's clips: pick a track, or any track of a mood, in "
                            "Produce (per project) or Settings (the profile's default).", variant="body2"),
            pmui.Paper(pn.Row(self._upload, self._chosen), self._help, self._busy, self._refused, elevation=1,
                       sizing_mode="stretch_width", margin=(8, 0)),
            self._summary, self._player, self._table, self._confirm_dialog,
            sizing_mode="stretch_width",
        )

    # -- loading ---------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._shown_profile != self.session.profile_id:
            self.model.clear()  # another profile: nothing of the last one may stay on screen
            self._shown_profile = self.session.profile_id
        await self.model.load()
        self._show_tracks()

    async def reload(self) -> None:
        """The tracks as stored; the table is redrawn even when nothing changed (a refused edit shows its old value)."""
        await self.model.load()
        self._show_tracks(force=True)

    def _show_tracks(self, *, force: bool = False) -> None:
        tracks = self.model.tracks
        rows = [{"title": t["title"], "moods": ", ".join(t["moods"]), "duration": duration_text(t["duration"]),
                 "tempo": tempo_text(t), "used_by": ", ".join(t["used_by"]), "filename": t["filename"], "play": _PLAY,
                 "delete": _DELETE, "id": t["id"]}
                for t in tracks]
        frame = pd.DataFrame(rows, columns=_COLUMNS)
        if force:
            self._table.value = frame
        else:
            show_frame(self._table, frame)
        self._summary.object = (f"{len(tracks)} track(s) in this profile's music library." if tracks else
                                "No music yet: upload a track above.")

    def _show_refused(self) -> None:
        refused = self.model.refused
        text = "\n".join(f"- **{html.escape(r['file'])}** — {html.escape(r['reason'])}" for r in refused)
        self._refused.param.update(object=f"Not imported:\n{text}" if refused else "", visible=bool(refused))

    def _show_player(self) -> None:
        track = self.model.track(self.model.playing)
        self._player.object = (
            f"<div class='ef-music-player' style='margin:4px 0'><b>{html.escape(track['title'])}</b> · "
            f"{duration_text(track['duration'])} · {html.escape(tempo_text(track))}<br>"
            f'<audio controls autoplay preload="metadata" src="{link_for(Path(track["path"]))}" '
            f"style='width:100%;max-width:520px'></audio></div>" if track else "")

    # -- uploading ---------------------------------------------------------------------------

    def _on_upload(self, event) -> None:
        if not event.new:
            return
        files = received_files(self._upload, event.new)

        async def received() -> None:
            await self.upload(files)

        self.spawn(received)

    def _on_chosen(self, event) -> None:
        """Files just chosen or dropped: the empty ones are refused by name now, as their upload never arrives."""
        empty = self._chosen.empty_files()
        self._chosen_empty = [{"file": name, "reason": empty_file_reason(name)} for name in empty]
        if not empty:
            return
        self.model.refused = list(self._chosen_empty)
        if len(empty) == len(event.new):  # nothing else will arrive
            self._chosen_empty = []
            self.session.notify("None of the files can be used; see why under the upload button.", "error")

    async def upload(self, files: list[tuple[str, bytes]]) -> None:
        """Import the files (off the event loop); refusals are shown per file, nothing of a refused file is kept."""
        self._busy.show(True)
        try:
            result = await self.session.call(self.model.import_files, files)
        finally:
            self._busy.show(False)
        if result is FAILED:
            return
        arrived = {name for name, _ in files}
        empty = [item for item in self._chosen_empty if item["file"] not in arrived]
        self._chosen_empty = []
        self.model.param.update(refused=[*empty, *result["refused"]], imported=result["imported"])
        await self.model.load()
        if result["imported"]:
            refused = len(result["refused"])
            self.session.notify(f"Imported {len(result['imported'])} track(s)"
                                + (f"; {refused} refused (see why above)." if refused else "."),
                                "warning" if refused else "success")
        else:
            self.session.notify("None of the files can be used; see why under the upload button.", "error")

    # -- editing --------------------------------------------------------------------------------

    def _track_id(self, row: int) -> str:
        return str(self._table.value.iloc[row]["id"])

    def _on_edit(self, event) -> None:
        track_id = self._track_id(event.row)
        if event.column == "title":
            done = self.session.attempt(self.model.rename, track_id, event.value or "")
            message = "Track renamed."
        elif event.column == "moods":
            done = self.session.attempt(self.model.save_moods, track_id, event.value or "")
            message = "Moods saved."
        else:
            return
        if done is not FAILED:
            self.session.notify(message, "success")
        self.spawn(self.reload)  # what is stored, also after a refusal

    def _on_click(self, event) -> None:
        track_id = self._track_id(event.row)
        if event.column == "play":
            self.model.playing = track_id
        elif event.column == "delete":
            track = self.model.track(track_id)
            if track is None:
                return
            self._to_delete = track_id
            self._confirm_text.object = (f"Delete **{html.escape(track['title'])}** from the music library? Clips "
                                         "already made keep their sound.")
            self._confirm_dialog.open = True

    def _delete_confirmed(self) -> None:
        self._confirm_dialog.open = False
        track_id, self._to_delete = self._to_delete, ""
        if track_id and self.session.attempt(self.model.delete, track_id) is not FAILED:
            self.session.notify("Track deleted.", "success")
        self.spawn(self.reload)

    def __panel__(self):
        return self._layout
