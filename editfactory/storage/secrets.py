"""Per-profile secrets (API keys): the OS keyring when a usable one exists, else an owner-only file.

Secrets never go into the profile's DuckDB file, never into logs and never into
exports by default. With the keyring backend the values live in the OS keyring
under a service name that contains the profile id; the profile folder then only
holds the list of secret *names* (so an export that asks for secrets can find
them). Without a usable keyring, values live in ``<profile>/secrets/secrets.json``
created with mode 0600 inside a 0700 folder.

Set ``EDITFACTORY_SECRETS_BACKEND=file`` (tests do) to never touch a keyring.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import threading
import unicodedata
import uuid
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from editfactory.core.errors import EditFactoryError, ValidationError

if TYPE_CHECKING:  # secrets sit below profiles (the workspace forgets a deleted profile's keys)
    from editfactory.profiles.profile import Profile

log = logging.getLogger(__name__)

BACKEND_ENV_VAR = "EDITFACTORY_SECRETS_BACKEND"
SECRETS_FILE = "secrets.json"
NAMES_FILE = "names.json"
_SERVICE_PREFIX = "editfactory"
_file_lock = threading.Lock()


class SecretStoreError(EditFactoryError):
    """The secret store could not be read or written; the message says where and what to check."""


def _keyring_module():
    """The keyring module when its active backend can really store secrets, else None."""
    if os.environ.get(BACKEND_ENV_VAR, "").strip().lower() == "file":
        return None
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except Exception:  # keyring missing or broken: the file backend still works
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    if getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def backend_name() -> str:
    """'keyring' or 'file': where secrets of every profile go in this process."""
    return "keyring" if _keyring_module() is not None else "file"


def _service(profile: Profile) -> str:
    return f"{_SERVICE_PREFIX}:{profile.id}"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 100 or any(c in name for c in "/\\\0"):
        raise ValidationError("A secret name must be short text without slashes, e.g. 'postiz.api_key'.")
    return name


# -- what a key may contain -------------------------------------------------------

_SERVICES = {"postiz": "Postiz"}
"""How messages name the service of a secret, by the first part of its name. Voice providers declare their keys
when they are registered (``editfactory.tts.registry``), so this module names none of them."""
_DECLARED = {"postiz.api_key"}
"""The well-known secret names: removed from the keyring with a profile even when its list of names is lost."""


def declare_secret(name: str, service: str) -> None:
    """Make ``name`` a well-known secret whose messages call it ``service``'s key (e.g. a voice provider's key)."""
    _SERVICES[_check_name(name).split(".")[0]] = service
    _DECLARED.add(name)


def service_label(name: str) -> str:
    """'Postiz' for 'postiz.api_key': how messages name the service a secret belongs to."""
    prefix = name.split(".")[0]
    return _SERVICES.get(prefix, prefix.capitalize())


def api_key_problem(value: str) -> str | None:
    """Why ``value`` cannot be an API key, or None. Never quotes the value, only names the bad character.

    Keys travel in HTTP headers, which carry ASCII only; a pasted '…', zero-width
    space or look-alike letter from another alphabet would otherwise fail (with
    the key inside the error) on every later request.
    """
    for position, ch in enumerate(value, start=1):
        if "!" <= ch <= "~":
            continue
        if ch == " ":
            what = "a space"
        elif ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            what = f"an invisible character (U+{ord(ch):04X} {unicodedata.name(ch, 'control character')})"
        else:
            what = f"a non-ASCII character (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
        return f"contains {what} at position {position} of {len(value)}"
    return None


def check_api_key(value: str, service: str) -> str:
    """``value`` without surrounding whitespace, or a ValidationError that says what is wrong (without the key)."""
    value = (value or "").strip()
    problem = api_key_problem(value)
    if problem:
        raise ValidationError(
            f"The {service} API key {problem}; API keys are plain ASCII, so it was probably copied with an extra "
            f"character. Copy the key again from {service} (or type it) and save it; nothing was saved.")
    return value


REDACT_RUN = 8
"""Runs of this many characters of a key (in any of its forms) are redacted: a prefix or a slice gives it away too."""


def _key_forms(value: str) -> set[str]:
    """The ways a server or proxy may echo ``value``: as is, URL-, HTML- and JSON-escaped, and base64-encoded.

    Case is handled by the caller (matching ignores it). For base64 the key may sit at any of three byte
    offsets in what was encoded ("Authorization: <key>"), so each alignment is taken, without the edge
    characters that depend on the bytes around the key.
    """
    json_form = json.dumps(value)[1:-1]
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), html.escape(value),
             html.escape(value, quote=False), value.replace('"', "&#34;").replace("'", "&#39;"),
             json_form, json_form.replace("/", "\\/"), json.dumps(value, ensure_ascii=True)[1:-1]}
    raw = value.encode("utf-8", "replace")
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
            forms.add(encoded[4 if offset else 0:len(encoded) - 4 if len(encoded) > 8 else len(encoded)])
    return {form for form in forms if len(form) >= REDACT_RUN}


def _fold(text: str) -> str:
    """``text`` lower-cased one character at a time, so positions stay those of ``text``."""
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def redact(text: str, *secret_values: str | None) -> str:
    """``text`` with every run of 8 or more characters of a secret replaced by '[redacted]'.

    Every form a server may echo counts (as is, URL-encoded, HTML-escaped, JSON-escaped with or without
    ``\\/``, base64), in any letter case, and so does any slice of it: the first 12 characters of a key are
    as much of a leak as the key. Secrets shorter than 8 characters are redacted whole.
    """
    windows: set[str] = set()
    short: set[str] = set()
    for value in secret_values:
        if not value or len(value) < 4:
            continue
        if len(value) < REDACT_RUN:
            short.add(value)
        for form in _key_forms(value):
            form = _fold(form)
            windows.update(form[i:i + REDACT_RUN] for i in range(len(form) - REDACT_RUN + 1))
    for value in short:
        text = text.replace(value, "[redacted]")
    if not windows or len(text) < REDACT_RUN:
        return text
    folded = _fold(text)
    hidden = bytearray(len(text))
    for i in range(len(text) - REDACT_RUN + 1):
        if folded[i:i + REDACT_RUN] in windows:
            hidden[i:i + REDACT_RUN] = b"\1" * REDACT_RUN
    if not any(hidden):
        return text
    out, i = [], 0
    while i < len(text):
        if hidden[i]:
            while i < len(text) and hidden[i]:
                i += 1
            out.append("[redacted]")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# -- owner-only JSON files in the profile folder ---------------------------------


def _secure_folder(profile: Profile) -> Path:
    folder = profile.paths.secrets
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise SecretStoreError(
            f"The secret file {path} cannot be read ({type(error).__name__}). "
            "Check its permissions, or delete it and enter the keys again."
        ) from None
    return data if isinstance(data, dict) else {}


def _write_json_owner_only(path: Path, data: dict) -> None:
    """Write atomically; the file is created 0600 so it is never readable by others, not even briefly."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _update_file(profile: Profile, filename: str, change) -> None:
    with _file_lock:
        path = _secure_folder(profile) / filename
        data = _read_json(path)
        change(data)
        _write_json_owner_only(path, data)


# -- public API --------------------------------------------------------------------


def get_secret(profile: Profile, name: str) -> str | None:
    """The secret's value, or None when it was never set for this profile."""
    name = _check_name(name)
    keyring = _keyring_module()
    if keyring is not None:
        try:
            value = keyring.get_password(_service(profile), name)
        except Exception as error:
            raise SecretStoreError(
                f"The OS keyring could not be read ({type(error).__name__}); unlock it and try again."
            ) from None
        if value is not None:
            if (profile.id, name) not in _indexed:  # saved by a version that kept no index: listed from now on
                _index(profile.folder.parent, profile.id, add=name)
            return value
    # Also looked at with a keyring: a value saved before the keyring became usable stays reachable.
    value = _read_json(profile.paths.secrets / SECRETS_FILE).get(name)
    return value if isinstance(value, str) else None


def set_secret(profile: Profile, name: str, value: str) -> None:
    """Store ``value`` for this profile only; an empty value deletes the secret.

    Every secret is an API key sent in HTTP headers: surrounding whitespace is
    dropped and a value with a non-ASCII or invisible character is refused.
    """
    name = _check_name(name)
    if value is None or value == "":
        delete_secret(profile, name)
        return
    if not isinstance(value, str):
        raise ValidationError("A secret must be text.")
    value = check_api_key(value, service_label(name))
    if not value:
        delete_secret(profile, name)
        return
    keyring = _keyring_module()
    if keyring is not None:
        try:
            keyring.set_password(_service(profile), name, value)
        except Exception as error:
            raise SecretStoreError(
                f"The OS keyring refused to store the secret ({type(error).__name__}); unlock it and try again."
            ) from None
        _update_file(profile, NAMES_FILE, lambda names: names.__setitem__(name, True))
        _update_file(profile, SECRETS_FILE, lambda data: data.pop(name, None))
        _index(profile.folder.parent, profile.id, add=name)
    else:
        _update_file(profile, SECRETS_FILE, lambda data: data.__setitem__(name, value))
    log.debug("Secret %r saved for profile %s (%s backend)", name, profile.id, backend_name())


def delete_secret(profile: Profile, name: str) -> None:
    """Forget the secret for this profile (no error when it was not set)."""
    name = _check_name(name)
    keyring = _keyring_module()
    if keyring is not None:
        try:
            keyring.delete_password(_service(profile), name)
        except Exception:  # PasswordDeleteError when absent: nothing to delete
            pass
        _index(profile.folder.parent, profile.id, remove=name)
    if profile.paths.secrets.exists():
        _update_file(profile, SECRETS_FILE, lambda data: data.pop(name, None))
        _update_file(profile, NAMES_FILE, lambda names: names.pop(name, None))


def secret_names(profile: Profile) -> list[str]:
    """Names of the secrets this profile has (never their values)."""
    names = set(_read_json(profile.paths.secrets / NAMES_FILE))
    names.update(_read_json(profile.paths.secrets / SECRETS_FILE))
    return sorted(n for n in names if get_secret(profile, n) is not None)


def forget_profile_secrets(profile_id: str, secrets_folder: Path) -> None:
    """Remove a profile's keys from the OS keyring before the profile is deleted (its files go with its folder).

    Names come from the profile's list and the well-known keys, so a lost list still leaves no key behind.
    Raises :class:`SecretStoreError` when the keyring refuses, so the profile is not deleted half-way.
    """
    keyring = _keyring_module()
    if keyring is None:
        return
    names = set(_DECLARED)
    for filename in (NAMES_FILE, SECRETS_FILE):
        try:
            names.update(_read_json(Path(secrets_folder) / filename))
        except SecretStoreError:
            pass  # unreadable list: the well-known names are still removed
    _forget_in_keyring(keyring, profile_id, names)
    _index(Path(secrets_folder).parent.parent, profile_id, drop=True)


def _forget_in_keyring(keyring, profile_id: str, names) -> None:
    from keyring.errors import PasswordDeleteError

    for name in sorted(names):
        try:
            keyring.delete_password(f"{_SERVICE_PREFIX}:{profile_id}", name)
        except PasswordDeleteError:
            pass  # never stored in the keyring
        except Exception as error:
            raise SecretStoreError(
                f"The OS keyring could not remove this profile's keys ({type(error).__name__}); "
                "unlock it and delete the profile again."
            ) from None


# -- keys of profiles whose folder is gone -----------------------------------------------
# A keyring cannot be listed portably, so the workspace keeps an index of which profile has which key
# names in it (names only, never values). A profile folder deleted by hand leaves its keys behind;
# `invoke doctor` lists them from this index and can remove them.

INDEX_FILE = ".keyring-index.json"
_indexed: set[tuple[str, str]] = set()


def _index(workspace_root: Path, profile_id: str, *, add: str | None = None, remove: str | None = None,
           drop: bool = False) -> None:
    path = Path(workspace_root) / INDEX_FILE
    try:
        with _file_lock:
            try:
                data = _read_json(path)
            except SecretStoreError:
                data = {}
            names = set(data.get(profile_id) or [])
            if add:
                names.add(add)
                _indexed.add((profile_id, add))
            if remove:
                names.discard(remove)
                _indexed.discard((profile_id, remove))
            if drop or not names:
                data.pop(profile_id, None)
            else:
                data[profile_id] = sorted(names)
            _write_json_owner_only(path, data)
    except OSError as error:  # the index only serves the doctor: never fail a save for it
        log.warning("Could not update the keyring index in %s: %s", workspace_root, type(error).__name__)


def _profile_ids(workspace_root: Path) -> set[str]:
    """Ids of the profiles whose folder is in the workspace (read from each folder's profile.json)."""
    ids = set()
    for meta in Path(workspace_root).glob("*/profile.json"):
        try:
            ids.add(str(json.loads(meta.read_text(encoding="utf-8")).get("id")))
        except (OSError, ValueError, AttributeError):
            continue
    return ids


def orphaned_secrets(workspace_root: Path) -> dict[str, list[str]]:
    """Profile id → key names the OS keyring holds for profiles whose folder no longer exists (never values)."""
    keyring = _keyring_module()
    if keyring is None:
        return {}
    try:
        data = _read_json(Path(workspace_root) / INDEX_FILE)
    except SecretStoreError:
        return {}
    present = _profile_ids(workspace_root)
    found = {}
    for profile_id, names in data.items():
        if profile_id in present or not isinstance(names, list):
            continue
        held = []
        for name in names:
            try:
                if keyring.get_password(f"{_SERVICE_PREFIX}:{profile_id}", str(name)) is not None:
                    held.append(str(name))
            except Exception:  # a locked keyring: still listed, removing says what to do
                held.append(str(name))
        if held:
            found[profile_id] = held
    return found


def remove_orphaned_secrets(workspace_root: Path) -> dict[str, list[str]]:
    """Remove from the OS keyring the keys :func:`orphaned_secrets` lists; returns what was removed."""
    keyring = _keyring_module()
    found = orphaned_secrets(workspace_root)
    for profile_id, names in found.items():
        _forget_in_keyring(keyring, profile_id, names)
        _index(Path(workspace_root), profile_id, drop=True)
    return found


def mask(value: str | None) -> str:
    """What the UI shows for a secret: never more than its last four characters, and only for long keys."""
    if not value:
        return ""
    if len(value) < 12:
        return "•" * 8
    return "•" * 8 + value[-4:]
