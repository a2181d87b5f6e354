"""`invoke dev` / `serve` and editfactory.ops.devserver: port checks that name the holder, refused exposure,
Panel's login in front of the studio, and a stop on SIGINT/SIGTERM that leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from editfactory.ops import devserver

ROOT = Path(__file__).resolve().parents[2]
INVOKE = Path(sys.executable).with_name("invoke")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def occupied_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


# -- checks without servers ------------------------------------------------------------------------


def test_a_taken_port_names_its_holder_and_suggests_another(occupied_port):
    with pytest.raises(devserver.PortInUseError) as caught:
        devserver.check_ports([devserver.PortRequest("studio", "127.0.0.1", occupied_port, "--studio-port")])
    message = str(caught.value)
    assert f"{psutil.Process().name()} (pid {os.getpid()})" in message
    suggested = int(re.search(r"invoke dev --studio-port (\d+)", message).group(1))
    assert suggested != occupied_port and devserver.port_is_free("127.0.0.1", suggested)


def test_free_ports_pass_the_check():
    devserver.check_ports([devserver.PortRequest("studio", "127.0.0.1", _free_port(), "--studio-port")])


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_addresses_need_no_login(host):
    devserver.check_exposure(host, devserver.AuthOptions())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_other_addresses_are_refused_without_a_login(host):
    with pytest.raises(devserver.ExposureRefusedError) as caught:
        devserver.check_exposure(host, devserver.AuthOptions())
    message = str(caught.value)
    assert "--basic-auth" in message and "--cookie-secret" in message and "--oauth-provider" in message
    assert "--insecure-no-auth" in message


@pytest.mark.parametrize("auth", [devserver.AuthOptions(basic_auth="pw"), devserver.AuthOptions(oauth_provider="github")])
def test_other_addresses_are_allowed_with_a_login_or_explicitly(auth):
    devserver.check_exposure("0.0.0.0", auth)
    devserver.check_exposure("0.0.0.0", devserver.AuthOptions(), insecure_no_auth=True)


def test_secrets_stay_out_of_reprs_and_command_lines(tmp_path):
    auth = devserver.AuthOptions(basic_auth="hunter2-pass", cookie_secret="cookie-s3cret")
    assert "hunter2" not in repr(auth) and "s3cret" not in repr(auth)
    spec = devserver.studio_server(ROOT / "apps" / "studio.py", port=_free_port(), auth=auth)
    try:
        assert "hunter2" not in " ".join(spec.argv) and "s3cret" not in " ".join(spec.argv)
        assert spec.env["PANEL_COOKIE_SECRET"] == "cookie-s3cret"
    finally:
        for path in spec.files:
            path.unlink()
    lab = devserver.lab_server(ROOT, port=_free_port(), token="tok3n-value")
    assert "tok3n" not in " ".join(lab.argv) and lab.url.endswith("/lab?token=tok3n-value")


# -- the tasks, run as a user runs them ------------------------------------------------------------


class InvokeRun:
    """`invoke ...` in its own session with no terminal, its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], *, ignore_sigint: bool = False) -> None:
        def detach() -> None:
            # What a shell does for a background job without job control: SIGINT ignored on entry.
            if ignore_sigint:
                signal.signal(signal.SIGINT, signal.SIG_IGN)

        self.process = subprocess.Popen(
            [str(INVOKE), *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True, preexec_fn=detach,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                if text in self.output:
                    return
                raise AssertionError(f"invoke exited ({self.process.returncode}) before {text!r}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} within {timeout} s:\n{self.output}")
            time.sleep(0.2)

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        self.process.stdout.close()
        return code

    def kill_everything(self) -> None:
        """Test cleanup only: whatever is still alive below the invoke process."""
        try:
            family = [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        except psutil.Error:
            family = []
        for member in family:
            try:
                member.kill()
            except psutil.Error:
                pass
        self.finish(timeout=30)


@pytest.fixture
def run_env(tmp_path):
    env = {**os.environ, "EDITFACTORY_DATA": str(tmp_path / "ws"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrt"),
           "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("CI", None)
    return env


def _alive(member: psutil.Process) -> bool:
    try:
        return member.is_running() and member.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _urls(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(studio|JupyterLab)\s+(http://\S+)$", output, flags=re.M))


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_invoke_dev_serves_both_and_a_signal_stops_every_process_it_started(run_env, stop_signal):
    studio_port, lab_port = _free_port(), _free_port()
    run = InvokeRun(["dev", "--no-browser", "--studio-port", str(studio_port), "--lab-port", str(lab_port)], run_env,
                    ignore_sigint=True)
    try:
        run.wait_for("Ready.")
        urls = _urls(run.output)
        assert f"Workspace: {run_env['EDITFACTORY_DATA']}" in run.output
        assert urls["studio"] == f"http://127.0.0.1:{studio_port}/studio"
        token = re.fullmatch(rf"http://127\.0\.0\.1:{lab_port}/lab\?token=(\w+)", urls["JupyterLab"]).group(1)
        assert httpx.get(urls["studio"], timeout=60).status_code == 200
        assert httpx.get(urls["JupyterLab"], timeout=60).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{lab_port}/api/kernels", timeout=30).status_code == 403  # token needed
        # A notebook kernel runs in its own session below JupyterLab; it must go too.
        kernel = httpx.post(f"http://127.0.0.1:{lab_port}/api/kernels", json={"name": "python3"},
                            headers={"Authorization": f"token {token}"}, timeout=60)
        assert kernel.status_code == 201, kernel.text
        family = psutil.Process(run.process.pid).children(recursive=True)
        assert len(family) >= 3  # panel, JupyterLab, the kernel
        os.kill(run.process.pid, stop_signal)
        deadline = time.monotonic() + 10
        while any(_alive(member) for member in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [f"{m.pid} {m.name()}" for m in family if _alive(m)]
        assert not left, f"still running 10 s after {stop_signal.name}: {left}"
        assert run.finish() == 0, run.output
        assert "Stopped studio, JupyterLab." in run.output
        assert devserver.port_is_free("127.0.0.1", studio_port) and devserver.port_is_free("127.0.0.1", lab_port)
    finally:
        if run.process.poll() is None:
            run.kill_everything()


def test_invoke_dev_on_a_taken_studio_port_names_the_holder_and_starts_nothing(run_env, occupied_port):
    run = InvokeRun(["dev", "--no-browser", "--studio-port", str(occupied_port), "--lab-port", str(_free_port())],
                    run_env)
    assert run.finish() == 1
    assert f"Port {occupied_port} (studio) is already in use by {psutil.Process().name()} (pid {os.getpid()})" \
        in run.output
    assert "invoke dev --studio-port" in run.output
    assert "Starting Bokeh" not in run.output


def test_invoke_serve_on_a_network_address_without_login_is_refused(run_env):
    port = _free_port()
    run = InvokeRun(["serve", "--no-browser", "--host", "0.0.0.0", "--port", str(port)], run_env)
    assert run.finish() == 1
    assert "Refusing to serve on 0.0.0.0" in run.output and "--basic-auth" in run.output
    assert "Starting Bokeh" not in run.output and devserver.port_is_free("0.0.0.0", port)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.ui
def test_with_basic_auth_an_unauthenticated_request_gets_the_login_page_and_no_data(run_env):
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from editfactory.profiles import Workspace

    Workspace(run_env["EDITFACTORY_DATA"]).create("Private Store Ștefan")
    port = _free_port()
    run = InvokeRun(["serve", "--no-browser", "--port", str(port), "--basic-auth", "Open-Sesame-42"], run_env)
    try:
        run.wait_for("Ready.")
        studio = f"http://127.0.0.1:{port}/studio"
        with httpx.Client(timeout=60) as anonymous:
            first = anonymous.get(studio)
            assert first.status_code == 302 and "login" in first.headers["location"]
            login_page = anonymous.get(studio, follow_redirects=True)
            assert login_page.status_code == 200 and 'name="password"' in login_page.text
            assert "Private Store" not in login_page.text
        # The studio's data reaches the page over its websocket, so only a browser shows what a visitor gets.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(studio)
                page.fill("input[name=username]", "me")
                page.fill("input[name=password]", "open-sesame-42")  # wrong case
                page.press("input[name=password]", "Enter")
                page.wait_for_url("**error=**")
                assert "login" in page.url and "Private Store" not in page.content()
                page.fill("input[name=username]", "me")
                page.fill("input[name=password]", "Open-Sesame-42")
                page.press("input[name=password]", "Enter")
                page.get_by_text("Private Store Ștefan").first.wait_for(timeout=60_000)  # the login does open it
            finally:
                browser.close()
        assert "Open-Sesame" not in run.output
        os.kill(run.process.pid, signal.SIGTERM)
        assert run.finish() == 0
    finally:
        if run.process.poll() is None:
            run.kill_everything()


@pytest.mark.parametrize(("no_browser", "env", "expected"), [
    (False, {"DISPLAY": ":0"}, True),
    (True, {"DISPLAY": ":0"}, False),
    (False, {"DISPLAY": ":0", "CI": "true"}, False),
    (False, {}, False),  # a server or container without a display: no text browser in our terminal
    (False, {"WAYLAND_DISPLAY": "wayland-0"}, True),
])
def test_the_browser_opens_only_when_wanted_and_possible(monkeypatch, no_browser, env, expected):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", "linux")
    assert devserver.should_open_browser(no_browser) is expected


def test_panel_login_settings_from_the_environment_count_and_never_conflict(monkeypatch):
    monkeypatch.setenv("PANEL_BASIC_AUTH", "users.json")
    assert devserver.AuthOptions.from_options().enabled  # panel serve turns the login on from this itself
    devserver.check_exposure("0.0.0.0", devserver.AuthOptions.from_options())
    monkeypatch.delenv("PANEL_BASIC_AUTH")
    monkeypatch.setenv("PANEL_OAUTH_PROVIDER", "google")
    monkeypatch.setenv("PANEL_COOKIE_SECRET", "from-env")
    auth = devserver.AuthOptions.from_options(oauth_provider="github")
    spec = devserver.studio_server(ROOT / "apps" / "studio.py", port=_free_port(), auth=auth)
    # Options and variables together make panel serve refuse to start: everything goes through the variables.
    assert "--oauth-provider" not in spec.argv and spec.env["PANEL_OAUTH_PROVIDER"] == "github"
    assert spec.env["PANEL_COOKIE_SECRET"] == "from-env"
    monkeypatch.setenv("PANEL_BASIC_AUTH", "other")
    with_password = devserver.studio_server(ROOT / "apps" / "studio.py", port=_free_port(),
                                            auth=devserver.AuthOptions(basic_auth="pw"))
    try:
        assert "--basic-auth" in with_password.argv and with_password.env["PANEL_BASIC_AUTH"] == ""
    finally:
        for path in with_password.files:
            path.unlink()


def test_invoke_lab_on_a_taken_port_says_which_option_moves_it(run_env, occupied_port):
    run = InvokeRun(["lab", "--no-browser", "--port", str(occupied_port)], run_env)
    assert run.finish() == 1
    assert f"Port {occupied_port} (JupyterLab) is already in use" in run.output
    assert "invoke lab --port" in run.output


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")
def test_ctrl_c_in_a_terminal_stops_both_servers_and_only_invoke_sees_it(run_env):
    import pty

    studio_port, lab_port = _free_port(), _free_port()
    argv = [str(INVOKE), "dev", "--no-browser", "--studio-port", str(studio_port), "--lab-port", str(lab_port)]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: invoke in its own terminal, as a user starts it
        os.chdir(ROOT)
        os.execve(argv[0], argv, run_env)
    chunks: list[bytes] = []

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the terminal closed: invoke has exited
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while b"Ready." not in b"".join(chunks):
            assert time.monotonic() < deadline, b"".join(chunks).decode(errors="replace")
            time.sleep(0.2)
        family = psutil.Process(pid).children(recursive=True)
        foreground = os.tcgetpgrp(terminal)
        assert foreground == os.getpgid(pid)  # invoke is what the terminal's Ctrl-C reaches ...
        assert all(os.getpgid(member.pid) != foreground for member in family)  # ... and no server directly
        os.write(terminal, b"\x03")  # Ctrl-C
        deadline = time.monotonic() + 10
        while any(_alive(member) for member in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [m.pid for m in family if _alive(m)], "servers left running after Ctrl-C"
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        reader.join(timeout=5)
        assert b"Stopped studio, JupyterLab." in b"".join(chunks)
    finally:
        try:
            for member in psutil.Process(pid).children(recursive=True):
                member.kill()
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (psutil.Error, OSError):
            pass
        os.close(terminal)
