"""Paging, sorting and search shared by every list a page shows: one way to ask, one way to refuse.

Each listed thing has a ``list_…(…, offset=, limit=)`` and a ``count_…(…)`` with the same filters,
so a page can show "41–60 of 100 000" without ever loading everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from editfactory.core.errors import ValidationError

T = TypeVar("T")

MAX_PAGE_SIZE = 10_000
MAX_SEARCH_CHARS = 200


def check_paging(offset: int, limit: int | None, *, max_limit: int = MAX_PAGE_SIZE) -> tuple[int, int | None]:
    """``offset`` and ``limit`` as ints (``limit`` None means all), or a ValidationError saying what to pass."""
    try:
        offset = int(offset)
        limit = None if limit is None else int(limit)
    except (TypeError, ValueError):
        raise ValidationError("Paging needs whole numbers: offset 0 or more, limit 1 or more.") from None
    if offset < 0:
        raise ValidationError(f"The page offset must be 0 or more (got {offset}).")
    if limit is not None and not 1 <= limit <= max_limit:
        raise ValidationError(f"Show between 1 and {max_limit} items per page (got {limit}).")
    return offset, limit


def limit_clause(offset: int, limit: int | None) -> tuple[str, list[int]]:
    """`` LIMIT ? OFFSET ?`` and its parameters (just the offset when there is no limit)."""
    offset, limit = check_paging(offset, limit)
    if limit is None:
        return " OFFSET ?", [offset]
    return " LIMIT ? OFFSET ?", [limit, offset]


def like_pattern(search: str) -> str:
    """An ``ILIKE … ESCAPE '\\'`` pattern that finds ``search`` literally anywhere (``%`` and ``_`` are not wildcards)."""
    search = str(search)
    if len(search) > MAX_SEARCH_CHARS:
        raise ValidationError(f"Search for at most {MAX_SEARCH_CHARS} characters.")
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def order_by(sort: str, choices: dict[str, str], what: str) -> str:
    """The ORDER BY expression for a sort name the caller offers, or a ValidationError listing the choices."""
    try:
        return choices[sort]
    except (KeyError, TypeError):
        raise ValidationError(f"Unknown sort {sort!r} for {what}; use one of: {', '.join(choices)}.") from None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    offset: int
    limit: int | None

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def label(self) -> str:
        """'41–60 of 100,000' (or 'None' when the list is empty)."""
        if not self.items:
            return "None" if self.total == 0 else f"0 of {self.total:,}"
        return f"{self.offset + 1:,}–{self.offset + len(self.items):,} of {self.total:,}"
