"""Job kinds are listed in one place, editfactory.jobs.registry, and each entry names a real job function."""

from __future__ import annotations

import inspect
from pathlib import Path

import editfactory
from editfactory.jobs import STANDARD_KINDS, registered_job

PACKAGE = Path(editfactory.__file__).resolve().parent


def test_every_listed_kind_names_a_job_function_taking_profile_and_context():
    for kind in STANDARD_KINDS:
        function = registered_job(kind)
        assert callable(function), kind
        assert list(inspect.signature(function).parameters) == ["profile", "ctx"], kind


def test_no_module_registers_a_kind_anywhere_else():
    """``@job_kind`` is for tests and plug-ins; the package's own kinds are only in the registry's list."""
    elsewhere = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if path.name != "registry.py" and "@job_kind(" in path.read_text(encoding="utf-8")]
    assert elsewhere == []


def test_an_unknown_kind_is_none_so_the_runner_can_say_what_to_do():
    assert registered_job("no_such_kind") is None
