"""`invoke doctor`: each finding is true of this machine and says what to do when something is wrong."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import psutil

from editfactory.ops import devserver, doctor


def _by_name(findings):
    return {(f.area, f.name): f for f in findings}


def test_bundled_ffmpeg_has_x264_and_libass():
    found = _by_name(doctor.check_ffmpeg())
    assert found[("ffmpeg", "binary")].state == doctor.OK and "version" in found[("ffmpeg", "binary")].detail
    assert found[("ffmpeg", "libx264")].state == doctor.OK and found[("ffmpeg", "libass")].state == doctor.OK


def test_a_missing_ffmpeg_fails_the_report_with_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("EDITFACTORY_FFMPEG", str(tmp_path / "no-ffmpeg"))
    lines: list[str] = []
    assert doctor.report(tmp_path / "ws", echo=lines.append) is False
    finding = _by_name(doctor.check_ffmpeg())[("ffmpeg", "binary")]
    assert finding.state == doctor.FAIL and "EDITFACTORY_FFMPEG" in finding.fix
    assert "[XX] binary" in lines[0]


def test_every_voice_provider_is_listed_with_its_reason_when_unavailable():
    from editfactory.tts import PROVIDERS

    voices = [f for f in doctor.check_voices() if f.name in PROVIDERS]
    assert [f.name for f in voices] == list(PROVIDERS)
    assert _by_name(voices)[("voices", "piper")].state == doctor.OK
    for finding in voices:
        assert finding.state == doctor.OK or "unavailable: " in finding.detail and len(finding.detail) > 30


def test_a_taken_port_is_reported_with_its_holder(monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        monkeypatch.setattr(devserver, "STUDIO_PORT", holder.getsockname()[1])
        studio = _by_name(doctor.check_ports())[("ports", "studio")]
    assert studio.state == doctor.WARN and f"(pid {os.getpid()})" in studio.detail
    assert psutil.Process().name() in studio.detail and "--studio-port" in studio.fix


def test_an_empty_workspace_is_reported_not_created(tmp_path):
    missing = tmp_path / "nowhere"
    assert _by_name(doctor.check_workspace(missing))[("workspace", "folder")].state == doctor.INFO
    assert not missing.exists()
    missing.mkdir()
    assert ("workspace", "profiles") in _by_name(doctor.check_workspace(missing))
    assert list(missing.iterdir()) == []


def test_a_profile_held_by_another_process_is_shown_busy(workspace):
    held = workspace.create("Held Store")
    workspace.create("Free Store")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            connection = duckdb.connect({str(held.db.path)!r})
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        found = _by_name(doctor.check_workspace(workspace.root))
    finally:
        holder.communicate("", timeout=30)
    assert found[("workspace", "Held Store")].state == doctor.WARN and "busy" in found[("workspace", "Held Store")].detail
    assert found[("workspace", "Free Store")].state == doctor.OK
