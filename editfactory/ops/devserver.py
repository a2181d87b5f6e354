"""Start and supervise the local servers behind `invoke dev`: the studio (`panel serve`) and JupyterLab.

Before starting, each port is checked (a taken port names the process holding it) and a
non-loopback address without authentication is refused. Each server runs in its own process
group, so a Ctrl-C in the terminal reaches only the supervisor, which then stops every process
the servers started — also on SIGINT/SIGTERM sent to it without a terminal — and leaves no orphans.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from editfactory.core.errors import EditFactoryError
from editfactory.profiles import default_workspace_root

LOOPBACK = "127.0.0.1"
STUDIO_PORT = 5006
LAB_PORT = 8888
READY_TIMEOUT = 180.0
"""Seconds a server may take to answer HTTP after it was started (JupyterLab's first start is slow)."""
STOP_GRACE = 8.0
"""Seconds a server gets to shut down cleanly after SIGTERM before it and its children are killed."""

Echo = Callable[[str], None]


class DevServerError(EditFactoryError):
    """A development server could not be started or kept running; the message says what to do."""


class PortInUseError(DevServerError):
    """A port we were asked to serve on is taken by another process."""


class ExposureRefusedError(DevServerError):
    """Serving on an address other machines can reach was refused because no login is configured."""


# -- ports -----------------------------------------------------------------------------------------


def _probe_socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    if os.name == "nt":
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        # Servers set SO_REUSEADDR too: a port with only TIME_WAIT leftovers is free for them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return probe


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now; raises for an address this machine does not have."""
    with _probe_socket(host) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                return False
            if error.errno == errno.EACCES:
                raise DevServerError(
                    f"Not allowed to listen on port {port} (ports below 1024 need administrator rights, "
                    "or a firewall refuses it). Pick a port above 1024."
                ) from None
            raise DevServerError(
                f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                "Use an address of this machine, e.g. --host 127.0.0.1."
            ) from None
    return True


def free_port_near(host: str, port: int, tries: int = 50) -> int | None:
    """The first free port after ``port``, to suggest as an alternative."""
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if port_is_free(host, candidate):
            return candidate
    return None


def port_holders(port: int) -> list[tuple[str, int]]:
    """(process name, pid) of each process listening on ``port``, as far as the OS tells us."""
    try:
        connections = psutil.net_connections(kind="inet")
    except (psutil.Error, OSError):  # macOS needs root for other processes' sockets
        return []
    on_port = [c for c in connections if c.laddr and c.laddr.port == port and c.pid]
    listening = [c for c in on_port if c.status == psutil.CONN_LISTEN] or on_port
    holders = []
    for pid in sorted({c.pid for c in listening}):
        try:
            holders.append((psutil.Process(pid).name(), pid))
        except psutil.Error:
            holders.append(("an exited process", pid))
    return holders


def describe_holders(port: int) -> str:
    holders = port_holders(port)
    if not holders:
        return "a process the OS did not name (it may belong to another user; `sudo ss -ltnp` shows it)"
    return " and ".join(f"{name} (pid {pid})" for name, pid in holders)


@dataclass(frozen=True)
class PortRequest:
    """A port a server wants, and the task option that changes it (for the message when it is taken)."""

    what: str
    host: str
    port: int
    option: str


def check_ports(requests: Sequence[PortRequest], command: str = "invoke dev") -> None:
    """Raise :class:`PortInUseError` naming every taken port, its holder, and how to pick another."""
    problems = []
    for request in requests:
        if port_is_free(request.host, request.port):
            continue
        holder = describe_holders(request.port)
        alternative = free_port_near(request.host, request.port)
        hint = f"{command} {request.option} {alternative}" if alternative else f"{command} {request.option} <port>"
        problems.append(
            f"Port {request.port} ({request.what}) is already in use by {holder}. "
            f"Stop that process, or pick another port: {hint}"
        )
    if problems:
        raise PortInUseError("\n".join(problems))


# -- exposure ----------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True when only this machine can reach ``host`` (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def is_wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class AuthOptions:
    """How the studio asks users to log in when it is served beyond this machine (Panel's own auth)."""

    basic_auth: str | None = field(default=None, repr=False)
    """A password, or a JSON file mapping user names to passwords."""
    cookie_secret: str | None = field(default=None, repr=False)
    oauth_provider: str | None = None
    """A Panel OAuth provider name (github, google, azure, ...); its key and secret come from PANEL_OAUTH_* variables."""

    @classmethod
    def from_options(cls, basic_auth: str | None = None, cookie_secret: str | None = None,
                     oauth_provider: str | None = None) -> AuthOptions:
        """Options given to the task, else Panel's own environment variables."""
        return cls(
            basic_auth=basic_auth or None,
            cookie_secret=cookie_secret or os.environ.get("PANEL_COOKIE_SECRET") or None,
            oauth_provider=oauth_provider or os.environ.get("PANEL_OAUTH_PROVIDER") or None,
        )

    @property
    def enabled(self) -> bool:
        # PANEL_BASIC_AUTH set in the environment also turns Panel's login on (panel serve reads it itself).
        return bool(self.basic_auth or self.oauth_provider or os.environ.get("PANEL_BASIC_AUTH"))


def exposure_help(host: str, command: str = "invoke dev") -> str:
    return (
        f"Refusing to serve on {host}: other machines can reach that address and the studio would have no "
        "login, so anyone on the network could read and change every profile. Keep the default "
        "--host 127.0.0.1, or turn on authentication:\n"
        f"  - a password: {command} --host {host} --basic-auth users.json "
        '(a JSON file {"name": "password", ...}, or one password for every user name); '
        "add --cookie-secret SECRET to keep logins across restarts (a random one is made otherwise);\n"
        f"  - an OAuth provider: {command} --host {host} --oauth-provider github, with PANEL_OAUTH_KEY, "
        "PANEL_OAUTH_SECRET, PANEL_OAUTH_ENCRYPTION and PANEL_COOKIE_SECRET set "
        "(Panel's guide: https://panel.holoviz.org/how_to/authentication/);\n"
        "  - or, only on a network you trust completely: --insecure-no-auth."
    )


def check_exposure(host: str, auth: AuthOptions, insecure_no_auth: bool = False, command: str = "invoke dev") -> None:
    """Raise :class:`ExposureRefusedError` for a non-loopback address without a login, unless explicitly allowed."""
    if is_loopback(host) or auth.enabled or insecure_no_auth:
        return
    raise ExposureRefusedError(exposure_help(host, command))


# -- server specs ------------------------------------------------------------------------------


@dataclass
class ServerSpec:
    """One server to run: its command, where it answers when ready, and the URL to show the user."""

    name: str
    argv: list[str]
    port: int
    url: str
    ready_url: str
    env: dict[str, str] = field(default_factory=dict, repr=False)
    ready_headers: dict[str, str] = field(default_factory=dict, repr=False)
    files: list[Path] = field(default_factory=list, repr=False)
    """Private files written for this server (removed when it stops)."""


def _reach_host(host: str) -> str:
    """Where this machine connects to reach a server bound to ``host``."""
    if host == "::":
        return "::1"
    return LOOPBACK if is_wildcard(host) else host


def _shown_host(host: str) -> str:
    """The host name to put in URLs shown to the user."""
    if is_wildcard(host):
        return socket.gethostname()
    return host


def _url(host: str, port: int, path: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{path}"


def _origins(host: str, port: int) -> list[str]:
    """Browser origins the studio's websocket accepts (Bokeh refuses others, against cross-site hijacking)."""
    names = {host}
    if is_loopback(host):
        names |= {"127.0.0.1", "localhost"}
    elif is_wildcard(host):
        names |= {"127.0.0.1", "localhost", socket.gethostname(), socket.getfqdn()}
        for addresses in psutil.net_if_addrs().values():
            names |= {a.address for a in addresses if a.family == socket.AF_INET}
    return sorted(f"{name}:{port}" for name in names if name)


def studio_server(app: Path, *, host: str = LOOPBACK, port: int = STUDIO_PORT,
                  auth: AuthOptions | None = None, extra_args: Sequence[str] = ()) -> ServerSpec:
    """`panel serve app` on host:port, with Panel's login when ``auth`` asks for one."""
    auth = auth or AuthOptions()
    argv = [sys.executable, "-m", "panel", "serve", str(app), "--address", host, "--port", str(port)]
    for origin in _origins(host, port):
        argv += ["--allow-websocket-origin", origin]
    # The media route streams renders and thumbnails to the page (see editfactory/ui/media_route.py).
    argv += ["--plugins", "editfactory.ui.media_route"]
    # Posts waiting to retry are sent from server start, before any browser opens (editfactory/ui/server.py).
    argv += ["--setup", str(Path(__file__).parents[1] / "ui" / "server_setup.py")]
    env: dict[str, str] = {}
    files: list[Path] = []
    if auth.basic_auth:
        if Path(auth.basic_auth).is_file():
            argv += ["--basic-auth", str(Path(auth.basic_auth).resolve())]
        else:
            # A password on panel's command line would be visible to every local user in `ps`;
            # Panel also reads a file holding one JSON string as "this password for any user".
            handle, name = tempfile.mkstemp(prefix="editfactory-auth-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(auth.basic_auth, out)
            files.append(Path(name))
            argv += ["--basic-auth", name]
        env["PANEL_BASIC_AUTH"] = ""  # panel serve refuses the option and the variable together
    if auth.oauth_provider:
        env["PANEL_OAUTH_PROVIDER"] = auth.oauth_provider  # the variable, so an inherited one cannot conflict
    if auth.enabled:
        # Passed through the environment, not argv, so it does not show in `ps`.
        env["PANEL_COOKIE_SECRET"] = auth.cookie_secret or secrets.token_urlsafe(32)
    argv += list(extra_args)
    path = f"/{app.stem}"
    return ServerSpec("studio", argv, port, _url(_shown_host(host), port, path), _url(_reach_host(host), port, path),
                      env=env, files=files)


def new_lab_token() -> str:
    return secrets.token_hex(24)


def lab_server(root: Path, *, host: str = LOOPBACK, port: int = LAB_PORT, token: str | None = None) -> ServerSpec:
    """JupyterLab on host:port over ``root``, protected by ``token`` (given through the environment, not argv)."""
    token = token or new_lab_token()
    argv = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={host}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # never wander to another port: the URL we print must be right
        f"--ServerApp.root_dir={root}", "--ServerApp.log_level=WARN",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI often run as root; Jupyter refuses it otherwise
    return ServerSpec(
        "JupyterLab", argv, port, _url(_shown_host(host), port, f"/lab?token={token}"),
        _url(_reach_host(host), port, "/api/status"), env={"JUPYTER_TOKEN": token},
        ready_headers={"Authorization": f"token {token}"},
    )


# -- supervision -------------------------------------------------------------------------------

_STOP_SIGNALS = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK") if hasattr(signal, name)]


def _own_group_options() -> dict:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    options: dict = {"start_new_session": True}
    if sys.platform.startswith("linux"):
        options["preexec_fn"] = _terminate_with_parent
    return options


def _terminate_with_parent() -> None:
    # If the supervisor is killed outright (SIGKILL), the kernel sends the server SIGTERM,
    # so it still shuts down cleanly (JupyterLab stops its kernels).
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Supervisor:
    """Runs servers, each in its own process group, and stops all of them and their children together."""

    def __init__(self, specs: Sequence[ServerSpec], *, cwd: Path, echo: Echo = print) -> None:
        self.specs = list(specs)
        self.cwd = cwd
        self.echo = echo
        self.processes: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.stop_signal: int | None = None

    def request_stop(self, signum: int, _frame: object = None) -> None:
        # Only a flag: the main loop does the stopping, so a second Ctrl-C cannot interrupt cleanup halfway.
        self.stop_signal = signum
        self.stop_requested.set()

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Route SIGINT/SIGTERM/SIGHUP to :meth:`request_stop` — also when the shell started us with SIGINT ignored."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {signum: signal.signal(signum, self.request_stop) for signum in _STOP_SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def start(self) -> None:
        for spec in self.specs:
            if self.stop_requested.is_set():
                return
            self.processes[spec.name] = subprocess.Popen(
                spec.argv, cwd=self.cwd, env={**os.environ, **spec.env}, stdin=subprocess.DEVNULL,
                **_own_group_options(),
            )

    def _answers(self, spec: ServerSpec) -> bool:
        try:
            response = httpx.get(spec.ready_url, headers=spec.ready_headers, timeout=5.0, follow_redirects=False)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    def _exited(self) -> tuple[str, int] | None:
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def wait_until_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        """Poll each server over HTTP until it answers; False if a stop was requested meanwhile."""
        waiting = [spec for spec in self.specs if spec.name in self.processes]
        deadline = time.monotonic() + timeout
        while waiting:
            if self.stop_requested.is_set():
                return False
            exited = self._exited()
            if exited:
                raise DevServerError(
                    f"The {exited[0]} server exited (code {exited[1]}) before it answered; its output above says why."
                )
            waiting = [spec for spec in waiting if not self._answers(spec)]
            if waiting and time.monotonic() > deadline:
                names = ", ".join(f"the {spec.name} at {spec.ready_url}" for spec in waiting)
                raise DevServerError(f"No answer within {timeout:.0f} s from {names}; its output above may say why.")
            if waiting:
                self.stop_requested.wait(0.25)
        return not self.stop_requested.is_set()

    def wait(self) -> tuple[str, int] | None:
        """Block until a stop is requested (None) or a server exits on its own ((name, exit code))."""
        while not self.stop_requested.wait(0.25):
            exited = self._exited()
            if exited:
                return exited
        return None

    def _family(self) -> list[psutil.Process]:
        """Every server and every process below it, captured before any of them is signalled."""
        family: list[psutil.Process] = []
        for process in self.processes.values():
            try:
                parent = psutil.Process(process.pid)
                family += [parent, *parent.children(recursive=True)]
            except psutil.Error:
                continue
        return family

    def _signal_group(self, process: subprocess.Popen, sig: int) -> None:
        with contextlib.suppress(OSError):
            if os.name == "nt":
                process.send_signal(signal.CTRL_BREAK_EVENT if sig != getattr(signal, "SIGKILL", 9) else sig)
            else:
                os.killpg(process.pid, sig)

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM each server's group, wait ``grace``, then kill whatever of the family is left; reap all."""
        family = self._family()
        for process in self.processes.values():
            if process.poll() is None:
                self._signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(_alive(member) for member in family) and time.monotonic() < deadline:
            for process in self.processes.values():
                process.poll()  # reap our own children as they exit
            time.sleep(0.1)
        for process in self.processes.values():
            if process.poll() is None:
                self._signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
        for member in family:
            if _alive(member):
                with contextlib.suppress(psutil.Error):
                    member.kill()
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace)
        for spec in self.specs:
            for path in spec.files:
                path.unlink(missing_ok=True)


def has_display() -> bool:
    """Whether a graphical browser can open here (on Linux/BSD it needs an X or Wayland display)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def should_open_browser(no_browser: bool) -> bool:
    """Open a browser unless asked not to, under CI, or without a display (where Python's webbrowser
    would start a text browser such as lynx in this very terminal)."""
    return not no_browser and not os.environ.get("CI") and has_display()


def run_servers(specs: Sequence[ServerSpec], *, cwd: Path, open_url: str | None = None, echo: Echo = print,
                ready_timeout: float = READY_TIMEOUT) -> None:
    """Start ``specs``, wait until each answers, print their URLs, and keep them running until a stop signal.

    Returns after every process started here is gone; raises :class:`DevServerError` if a server fails to
    start or exits on its own (the others are stopped first).
    """
    supervisor = Supervisor(specs, cwd=cwd, echo=echo)
    with supervisor.handling_signals():
        try:
            supervisor.start()
            if not supervisor.wait_until_ready(ready_timeout):
                return
            width = max(len(spec.name) for spec in specs)
            echo("\n" + "\n".join(f"  {spec.name.ljust(width)}  {spec.url}" for spec in specs))
            echo("\nReady. Press Ctrl-C to stop " + ("both servers." if len(specs) > 1 else "the server."))
            if open_url:
                webbrowser.open(open_url)
            exited = supervisor.wait()
            if exited:
                raise DevServerError(
                    f"The {exited[0]} server stopped on its own (exit code {exited[1]}); the others were stopped "
                    "too. Its output above says why."
                )
        finally:
            supervisor.stop()
            echo("Stopped " + ", ".join(spec.name for spec in specs) + ".")


def launch(*, root: Path, studio_app: Path | None, lab: bool, host: str = LOOPBACK, studio_port: int = STUDIO_PORT,
           lab_port: int = LAB_PORT, data_dir: str | None = None, open_browser: bool = True,
           auth: AuthOptions | None = None, insecure_no_auth: bool = False, command: str = "invoke dev",
           echo: Echo = print) -> None:
    """What `invoke dev` / `serve` / `lab` do: check exposure and ports, then run the chosen servers together."""
    auth = auth or AuthOptions()
    if studio_app is not None:
        check_exposure(host, auth, insecure_no_auth, command)
    if studio_app is None and not lab:
        raise DevServerError("Nothing to start: choose the studio, JupyterLab, or both.")
    wanted = []
    if studio_app is not None:
        wanted.append(PortRequest("studio", host, studio_port, "--port" if not lab else "--studio-port"))
    if lab:
        wanted.append(PortRequest("JupyterLab", host, lab_port, "--port" if studio_app is None else "--lab-port"))
    check_ports(wanted, command)
    specs = []
    if studio_app is not None:
        specs.append(studio_server(studio_app, host=host, port=studio_port, auth=auth))
    if lab:
        specs.append(lab_server(root, host=host, port=lab_port))
    if data_dir:
        workspace = str(Path(data_dir).expanduser().resolve())
        for spec in specs:
            spec.env["EDITFACTORY_DATA"] = workspace
    else:
        workspace = str(default_workspace_root())
    echo(f"Workspace: {workspace}")
    if not is_loopback(host):
        echo(f"Serving on {host}: reachable from other machines" + (
            " WITHOUT a login (--insecure-no-auth)." if studio_app is not None and not auth.enabled else
            "; traffic is not encrypted (put a TLS proxy in front for anything but a trusted network)."))
    run_servers(specs, cwd=root, open_url=specs[0].url if open_browser else None, echo=echo)
