"""Deleting a profile also removes its API keys from the OS keyring (files go with the folder)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

import editfactory.tts.registry  # noqa: F401  (registering the voice providers declares their keys' names)
from editfactory.storage import secrets
from editfactory.storage.secrets import SecretStoreError, get_secret, set_secret


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
    # Not keyring.get_keyring(): when nothing chose a backend yet, keyring picks the best subclass of
    # KeyringBackend it knows, which is MemoryKeyring itself, and that would then outlive the test.
    previous = keyring.core._keyring_backend
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        assert secrets.backend_name() == "keyring"
        yield backend
    finally:
        keyring.core._keyring_backend = previous


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


def test_doctor_lists_and_removes_keys_of_a_profile_folder_deleted_by_hand(workspace, memory_keyring):
    """Deleting a profile's folder by hand left its keys in the OS keyring for good, and nothing said so."""
    import shutil

    from editfactory.ops import doctor

    a, b = workspace.create("Store A"), workspace.create("Store B")
    for profile, tag in ((a, "alpha"), (b, "bravo")):
        set_secret(profile, "postiz.api_key", f"{tag}-postiz-key-0123456789")
        set_secret(profile, "elevenlabs.api_key", f"{tag}-eleven-key-0123456789")
    findings = doctor.check_orphaned_secrets(workspace.root)
    assert [(f.name, f.state) for f in findings] == [("keyring", doctor.OK)]
    shutil.rmtree(a.folder)  # by hand, not through the studio
    lines: list[str] = []
    assert doctor.report(workspace.root, echo=lines.append)  # a warning, not a failure
    shown = "\n".join(lines)
    assert f"{a.id}" in shown and "elevenlabs.api_key, postiz.api_key" in shown and "folder no longer exists" in shown
    assert "invoke doctor --remove-orphaned-secrets" in shown and b.id not in shown
    assert "alpha-" not in shown  # names only, never values
    assert len(memory_keyring.entries) == 4  # listing changes nothing

    removed = doctor.check_orphaned_secrets(workspace.root, remove=True)
    assert [(f.name, f.state) for f in removed] == [(a.id, doctor.OK)] and "removed" in removed[0].detail
    assert sorted(memory_keyring.entries) == [(f"editfactory:{b.id}", "elevenlabs.api_key"),
                                              (f"editfactory:{b.id}", "postiz.api_key")]
    assert get_secret(b, "postiz.api_key") == "bravo-postiz-key-0123456789"
    assert [(f.name, f.state) for f in doctor.check_orphaned_secrets(workspace.root)] == [("keyring", doctor.OK)]


def test_keys_saved_before_the_index_existed_are_listed_once_read(workspace, memory_keyring):
    import shutil

    from editfactory.ops import doctor

    a = workspace.create("Store A")
    memory_keyring.set_password(f"editfactory:{a.id}", "postiz.api_key", "old-version-key-0123456789")
    secrets._indexed.clear()
    assert get_secret(a, "postiz.api_key") == "old-version-key-0123456789"  # the studio or a notebook reads it
    shutil.rmtree(a.folder)
    assert [f.name for f in doctor.check_orphaned_secrets(workspace.root)] == [a.id]
