"""Costs are shown with enough digits to read them: $0.07, $0.0042, $0.00001 — never '$0.' (issue 21, point 4)."""

from __future__ import annotations

import pytest

from editfactory.tts.base import price_label
from editfactory.ui.library import cost_text


@pytest.mark.parametrize(("cost", "label"), [
    (0.0, "Free"), (0.07, "$0.07"), (1.5, "$1.50"), (0.0042, "$0.0042"), (0.00426, "$0.0043"), (0.004, "$0.004"),
    (0.00003, "$0.00003"), (0.00001, "$0.00001"), (0.0000004, "under $0.000001"),
])
def test_small_costs_keep_their_digits(cost, label):
    assert price_label(cost) == label
    assert cost_text(cost) == label  # the Library's cost column says the same


def test_a_clip_without_a_cost_is_free():
    assert cost_text(None) == "Free"
