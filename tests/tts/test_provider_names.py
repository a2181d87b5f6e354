"""No code outside a voice provider's own module names the provider: everything else reads its description.

Parses every module of the package and looks at its string literals (comments and prose do not count): a
literal that is a provider's name (``"xtts"``), or starts with it (``"elevenlabs.api_key"``), outside that
provider's module is a special case that a new provider would silently miss.
"""

from __future__ import annotations

import ast
from pathlib import Path

import editfactory
from editfactory.tts.registry import PROVIDERS

PACKAGE = Path(editfactory.__file__).parent
NAMES = {"elevenlabs", "piper", "edge", "xtts", "kokoro"} | set(PROVIDERS)
"""The built-in providers by name (listed here too, so the rule holds even for one taken out of the registry)."""


def _own_module(name: str) -> str | None:
    cls = PROVIDERS.get(name)
    return cls.__module__ if cls is not None else f"editfactory.tts.{name}_provider"


def _names_in(literal: str) -> set[str]:
    value = literal.strip().lower()
    return {name for name in NAMES if value == name or value.startswith((f"{name}.", f"{name}:"))}


def _not_a_name(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """numpy's ``mode="edge"`` (padding) is not the Edge provider."""
    parent = parents.get(node)
    return isinstance(parent, ast.keyword) and parent.arg == "mode"


def provider_name_literals() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = "editfactory." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or _not_a_name(node, parents):
                continue
            for name in _names_in(node.value):
                if module != _own_module(name):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    return sorted(found)


def test_no_provider_is_named_outside_its_own_module():
    assert provider_name_literals() == [], "read the provider's description (VoiceProvider's class attributes) instead"


def test_the_check_finds_a_provider_name(tmp_path, monkeypatch):
    """The check is not vacuous: a comparison with a provider's name in some other module is reported."""
    package = tmp_path / "editfactory"
    (package / "ui").mkdir(parents=True)
    (package / "ui" / "page.py").write_text('def f(row):\n    return row["provider"] == "xtts"\n'
                                            'KEY = "elevenlabs.api_key"\nPAD = dict(mode="edge")\n')
    (package / "tts").mkdir()
    (package / "tts" / "xtts_provider.py").write_text('name = "xtts"\n')
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    assert provider_name_literals() == ["editfactory/ui/page.py:2: 'xtts'", "editfactory/ui/page.py:3: 'elevenlabs.api_key'"]
