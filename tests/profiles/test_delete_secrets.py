"""Deleting a profile also removes its API keys from the OS keyring (files go with the folder)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

import editfactory.tts.registry  # noqa: F401  (registering the voice providers declares their keys' names)
from editfactory import secrets
from editfactory.secrets import SecretStoreError, get_secret, set_secret


class MemoryKeyring(KeyringBackend):
    """A real keyring backend kept in memory, so tests never touch the machine's keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if self.locked:
            raise RuntimeError("keyring is locked")
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


@pytest.fixture
def memory_keyring(monkeypatch):
    monkeypatch.delenv(secrets.BACKEND_ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        assert secrets.backend_name() == "keyring"
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_deleting_a_profile_removes_its_keys_from_the_keyring(workspace, memory_keyring):
    a, b = workspace.create("Store A"), workspace.create("Store B")
    for profile, tag in ((a, "alpha"), (b, "bravo")):
        set_secret(profile, "postiz.api_key", f"{tag}-postiz-key-0123456789")
        set_secret(profile, "elevenlabs.api_key", f"{tag}-eleven-key-0123456789")
    set_secret(a, "custom.token", "alpha-custom-token-0123")
    (a.paths.secrets / secrets.NAMES_FILE).unlink()  # a lost list of names still leaves no well-known key behind
    set_secret(a, "custom.token", "alpha-custom-token-0123")  # (listed again)
    workspace.delete(a.id)
    assert [service for service, _ in memory_keyring.entries] == [f"editfactory:{b.id}"] * 2
    assert get_secret(b, "postiz.api_key") == "bravo-postiz-key-0123456789"


def test_a_keyring_that_refuses_keeps_the_profile(workspace, memory_keyring):
    a, _ = workspace.create("Store A"), workspace.create("Store B")
    set_secret(a, "postiz.api_key", "alpha-postiz-key-0123456789")
    memory_keyring.locked = True
    with pytest.raises(SecretStoreError, match="unlock it and delete the profile again") as caught:
        workspace.delete(a.id)
    assert "alpha-postiz-key" not in str(caught.value)
    assert workspace.get(a.id).name == "Store A"
    memory_keyring.locked = False
    workspace.delete(a.id)
    assert memory_keyring.entries == {}
