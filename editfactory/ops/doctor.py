"""`invoke doctor`: what this machine has and lacks for Edit Factory, each finding with what to do about it.

Checks ffmpeg (path, version, libx264, libass), every voice provider's availability and why not, the
default ports, the workspace with its profiles (and whether one is held by another program), keys the OS
keyring still holds for profiles deleted by hand, and the browser the UI tests drive. Nothing is changed (an
empty workspace is reported, not created) unless ``--remove-orphaned-secrets`` asks to remove those keys.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from editfactory.core.errors import EditFactoryError, MediaError
from editfactory.media.runner import FFMPEG_ENV, ffmpeg_path, run_ffmpeg
from editfactory.ops import devserver
from editfactory.profiles import Workspace, default_workspace_root
from editfactory.storage.secrets import backend_name, orphaned_secrets, remove_orphaned_secrets
from editfactory.tts import describe_providers
from editfactory.tts.registry import DEFAULT_PROVIDER

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
_MARKS = {OK: "[ok]", WARN: "[!!]", FAIL: "[XX]", INFO: "[..]"}
BUSY_PROBE_SECONDS = 1.0
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, its state, and what to do when it is not fine."""

    area: str
    name: str
    state: str
    detail: str
    fix: str = ""


def _ffmpeg_output(args: list[str]) -> str:
    chunks: list[bytes] = []
    run_ffmpeg(args, timeout=30, what=f"ffmpeg {' '.join(args)}", stdout_consumer=lambda pipe: chunks.append(pipe.read()))
    return b"".join(chunks).decode("utf-8", "replace")


def check_ffmpeg() -> list[Finding]:
    try:
        path = ffmpeg_path()
        version_text = _ffmpeg_output(["-version"])
        encoders = _ffmpeg_output(["-encoders"])
        filters = _ffmpeg_output(["-filters"])
    except MediaError as error:
        return [Finding("ffmpeg", "binary", FAIL, str(error),
                        f"Reinstall the project (pip install -e .) or point {FFMPEG_ENV} at an ffmpeg binary.")]
    match = re.search(r"ffmpeg version (\S+)", version_text)
    source = f"${FFMPEG_ENV}" if os.environ.get(FFMPEG_ENV) else "bundled by imageio-ffmpeg"
    found = [Finding("ffmpeg", "binary", OK, f"{path} ({source}), version {match.group(1) if match else 'unknown'}")]
    fix = f"Use an ffmpeg built with it: unset {FFMPEG_ENV} for the bundled one, or point it at a full build."
    has_x264 = re.search(r"^\s*V\S*\s+libx264\b", encoders, flags=re.M)
    found.append(Finding("ffmpeg", "libx264", OK if has_x264 else FAIL,
                         "H.264 encoder present" if has_x264 else "no libx264 encoder: clips cannot be rendered", fix))
    has_ass = re.search(r"^\s*\S*\s+(ass|subtitles)\s", filters, flags=re.M)
    found.append(Finding("ffmpeg", "libass", OK if has_ass else FAIL,
                         "caption filter (libass) present" if has_ass else "no libass filter: captions cannot be burned in",
                         fix))
    return found


def check_voices() -> list[Finding]:
    found = []
    rows = describe_providers()
    for row in rows:
        if row["available"]:
            note = f" — {row['licence_note']}" if row.get("licence_note") else ""
            found.append(Finding("voices", row["name"], OK, f"{row['label']} is available{note}"))
        else:
            state = FAIL if row["name"] == DEFAULT_PROVIDER else WARN  # a fresh profile speaks with it
            found.append(Finding("voices", row["name"], state, f"{row['label']} is unavailable: {row['reason']}"))
    services = ", ".join(row["label"] for row in rows if row["key_label"])
    found.append(Finding("voices", "keys", INFO, f"API keys ({services}) are set per profile in the studio's Settings; "
                                                 "this check runs without a profile."))
    return found


def check_ports(host: str = "127.0.0.1") -> list[Finding]:
    found = []
    for what, port, option in (("studio", devserver.STUDIO_PORT, "--studio-port"),
                               ("JupyterLab", devserver.LAB_PORT, "--lab-port")):
        if devserver.port_is_free(host, port):
            found.append(Finding("ports", what, OK, f"{host}:{port} is free"))
        else:
            alternative = devserver.free_port_near(host, port)
            found.append(Finding("ports", what, WARN, f"{host}:{port} is in use by {devserver.describe_holders(port)}",
                                 f"Stop it, or start with: invoke dev {option} {alternative or '<port>'}"))
    return found


def check_workspace(root: Path | None = None) -> list[Finding]:
    root = (root or default_workspace_root()).expanduser()
    if not root.exists():
        return [Finding("workspace", "folder", INFO, f"{root} does not exist yet; it is made on first start")]
    if not os.access(root, os.W_OK):
        return [Finding("workspace", "folder", FAIL, f"{root} is not writable",
                        "Point EDITFACTORY_DATA (or --data-dir) at a folder you can write to.")]
    found = [Finding("workspace", "folder", OK, str(root.resolve()))]
    if not any(root.glob("*/profile.json")):
        return [*found, Finding("workspace", "profiles", INFO, "no profiles yet; 'Default' is made on first start")]
    workspace = Workspace(root, busy_timeout=BUSY_PROBE_SECONDS)
    for profile in workspace.list():
        try:
            profile.db.fetchone("SELECT 1")
            found.append(Finding("workspace", profile.name, OK, f"profile in {profile.folder.name}/, not busy"))
        except EditFactoryError as error:
            found.append(Finding("workspace", profile.name, WARN, f"profile in {profile.folder.name}/ is busy: {error}",
                                 "Normal while the studio or a notebook works on it; if nothing does, "
                                 "look for a stuck Python process."))
    return found


def check_orphaned_secrets(root: Path | None = None, *, remove: bool = False) -> list[Finding]:
    """Keys the OS keyring still holds for profiles whose folder was deleted by hand; removed with ``remove``."""
    root = (root or default_workspace_root()).expanduser()
    if backend_name() != "keyring":
        return [Finding("secrets", "keyring", INFO, "keys are kept in each profile's folder (no OS keyring in use): "
                                                    "a deleted folder takes its keys with it")]
    if not root.exists():
        return []
    try:
        found = remove_orphaned_secrets(root) if remove else orphaned_secrets(root)
    except EditFactoryError as error:
        return [Finding("secrets", "keyring", FAIL, str(error), "Unlock the OS keyring and run the check again.")]
    if not found:
        return [Finding("secrets", "keyring", OK, "no keys of deleted profiles in the OS keyring")]
    if remove:
        return [Finding("secrets", profile_id, OK, f"removed from the OS keyring: {', '.join(names)} "
                                                   "(the profile's folder no longer exists)")
                for profile_id, names in sorted(found.items())]
    return [Finding("secrets", profile_id, WARN, f"the OS keyring still holds {', '.join(names)} of this profile, "
                                                 "whose folder no longer exists (deleted by hand)",
                    "Remove them with: invoke doctor --remove-orphaned-secrets")
            for profile_id, names in sorted(found.items())]


def check_browser() -> list[Finding]:
    found = []
    if CHROMIUM.exists():
        found.append(Finding("browser", "chromium", OK, f"{CHROMIUM} (the UI tests drive it)"))
    else:
        found.append(Finding("browser", "chromium", WARN, f"no {CHROMIUM}: browser tests will be skipped",
                             "apt-get install chromium (Debian/Ubuntu)"))
    try:
        import playwright  # noqa: F401

        found.append(Finding("browser", "playwright", OK, "installed"))
    except ImportError:
        found.append(Finding("browser", "playwright", WARN, "not installed: browser tests will be skipped",
                             'pip install -e ".[dev]"'))
    return found


def check_python() -> list[Finding]:
    in_venv = sys.prefix != sys.base_prefix
    return [Finding("python", "interpreter", OK if sys.version_info >= (3, 11) else FAIL,
                    f"{sys.version.split()[0]} at {sys.executable}" + (" (virtual environment)" if in_venv else ""),
                    "Edit Factory needs Python 3.11 or newer.")]


CHECKS: list[Callable[[], list[Finding]]] = [check_python, check_ffmpeg, check_voices, check_ports, check_browser]


def run_checks(data_dir: Path | None = None, *, remove_orphaned_secrets: bool = False) -> list[Finding]:
    findings = []
    for check in CHECKS:
        findings += check()
    findings += check_workspace(data_dir)
    findings += check_orphaned_secrets(data_dir, remove=remove_orphaned_secrets)
    return findings


def format_findings(findings: list[Finding]) -> str:
    lines, area = [], None
    width = max(len(f.name) for f in findings)
    for finding in findings:
        if finding.area != area:
            area = finding.area
            lines.append(f"\n{area}")
        lines.append(f"  {_MARKS[finding.state]} {finding.name.ljust(width)}  {finding.detail}")
        if finding.fix and finding.state in (WARN, FAIL):
            lines.append(f"       {' ' * width}  -> {finding.fix}")
    return "\n".join(lines).lstrip("\n")


def report(data_dir: Path | None = None, echo: Callable[[str], None] = print, *,
           remove_orphaned_secrets: bool = False) -> bool:
    """Print every finding; True when nothing failed (warnings are things to know, not blockers).

    ``remove_orphaned_secrets``: also remove the keyring keys of profiles whose folder is gone (the only change).
    """
    findings = run_checks(data_dir, remove_orphaned_secrets=remove_orphaned_secrets)
    echo(format_findings(findings))
    return not any(f.state == FAIL for f in findings)
