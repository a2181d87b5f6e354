"""The Publish page: the selected clips, this profile's Postiz channels with a caption/title each (length counted
live), now / scheduled / spaced / draft, progress of the publish job, and the outbox with each post's state."""

from __future__ import annotations

import html
import threading

import pandas as pd
import panel as pn
import panel_material_ui as pmui

from editfactory.core.errors import CancelledError
from editfactory.models.publish import OUTBOX_PAGE, ChannelInfo, post_state
from editfactory.publish import outbox
from editfactory.models.session import FAILED
from editfactory.ui.job_progress import JobProgressList
from editfactory.ui.helpers import show_frame
from editfactory.ui.library import duration_text
from editfactory.ui.media_route import link_for
from editfactory.ui.page import PageView
from editfactory.writing.post_copy import PostCopySuggestion, suggest_for_clip

_OUTBOX_COLUMNS = ["created", "clip", "channel", "state", "when", "attempts", "next_try", "reason", "retry", "cancel",
                   "id"]
_ACTION = '<span style="color:{color};cursor:pointer" title="{title}">{label}</span>'
_RETRY_NOW = _ACTION.format(color="#1565c0", title="Send it at the next chance, without waiting", label="↻ Retry now")
_CANCEL = _ACTION.format(color="#c62828", title="Never send this post", label="✕ Cancel")
_CARD = {"border": "1px solid #e0e0e0", "border-radius": "6px", "padding": "4px 8px"}
def _suggest_unless_cancelled(profile, clip_id: str, platforms: list[str],
                              cancel: threading.Event) -> PostCopySuggestion | None:
    """The suggestion, or None when the user cancelled it (that is no failure to report)."""
    try:
        return suggest_for_clip(profile, clip_id, platforms, cancel=cancel)
    except CancelledError:
        return None


_MODE_LABELS = {"Now": "now", "At a time": "schedule", "Spread out": "spaced", "As drafts": "draft"}



def _outbox_titles(zone: str) -> dict[str, str]:
    return {"created": f"Created ({zone})", "clip": "Clip", "channel": "Channel", "state": "State",
            "when": f"Publish time ({zone})", "attempts": "Tries", "next_try": f"Next try ({zone})",
            "reason": "Reason", "retry": "", "cancel": ""}

def _next_try(session, pub) -> str:
    """When the outbox tries an open post next: a time, 'now', or what it waits for."""
    if not pub.is_open:
        return ""
    if pub.waits_for_settings:
        return "after the Postiz settings are fixed"
    due = pub.due_at
    return session.local_time(due, "%Y-%m-%d %H:%M:%S") if due is not None and due > outbox.utcnow() else "now"


class ChannelForm:
    """One channel's row: tick to publish there, its own caption and title, and the live character count."""

    def __init__(self, page: PublishPage, channel: ChannelInfo) -> None:
        self.page, self.channel = page, channel
        model = page.model
        label = channel.label + (" — disabled in Postiz" if channel.disabled else "")
        self.tick = pmui.Checkbox(label=label, value=channel.id in model.chosen, disabled=channel.disabled)
        self.caption = pmui.TextAreaInput(label=f"Caption for {channel.name} (empty: the shared caption)", rows=4,
                                          value=model.captions.get(channel.id, ""), sizing_mode="stretch_width")
        self.title = pmui.TextInput(label=f"Title for {channel.name} (empty: the shared title or the clip's name)",
                                    value=model.titles.get(channel.id, ""), sizing_mode="stretch_width",
                                    visible=channel.title_limits is not None)
        self.count = pmui.Typography("", variant="caption")
        self.tick.param.watch(self._on_tick, "value")
        self.caption.param.watch(self._on_caption, "value_input")
        self.title.param.watch(self._on_title, "value_input")
        # The side margins line the card up with the fields above it (at 0 it ran into the page's right edge).
        self.layout = pn.Column(self.tick, self.caption, self.title, self.count, sizing_mode="stretch_width",
                                margin=(4, 24), styles=_CARD)
        self.update()

    def _on_tick(self, event) -> None:
        model = self.page.model
        chosen = [c for c in model.chosen if c != self.channel.id]
        model.chosen = chosen + [self.channel.id] if event.new else chosen

    def _on_caption(self, event) -> None:
        model = self.page.model
        model.captions = {**model.captions, self.channel.id: event.new or ""}

    def _on_title(self, event) -> None:
        model = self.page.model
        model.titles = {**model.titles, self.channel.id: event.new or ""}

    def update(self) -> None:
        model = self.page.model
        length, limit = model.counter(self.channel.id)
        over = limit is not None and length > limit
        text = f"{length} / {limit} characters" if limit is not None else f"{length} characters"
        problem = model.errors.get(f"caption:{self.channel.id}") or model.errors.get(f"title:{self.channel.id}")
        if over:
            text += f" — {length - limit} too many"
        if problem and not over:
            text += f" — {problem}"
        self.count.param.update(object=text, styles={"color": "#c62828" if (over or problem) else "#555"})
        active = self.channel.id in model.chosen
        self.caption.visible = active
        self.title.visible = active and self.channel.title_limits is not None


class PublishPage(PageView):
    title = "Publish"

    def __init__(self, **params) -> None:
        super().__init__(**params)
        model = self.model  # built from the page registry (models/pages.py)
        self._setup = pmui.Alert(object="", severity="warning", visible=False)
        self._to_settings = pmui.Button(label="Open Settings", icon="settings", variant="outlined", visible=False,
                                        on_click=lambda _: setattr(self.session, "page", "settings"))
        self._clips = pn.FlexBox(sizing_mode="stretch_width")
        self._to_library = pmui.Button(label="Choose clips in the Library", icon="video_library", variant="text",
                                       on_click=lambda _: setattr(self.session, "page", "library"))

        self._reload_channels = pmui.Button(label="Reload channels from Postiz", icon="refresh", variant="text",
                                            on_click=lambda _: self.spawn(self._channels_now))
        self._channels = pn.Column(sizing_mode="stretch_width")
        self._channel_forms: dict[str, ChannelForm] = {}

        self._caption = pmui.TextAreaInput(label="Caption (every channel without its own)", rows=3,
                                           sizing_mode="stretch_width")
        self._caption.param.watch(lambda e: setattr(model, "caption", e.new or ""), "value_input")
        self._title = pmui.TextInput(label="Title (YouTube, TikTok; empty: the clip's name)", sizing_mode="stretch_width")
        self._title.param.watch(lambda e: setattr(model, "title", e.new or ""), "value_input")
        self._suggest = pmui.Button(label="Suggest caption", icon="auto_awesome", variant="outlined",
                                    on_click=lambda _: self.spawn(self.suggest_caption))
        # A model's suggestion streams for a few seconds (or hangs on a slow server): Cancel closes the stream.
        self._suggest_cancel = pmui.Button(label="Cancel suggestion", icon="cancel", variant="outlined",
                                           visible=False, on_click=lambda _: self.cancel_suggestion())
        self._suggesting: threading.Event | None = None
        self._mode = pmui.RadioButtonGroup(label="When", options=_MODE_LABELS, value="now")
        self._mode.param.watch(lambda e: setattr(model, "mode", e.new), "value")
        self._start = pmui.DatetimePicker(label="Publish at", visible=False, width=260)
        self._start.param.watch(lambda e: setattr(model, "start", e.new), "value")
        self._spacing = pmui.IntInput.from_param(model.param.spacing_minutes, label="Minutes between clips",
                                                 visible=False, width=200)
        self._errors = pmui.Alert(object="", severity="error", visible=False)
        self._publish = pmui.Button(label="Publish", icon="send", variant="contained",
                                    on_click=lambda _: self._submit())
        self._jobs = JobProgressList(watch=model.watch)
        self._repost_text = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["ef-repost-text"])
        self._repost_dialog = pmui.Dialog(
            self._repost_text, pn.Row(
                pmui.Button(label="Post again", icon="send", variant="contained", color="warning",
                            on_click=lambda _: self._submit(confirmed=True)),
                pmui.Button(label="Cancel", variant="text", on_click=lambda _: setattr(self._repost_dialog, "open",
                                                                                       False))),
            title="Already posted", open=False, show_close_button=True)

        self._refresh_status = pmui.Button(label="Refresh status", icon="sync", variant="outlined",
                                           on_click=lambda _: self._ask_status())
        self._outbox_count = pmui.Typography("", variant="body2")
        self._newer = pmui.Button(label="Newer", variant="text", size="small", disabled=True,
                                  on_click=lambda _: self._page_outbox(-OUTBOX_PAGE))
        self._older = pmui.Button(label="Older", variant="text", size="small", disabled=True,
                                  on_click=lambda _: self._page_outbox(OUTBOX_PAGE))
        self._outbox = pn.widgets.Tabulator(
            pd.DataFrame(columns=_OUTBOX_COLUMNS), show_index=False, disabled=True, sortable=False,
            sizing_mode="stretch_width", min_height=200, layout="fit_data_stretch", hidden_columns=["id"],
            formatters={"retry": {"type": "html"}, "cancel": {"type": "html"}},
            titles=_outbox_titles("UTC"),
        )
        self._outbox.on_click(self._on_outbox_click)

        model.param.watch(lambda *_: self._render_setup(), ["configured", "setup_problem"])
        model.param.watch(lambda *_: self._render_clips(), "clips")
        model.param.watch(lambda *_: self._render_channels(), "channels")
        model.param.watch(lambda *_: self._update_counts(), ["caption", "captions", "chosen", "errors"])
        model.param.watch(lambda *_: self._render_mode(), "mode")
        model.param.watch(lambda *_: self._render_outbox(), ["outbox_rows", "clip_names"])
        self.session.param.watch(lambda _: self.spawn(self.refresh), "publish_clips")
        self._render_setup()
        self._render_clips()
        self._render_mode()

    # -- model -> widgets ---------------------------------------------------------------------

    def _render_setup(self) -> None:
        problem = self.model.setup_problem
        self._setup.param.update(object=problem, visible=bool(problem))
        self._to_settings.visible = bool(problem)
        self._publish.disabled = bool(problem)
        self._refresh_status.disabled = bool(problem)
        self._reload_channels.disabled = bool(problem)

    def _render_clips(self) -> None:
        cards = []
        for clip in self.model.clips:
            poster = (f'<img src="{link_for(clip["poster"])}" style="height:96px;border-radius:4px">'
                      if clip["poster"] else "")
            remove = pmui.Button(label="Remove", variant="text", size="small",
                                 on_click=lambda _, c=clip["id"]: self._remove_clip(c))
            cards.append(pn.Column(pn.pane.HTML(poster, height=100), pmui.Typography(clip["name"], variant="body2"),
                                   pmui.Typography(duration_text(clip["duration"]), variant="caption"), remove,
                                   width=170, margin=(0, 8, 8, 0), styles=_CARD))
        if not cards:
            cards = [pn.Column(pmui.Typography("No clips selected yet.", variant="body1"), self._to_library)]
        self._clips.objects = cards

    def _render_channels(self) -> None:
        self._channel_forms = {c.id: ChannelForm(self, c) for c in self.model.channels}
        if self._channel_forms:
            self._channels.objects = [form.layout for form in self._channel_forms.values()]
        elif self.model.configured:
            self._channels.objects = [pmui.Typography(
                "No channels known yet; reload them from Postiz.", variant="body2")]
        else:
            self._channels.objects = []

    def _update_counts(self) -> None:
        for form in self._channel_forms.values():
            if form.tick.value != (form.channel.id in self.model.chosen):
                form.tick.value = form.channel.id in self.model.chosen
            form.update()
        errors = self.model.errors
        general = [m for k, m in errors.items() if ":" not in k]
        self._errors.param.update(object=" ".join(general), visible=bool(general))

    def _render_mode(self) -> None:
        mode = self.model.mode
        self._start.visible = mode in ("schedule", "spaced")
        self._start.label = f"Publish at ({self.session.timezone})"
        self._spacing.visible = mode == "spaced"
        self._publish.label = {"now": "Publish now", "schedule": "Schedule", "spaced": "Schedule spread out",
                               "draft": "Save as drafts in Postiz"}[mode]

    def _render_outbox(self) -> None:
        model = self.model
        rows = []
        for pub in model.outbox_rows:
            state = post_state(pub)
            rows.append({
                "created": self.session.local_time(pub.created_at),
                "clip": model.clip_names.get(pub.clip_id, "(deleted clip)"),
                "channel": model.channel_label(pub), "state": state,
                "when": self.session.local_time(pub.scheduled_at) if pub.scheduled_at else "now",
                "attempts": pub.attempts, "next_try": _next_try(self.session, pub), "reason": pub.last_error or "",
                "id": pub.id,
                # A refused post, or one waiting for its next try, can be sent now; the outbox sends the rest itself.
                "retry": _RETRY_NOW if pub.status in (outbox.FAILED, outbox.RETRYING) else "",
                # Only a post no create request has left for yet can be cancelled: the others may be on Postiz.
                "cancel": _CANCEL if pub.is_open and pub.first_sent_at is None else "",
            })
        titles = _outbox_titles(self.session.timezone)
        if self._outbox.titles != titles:
            self._outbox.titles = titles
        self._start.label = f"Publish at ({self.session.timezone})"
        show_frame(self._outbox, pd.DataFrame(rows, columns=_OUTBOX_COLUMNS))
        first = model.outbox_offset + 1 if rows else 0
        self._outbox_count.object = (f"{first}–{model.outbox_offset + len(rows)} of {model.outbox_total} post(s)"
                                     if rows else "No posts yet.")
        self._newer.disabled = model.outbox_offset == 0
        self._older.disabled = model.outbox_offset + len(rows) >= model.outbox_total

    # -- widgets -> model -----------------------------------------------------------------------

    def _remove_clip(self, clip_id: str) -> None:
        self.session.publish_clips = [c for c in self.session.publish_clips if c != clip_id]

    async def _channels_now(self) -> None:
        await self.model.reload_channels()

    async def suggest_caption(self) -> None:
        """Fill each chosen channel's caption and title from the first clip's brief (the model or templates)."""
        model = self.model
        if not model.clips or not model.chosen:
            self.session.notify("Choose a clip and tick at least one channel first.", "warning")
            return
        platforms = {c: info.platform for c in model.chosen if (info := model.channel(c)) is not None}
        profile = self.session.require_profile()
        if self._suggesting is not None:  # one suggestion at a time
            return
        self._suggesting = cancel = threading.Event()
        self._suggest.disabled, self._suggest_cancel.visible = True, True
        try:
            found = await self.session.call(_suggest_unless_cancelled, profile, model.clips[0]["id"],
                                            sorted(set(platforms.values())), cancel)
        finally:
            self._suggesting = None
            self._suggest.disabled, self._suggest_cancel.visible = False, False
        if found is FAILED or found is None or cancel.is_set():
            return
        if not found.ok:
            self.session.notify(found.problem, "warning")
            return
        captions, titles = dict(model.captions), dict(model.titles)
        for channel_id, platform in platforms.items():
            copy = found.copies[platform]
            captions[channel_id], titles[channel_id] = copy.caption, copy.title or ""
            form = self._channel_forms.get(channel_id)
            if form is not None:  # the widgets show it; their watchers follow typing only
                form.caption.value, form.title.value = copy.caption, copy.title or ""
        model.param.update(captions=captions, titles=titles)
        source = "templates" if found.source == "templates" else found.source
        self.session.notify(f"Captions suggested for {len(platforms)} channel(s) ({source}); edit them as you like.",
                            "success")

    def cancel_suggestion(self) -> None:
        """Stop the model's caption suggestion; the captions already in the form stay as they are."""
        if self._suggesting is not None:
            self._suggesting.set()
            self.session.notify("Suggestion cancelled; the captions were not changed.", "info")

    def _submit(self, confirmed: bool = False) -> None:
        self._repost_dialog.open = False
        if not confirmed and not self.model.validate():
            # A clip already posted (or on its way) to a ticked channel: ask before a second post there.
            earlier = self.session.attempt(self.model.earlier_posts)
            if earlier is FAILED:
                return
            if earlier:
                self._repost_text.object = "\n".join(f"- {html.escape(line, quote=False)}" for line in earlier)
                self._repost_dialog.open = True
                return
        job_id = self.session.attempt(self.model.submit)
        if job_id is not FAILED:
            self.session.notify("Publishing started; follow it below and in the outbox.", "info")
            self.spawn(self.model.reload_outbox)

    def _ask_status(self) -> None:
        job_id = self.session.attempt(self.model.refresh_status)
        if job_id is None:
            self.session.notify("The status is being refreshed already.", "info")
        elif job_id is not FAILED:
            self.session.notify("Asking Postiz how the posts stand…", "info")

    def _on_outbox_click(self, event) -> None:
        if event.column not in ("retry", "cancel"):
            return
        pub_id = self._outbox.value.iloc[event.row]["id"]
        if event.column == "cancel":
            if self.session.attempt(self.model.cancel, pub_id) is not FAILED:
                self.session.notify("The post was cancelled; it is not sent.", "info")
        elif self.session.attempt(self.model.retry, pub_id) is not FAILED:
            self.session.notify("The post is being sent again.", "info")
        self.spawn(self.model.reload_outbox)

    def _page_outbox(self, step: int) -> None:
        self.model.outbox_offset = max(0, self.model.outbox_offset + step)
        self.spawn(self.model.reload_outbox)

    # -- page -------------------------------------------------------------------------------------

    async def refresh(self) -> None:
        await self.model.refresh()

    async def poll(self) -> None:
        await self.model.poll()

    def __panel__(self):
        form = pn.Column(
            pn.Row(self._suggest, self._suggest_cancel), self._caption, self._title,
            pn.Row(pmui.Typography("Channels", variant="h6"), self._reload_channels, align="center"), self._channels,
            self._mode,
            pn.Row(self._start, self._spacing), self._errors, self._publish,
            pmui.Typography("Captions longer than a channel takes are refused here; the limit leaves room for an "
                            "invisible marker that keeps a retry from posting twice.", variant="caption"),
            sizing_mode="stretch_width",
        )
        outbox = pn.Column(
            pn.Row(pmui.Typography("Outbox", variant="h6"), self._refresh_status, self._outbox_count, self._newer,
                   self._older, align="center"),
            self._outbox, sizing_mode="stretch_width",
        )
        return pn.Column(
            pmui.Typography("Publish", variant="h5"), pn.Row(self._setup, self._to_settings, align="center"),
            pmui.Typography("Clips", variant="h6"), self._clips, form, self._jobs, outbox, self._repost_dialog,
            sizing_mode="stretch_width",
        )
