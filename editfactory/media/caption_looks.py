"""Caption looks: named starting points for a caption style that a viewer tells apart at a glance.

A look is a whole :class:`CaptionStyle` (font, colours, box or outline, words per cue, position, animation);
choosing one in Settings fills the form, which the user may then change. A profile stores the resulting style;
a project may name another look (:func:`style_for`).
"""

from __future__ import annotations

from dataclasses import replace

from editfactory.core.errors import ValidationError
from editfactory.media.captions import CaptionStyle

LOOKS: dict[str, CaptionStyle] = {
    # White letters, a thin black outline, three words at a time: reads on any footage, draws no attention.
    "clean": CaptionStyle(font="Inter", size=76, outline=4.0, highlight_current_word=False, look="clean"),
    # White condensed capitals on a solid black box: the "news ticker" look, readable over busy footage.
    "bold-box": CaptionStyle(font="Roboto Condensed", size=80, outline=14.0, box=True, highlight_current_word=False,
                             uppercase=True, look="bold-box"),
    # The spoken word turns yellow as the voice says it.
    "karaoke": CaptionStyle(font="Noto Sans", size=84, outline=6.0, highlight_color="#FFD400", uppercase=True,
                            highlight_current_word=True, look="karaoke"),
    # One word at a time, springing in as it is spoken, in a green accent.
    "word-pop": CaptionStyle(font="League Spartan", size=130, outline=7.0, primary_color="#FFFFFF",
                             highlight_color="#3DFF8B", highlight_current_word=True, max_words_per_cue=1,
                             animation="pop", vertical_position=0.68, look="word-pop"),
    # Small, left-aligned text on a dark translucent band near the bottom: documentary style.
    "lower-third": CaptionStyle(font="Open Sans", size=50, bold=False, outline=10.0, box=True, box_opacity=0.6,
                                outline_color="#101010", highlight_current_word=False, max_words_per_cue=6,
                                max_chars_per_cue=32, align="left", vertical_position=0.95, look="lower-third"),
    # One huge condensed word in the middle of the frame, in yellow.
    "punch": CaptionStyle(font="Bebas Neue", size=220, primary_color="#FFE14D", outline=8.0, bold=False,
                          highlight_current_word=False, max_words_per_cue=1, uppercase=True,
                          vertical_position=0.56, animation="pop", look="punch"),
}
DEFAULT_LOOK = "karaoke"


def get_look(name: str) -> CaptionStyle:
    """The style of look ``name``; a ValidationError lists the looks when the name is unknown."""
    try:
        return LOOKS[name]
    except KeyError:
        raise ValidationError(f"Unknown caption look {name!r}; choose one of: {', '.join(LOOKS)}.") from None


def style_for(profile_style: CaptionStyle, project_look: str | None) -> CaptionStyle:
    """The style a project's clips get: the profile's, or the look the project chose instead."""
    if not project_look or project_look == profile_style.look:
        return profile_style
    return replace(get_look(project_look))
