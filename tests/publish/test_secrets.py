"""The secret store (editfactory/storage/secrets.py): file backend details, per-profile isolation, masking, keyring choice."""

from __future__ import annotations

import stat

import pytest

from editfactory.core.errors import ValidationError
from editfactory.storage import secrets
from editfactory.storage.secrets import backend_name, delete_secret, get_secret, mask, secret_names, set_secret


def test_file_backend_is_owner_only_and_per_profile(workspace):
    a, b = workspace.create("Store A"), workspace.create("Store B")
    assert backend_name() == "file"
    set_secret(a, "postiz.api_key", "alpha-secret-value-1")
    set_secret(b, "postiz.api_key", "bravo-secret-value-2")
    assert get_secret(a, "postiz.api_key") == "alpha-secret-value-1"
    assert get_secret(b, "postiz.api_key") == "bravo-secret-value-2"
    path = a.paths.secrets / secrets.SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(a.paths.secrets.stat().st_mode) == 0o700
    assert secret_names(a) == ["postiz.api_key"]
    delete_secret(a, "postiz.api_key")
    assert get_secret(a, "postiz.api_key") is None and get_secret(b, "postiz.api_key") is not None
    set_secret(b, "postiz.api_key", "")  # empty deletes
    assert get_secret(b, "postiz.api_key") is None
    assert not list(a.paths.secrets.glob(".*.tmp"))


def test_bad_names_and_unreadable_file(workspace):
    profile = workspace.create("S")
    with pytest.raises(ValidationError, match="without slashes"):
        set_secret(profile, "../escape", "value")
    profile.paths.secrets.mkdir(parents=True, exist_ok=True)
    (profile.paths.secrets / secrets.SECRETS_FILE).write_text("{not json")
    with pytest.raises(secrets.SecretStoreError, match="delete it and enter the keys again"):
        get_secret(profile, "postiz.api_key")


def test_mask_shows_at_most_the_last_four():
    assert mask(None) == "" and mask("") == ""
    assert mask("short") == "••••••••"
    assert mask("sk-abcdefghijklmnop") == "••••••••mnop"


def test_unusable_keyrings_fall_back_to_file(monkeypatch):
    import keyring
    from keyring.backends import chainer, fail, null

    monkeypatch.delenv(secrets.BACKEND_ENV_VAR)
    for backend in (fail.Keyring(), null.Keyring()):
        monkeypatch.setattr(keyring, "get_keyring", lambda backend=backend: backend)
        assert backend_name() == "file"
    empty_chain = chainer.ChainerBackend()
    monkeypatch.setattr(type(empty_chain), "backends", property(lambda self: []))
    monkeypatch.setattr(keyring, "get_keyring", lambda: empty_chain)
    assert backend_name() == "file"


def test_keyring_backend_when_usable(workspace, monkeypatch):
    """With a working keyring the value goes there, not into the profile folder (an in-memory keyring here)."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username))

    memory = MemoryKeyring()
    monkeypatch.delenv(secrets.BACKEND_ENV_VAR)
    monkeypatch.setattr(keyring, "get_keyring", lambda: memory)
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    monkeypatch.setattr(keyring, "set_password", memory.set_password)
    monkeypatch.setattr(keyring, "delete_password", memory.delete_password)
    a, b = workspace.create("Store A"), workspace.create("Store B")
    set_secret(a, "postiz.api_key", "keyring-held-value-1")
    assert backend_name() == "keyring"
    assert memory.store == {(f"editfactory:{a.id}", "postiz.api_key"): "keyring-held-value-1"}
    assert get_secret(a, "postiz.api_key") == "keyring-held-value-1" and get_secret(b, "postiz.api_key") is None
    assert secret_names(a) == ["postiz.api_key"]
    assert all(b"keyring-held-value-1" not in f.read_bytes() for f in a.folder.rglob("*") if f.is_file())
    delete_secret(a, "postiz.api_key")
    assert memory.store == {} and secret_names(a) == []
