"""Shows the session's notices as notifications, so every error says what happened and what to do."""

from __future__ import annotations

import panel as pn

from editfactory.models.session import StudioSession

_DURATION_MS = {"error": 12_000, "warning": 8_000, "success": 4_000, "info": 4_000}


def follow_notices(session: StudioSession) -> None:
    """Show each notice the session raises as a toast (on the session's own document)."""

    def show(event) -> None:
        notice = event.new
        if not notice or pn.state.notifications is None:
            return
        level = notice.get("level", "info")
        send = getattr(pn.state.notifications, level, pn.state.notifications.info)
        send(notice["message"], duration=_DURATION_MS.get(level, 4_000))

    session.param.watch(show, "notice")
