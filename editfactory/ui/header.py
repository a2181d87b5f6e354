"""The header: the active profile always visible, a switcher, "New profile" and "Manage profiles" dialogs."""

from __future__ import annotations

import panel as pn
import panel_material_ui as pmui
import param
from panel.viewable import Viewer

from editfactory.core.errors import EditFactoryError
from editfactory.models.session import StudioSession


class ProfileSwitcher(Viewer):
    """Profile name + switcher + the dialogs that create, rename, re-describe, set default and delete profiles."""

    session = param.ClassSelector(class_=StudioSession)

    def __init__(self, **params) -> None:
        super().__init__(**params)
        session = self.session
        self._select = pmui.Select(
            label="Profile", options=self._options(), value=session.profile_id, width=240,
            sizing_mode="fixed", color="light", variant="outlined",
        )
        self._syncing = False
        self._select.param.watch(self._on_pick, "value")
        session.param.watch(self._sync, ["profiles", "profile_id"])
        self._new_button = pmui.Button(label="New profile", icon="add", variant="text", color="light",
                                       on_click=lambda _: self._open_new())
        self._manage_button = pmui.Button(label="Manage profiles", icon="manage_accounts", variant="text",
                                          color="light", on_click=lambda _: self._open_manage())
        self._new_dialog = self._build_new_dialog()
        self._manage_dialog = self._build_manage_dialog()

    # -- switcher ------------------------------------------------------------------

    def _options(self) -> dict[str, str]:
        options: dict[str, str] = {}
        for p in self.session.profiles:
            label = p["name"] + ("  (default)" if p["default"] else "")
            options[label] = p["id"]
        return options

    def _sync(self, *_) -> None:
        # A list without the shown profile (deleted elsewhere) makes the select fall back to its first option;
        # that is not the user's pick, and the session moves to the default profile itself.
        self._syncing = True
        try:
            self._select.param.update(options=self._options(), value=self.session.profile_id)
        finally:
            self._syncing = False
        self._refresh_manage_choices()

    def _on_pick(self, event) -> None:
        if event.new and event.new != self.session.profile_id and not self._syncing:
            self.session.profile_id = event.new

    # -- new profile -----------------------------------------------------------------

    def _build_new_dialog(self) -> pmui.Dialog:
        self._new_name = pmui.TextInput(label="Name", placeholder="e.g. Summer Shoes", sizing_mode="stretch_width")
        self._new_description = pmui.TextAreaInput(label="Description (optional)", rows=2, sizing_mode="stretch_width")
        self._new_error = pmui.Alert(object="", severity="error", visible=False)
        create = pmui.Button(label="Create", variant="contained", on_click=lambda _: self._create())
        cancel = pmui.Button(label="Cancel", variant="text", on_click=lambda _: setattr(self._new_dialog, "open", False))
        return pmui.Dialog(
            self._new_name, self._new_description, self._new_error, pn.Row(create, cancel),
            title="New profile", open=False, show_close_button=True,
        )

    def _open_new(self) -> None:
        self._new_name.value = ""
        self._new_description.value = ""
        self._new_error.visible = False
        self._new_dialog.open = True

    def _create(self) -> None:
        try:
            profile = self.session.create_profile(self._new_name.value_input or self._new_name.value,
                                                  self._new_description.value_input or self._new_description.value)
        except Exception as error:  # noqa: BLE001 - shown inline, the dialog stays open
            if not isinstance(error, EditFactoryError):
                self.session.report(error)
                return
            self._new_error.param.update(object=str(error), visible=True)
            return
        self._new_dialog.open = False
        self.session.notify(f"Profile {profile.name!r} created and opened.", "success")

    # -- manage profiles ---------------------------------------------------------------

    def _build_manage_dialog(self) -> pmui.Dialog:
        self._manage_pick = pmui.Select(label="Profile to change", options={}, sizing_mode="stretch_width")
        self._manage_pick.param.watch(lambda _: self._fill_manage_fields(), "value")
        self._manage_name = pmui.TextInput(label="Name", sizing_mode="stretch_width")
        self._manage_description = pmui.TextAreaInput(label="Description", rows=2, sizing_mode="stretch_width")
        save = pmui.Button(label="Save name and description", variant="contained", on_click=lambda _: self._save())
        make_default = pmui.Button(label="Make default", variant="outlined", on_click=lambda _: self._make_default())
        self._confirm = pmui.TextInput(label="Type the profile's name to delete it", sizing_mode="stretch_width")
        delete = pmui.Button(label="Delete profile", color="error", variant="outlined", icon="delete",
                             on_click=lambda _: self._delete())
        self._manage_message = pmui.Alert(object="", severity="error", visible=False)
        close = pmui.Button(label="Close", variant="text", on_click=lambda _: setattr(self._manage_dialog, "open", False))
        dialog = pmui.Dialog(
            self._manage_pick, self._manage_name, self._manage_description, pn.Row(save, make_default),
            pmui.Divider(), pn.pane.Markdown("Deleting removes the profile's database, media, voices and renders."),
            self._confirm, delete, self._manage_message, close,
            title="Manage profiles", open=False, show_close_button=True, width_option="md",
        )
        self._refresh_manage_choices()
        return dialog

    def _refresh_manage_choices(self, pick: str | None = None) -> None:
        if not hasattr(self, "_manage_pick"):
            return
        options = {p["name"] + ("  (default)" if p["default"] else ""): p["id"] for p in self.session.profiles}
        current = pick or self._manage_pick.value
        current = current if current in options.values() else self.session.profile_id
        self._manage_pick.param.update(options=options, value=current)
        self._fill_manage_fields()

    def _picked(self) -> dict | None:
        return next((p for p in self.session.profiles if p["id"] == self._manage_pick.value), None)

    def _fill_manage_fields(self) -> None:
        picked = self._picked()
        if picked:
            self._manage_name.value = picked["name"]
            self._manage_description.value = picked["description"]
        self._confirm.value = ""

    def _open_manage(self) -> None:
        self._manage_message.visible = False
        self._refresh_manage_choices(pick=self.session.profile_id)  # this tab's own, not the one looked at last
        self._manage_dialog.open = True

    def _show(self, message: str, severity: str) -> None:
        self._manage_message.param.update(object=message, severity=severity, visible=True)

    def _guarded(self, fn, *args, success: str, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except EditFactoryError as error:
            self._show(str(error), "error")
            return
        except Exception as error:  # noqa: BLE001
            self.session.report(error)
            return
        self._show(success, "success")

    def _save(self) -> None:
        picked = self._picked()
        if picked:
            self._guarded(self.session.update_profile, picked["id"], name=self._manage_name.value_input or self._manage_name.value,
                          description=self._manage_description.value_input or self._manage_description.value,
                          success="Saved.")

    def _make_default(self) -> None:
        picked = self._picked()
        if picked:
            self._guarded(self.session.set_default_profile, picked["id"],
                          success=f"{picked['name']!r} now opens when nothing else was used last.")

    def _delete(self) -> None:
        picked = self._picked()
        if picked:
            typed = self._confirm.value_input or self._confirm.value
            self._guarded(self.session.delete_profile, picked["id"], typed, success=f"{picked['name']!r} was deleted.")

    @property
    def dialogs(self) -> list:
        """Placed in the main area by the app: inside the header they would take the header's colours."""
        return [self._new_dialog, self._manage_dialog]

    def __panel__(self):
        return pn.Row(self._select, self._new_button, self._manage_button, align="center")


