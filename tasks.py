"""Invoke tasks: start the studio and JupyterLab, check the machine, run tests and benchmarks.

`invoke --list` shows them all; `invoke --help TASK` explains one.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from invoke import Collection, Context, Exit, task

ROOT = Path(__file__).resolve().parent
PYTHON = shlex.quote(sys.executable)
# The same defaults as editfactory.ops.devserver (not imported here, so `invoke --list` stays instant).
LOOPBACK, STUDIO_PORT, LAB_PORT = "127.0.0.1", 5006, 8888


# -- tests -------------------------------------------------------------------

_PYTEST_HELP = {"args": "extra arguments passed to pytest, e.g. '-k profiles -x'"}


def _pytest(c: Context, selection: str, args: str) -> None:
    with c.cd(str(ROOT)):
        c.run(f"{PYTHON} -m pytest {selection} {args}".strip(), pty=False, env={"HF_HUB_OFFLINE": "1"})


@task(help=_PYTEST_HELP)
def test_all(c: Context, args: str = "") -> None:
    """Run the whole test suite: unit, browser and notebook tests (offline: Hugging Face downloads are off)."""
    _pytest(c, "", args)


@task(help=_PYTEST_HELP)
def test_unit(c: Context, args: str = "") -> None:
    """Run the tests that need no browser and execute no notebook."""
    _pytest(c, "-m 'not ui' --ignore=tests/notebooks/test_execute.py", args)


@task(help=_PYTEST_HELP)
def test_ui(c: Context, args: str = "") -> None:
    """Run the browser tests (Playwright driving Debian's Chromium at /usr/bin/chromium)."""
    _pytest(c, "-m ui", args)


@task(help=_PYTEST_HELP)
def test_notebooks(c: Context, args: str = "") -> None:
    """Execute every notebook in notebooks/ top to bottom on a temporary workspace, offline."""
    _pytest(c, "tests/notebooks", args)


RELIABILITY_SUITE = (
    "tests/reliability",  # bad inputs, every setter fuzzed, kill -9 during analysis/synthesis/render, full disk, ffmpeg
    "tests/test_isolation.py",  # property run: one profile's ids never reach another's data
    "tests/storage/test_fairness.py",  # two processes on one profile: waits, lost writes, raw lock errors
    "tests/storage/test_two_processes.py",
    "tests/ui/test_studio_and_notebook_process.py",  # the served studio under browser sessions + a notebook process
    "tests/publish/test_publishing_under_faults.py",  # 2 profiles x 200 posts, faults and kills
    "tests/publish/test_isolation_and_faults.py",
    "tests/publish/test_crash_resume.py",
    "tests/publish/test_secret_leaks.py",  # API keys nowhere but the secret store
    "tests/publish/test_secrets.py",
    "tests/notebooks/test_execute.py",  # notebooks executed with both keys set: no key in any output or saved file
)
RELIABILITY_FUZZ_EXAMPLES = 200
"""Drawn inputs per setter in tests/reliability/test_fuzz_setters.py under `invoke reliability` (`invoke test`: 30)."""
FIGURE_PREFIX = "FIGURE:"


def figure_table(output: str) -> str:
    """The lines the suite printed as ``FIGURE: area: figures`` as an aligned two-column table."""
    rows = []
    for line in output.splitlines():
        if FIGURE_PREFIX in line:
            area, _, figures = line.split(FIGURE_PREFIX, 1)[1].strip().partition(": ")
            rows.append((area, figures) if figures else ("", area))
    if not rows:
        return "No figures were printed (did the figure tests run?)."
    width = min(max(len(area) for area, _ in rows), 48)
    return "\n".join(f"{area:<{width}}  {figures}" for area, figures in rows)


@task(help=_PYTEST_HELP)
def reliability(c: Context, args: str = "") -> None:
    """Run the reliability suite with its printed figures, then a table of them (takes several minutes).

    Bad inputs, kill -9 during analysis/synthesis/render, a full disk, ffmpeg missing/failing/hanging, isolation
    between profiles, two processes on one profile, publishing under faults, secrets.
    """
    with c.cd(str(ROOT)):
        result = c.run(f"{PYTHON} -m pytest -s {' '.join(RELIABILITY_SUITE)} {args}".strip(), pty=False, warn=True,
                       env={"HF_HUB_OFFLINE": "1", "EDITFACTORY_FUZZ_EXAMPLES": str(RELIABILITY_FUZZ_EXAMPLES),
                            "EDITFACTORY_SOAK": "full"})
    print("\nReliability figures\n-------------------\n" + figure_table(result.stdout))
    if result.failed:
        raise Exit(f"The reliability suite failed (pytest exit code {result.exited}); see above.", code=result.exited)


test_ns = Collection("test")
test_ns.add_task(test_all, name="all", default=True)
test_ns.add_task(test_unit, name="unit")
test_ns.add_task(test_ui, name="ui")
test_ns.add_task(test_notebooks, name="notebooks")


# -- development ---------------------------------------------------------------

_SERVE_HELP = {
    "host": "address to listen on; anything but 127.0.0.1/localhost needs --basic-auth or --oauth-provider",
    "data_dir": "workspace root (default: data/ or $EDITFACTORY_DATA)",
    "no_browser": "do not open the browser (also off when $CI is set)",
    "basic_auth": "studio login: a JSON file of {user: password}, or one password for every user name",
    "cookie_secret": "secret that signs studio login cookies (default: $PANEL_COOKIE_SECRET, else random per run)",
    "oauth_provider": "studio login through a Panel OAuth provider (github, google, ...; set PANEL_OAUTH_* variables)",
    "insecure_no_auth": "allow a non-loopback --host without any studio login (trusted networks only)",
}


def _launch(command: str, *, studio: bool, lab: bool, port: int = STUDIO_PORT,
            lab_port: int = LAB_PORT, host: str, data_dir: str | None, no_browser: bool,
            basic_auth: str | None = None, cookie_secret: str | None = None, oauth_provider: str | None = None,
            insecure_no_auth: bool = False) -> None:
    from editfactory.ops import devserver

    try:
        devserver.launch(
            root=ROOT, studio_app=ROOT / "apps" / "studio.py" if studio else None, lab=lab, host=host,
            studio_port=port, lab_port=lab_port, data_dir=data_dir,
            open_browser=devserver.should_open_browser(no_browser),
            auth=devserver.AuthOptions.from_options(basic_auth, cookie_secret, oauth_provider),
            insecure_no_auth=insecure_no_auth, command=command,
        )
    except devserver.DevServerError as error:
        raise Exit(str(error), code=1) from None


@task(help={"studio_port": "port of the studio", "lab_port": "port of JupyterLab", **_SERVE_HELP})
def dev(c: Context, studio_port: int = STUDIO_PORT, lab_port: int = LAB_PORT,
        host: str = LOOPBACK, data_dir: str | None = None, no_browser: bool = False,
        basic_auth: str | None = None, cookie_secret: str | None = None, oauth_provider: str | None = None,
        insecure_no_auth: bool = False) -> None:
    """Start the studio and JupyterLab together, print both URLs and open the studio; Ctrl-C stops both."""
    _launch("invoke dev", studio=True, lab=True, port=studio_port, lab_port=lab_port, host=host, data_dir=data_dir,
            no_browser=no_browser, basic_auth=basic_auth, cookie_secret=cookie_secret,
            oauth_provider=oauth_provider, insecure_no_auth=insecure_no_auth)


@task(help={"port": "port of the studio", **_SERVE_HELP})
def serve(c: Context, port: int = STUDIO_PORT, host: str = LOOPBACK,
          data_dir: str | None = None, no_browser: bool = False, basic_auth: str | None = None,
          cookie_secret: str | None = None, oauth_provider: str | None = None, insecure_no_auth: bool = False) -> None:
    """Start only the studio (`panel serve apps/studio.py`) and open it in the browser."""
    _launch("invoke serve", studio=True, lab=False, port=port, host=host, data_dir=data_dir, no_browser=no_browser,
            basic_auth=basic_auth, cookie_secret=cookie_secret, oauth_provider=oauth_provider,
            insecure_no_auth=insecure_no_auth)


@task(help={"port": "port of JupyterLab", "host": _SERVE_HELP["host"], "data_dir": _SERVE_HELP["data_dir"],
            "no_browser": _SERVE_HELP["no_browser"]})
def lab(c: Context, port: int = LAB_PORT, host: str = LOOPBACK,
        data_dir: str | None = None, no_browser: bool = False) -> None:
    """Start only JupyterLab on the repository (notebooks/ is there), protected by a fresh token."""
    _launch("invoke lab", studio=False, lab=True, lab_port=port, host=host, data_dir=data_dir, no_browser=no_browser)


@task(help={"data_dir": "workspace root to check (default: data/ or $EDITFACTORY_DATA)",
            "remove_orphaned_secrets": "remove the OS keyring's keys of profiles whose folder was deleted by hand"})
def doctor(c: Context, data_dir: str | None = None, remove_orphaned_secrets: bool = False) -> None:
    """Check this machine: ffmpeg, voice providers, free ports, the workspace and its profiles, keys left in the
    OS keyring by profiles deleted by hand, the test browser."""
    from editfactory.ops import doctor as checks

    if not checks.report(data_dir=Path(data_dir) if data_dir else None,
                         remove_orphaned_secrets=remove_orphaned_secrets):
        raise Exit("Some checks failed; each says above what to do.", code=1)


# -- benchmarks ------------------------------------------------------------------


@task(help={"clips": "clips in the profile", "projects": "projects they are spread over"})
def bench_storage(c: Context, clips: int = 100_000, projects: int = 1_000) -> None:
    """Query latency (p50/p95) on one profile with many clips: list by project, filter by status, search by name."""
    c.run(f"{PYTHON} -m editfactory.bench.storage --clips {clips} --projects {projects}", pty=False)


@task(
    help={
        "skip_moviepy": "leave out the slow MoviePy variant",
        "gop": "keyframe spacing of the generated source in seconds (phones: about 1)",
        "draft_only": "time only the final render and the draft preview, with and without the source's proxy "
                      "(quick, e.g. on a busy machine)",
        "photos_only": "time only the photo slideshow against its floor",
        "music_only": "time only the render with music against its floor",
        "everything_only": "time only the clip with everything on (music, karaoke, crossfades, photos) against its floor",
    }
)
def bench_render(c: Context, skip_moviepy: bool = False, gop: float = 1.0, draft_only: bool = False,
                 photos_only: bool = False, music_only: bool = False, everything_only: bool = False) -> None:
    """One-pass render vs the bare encode floor, MoviePy and per-segment re-encoding; draft time as a fraction;
    a photo slideshow, a render with music and a clip with everything on, each vs its floor."""
    flag = ((" --skip-moviepy" if skip_moviepy else "") + (" --draft-only" if draft_only else "")
            + (" --photos-only" if photos_only else "") + (" --music-only" if music_only else "")
            + (" --everything-only" if everything_only else ""))
    c.run(f"{PYTHON} -m editfactory.bench.render --gop {gop}{flag}", pty=False)


@task(help={"rounds": "timed runs of each variant (the best counts)"})
def bench_analyze(c: Context, rounds: int = 3) -> None:
    """Segment analysis speed as a multiple of real time on a 60 s 1080p30 source, and peak memory."""
    c.run(f"{PYTHON} -m editfactory.bench.analyze --rounds {rounds}", pty=False)


@task
def bench_tts(c: Context) -> None:
    """Piper real-time factor on this machine and synthesis-cache hit latency."""
    c.run(f"{PYTHON} -m editfactory.bench.tts", pty=False, env={"HF_HUB_OFFLINE": "1"})


@task
def bench_batch(c: Context) -> None:
    """Wall time for 10 variants: 1 vs 2 local workers vs a 2-worker Dask LocalCluster (ratios)."""
    c.run(f"{PYTHON} -m editfactory.bench.batch", pty=False, env={"HF_HUB_OFFLINE": "1"})


@task(help={"clips": "clips in the big profile", "projects": "projects they are spread over",
            "rounds": "timed repetitions of each measure",
            "no_render": "leave out the measures taken while a final render runs",
            "render_nice": "the render's nice increment (0: the server's priority, as before issue 21; -1: default)"})
def bench_studio(c: Context, clips: int = 100_000, projects: int = 1_000, rounds: int = 5, no_render: bool = False,
                 render_nice: int = -1) -> None:
    """The served studio next to the framework's floor in Chromium, idle and while a render runs: each page's
    first open vs the floor, page change, profile switch, job progress shown (p50/p95 vs targets)."""
    flags = (" --no-render" if no_render else "") + (f" --render-nice {render_nice}" if render_nice >= 0 else "")
    c.run(f"{PYTHON} -m editfactory.bench.studio --clips {clips} --projects {projects} --rounds {rounds}{flags}",
          pty=False)


@task(help={"writes": "writes of the notebook job", "threads": "busy threads of the studio process",
            "hold": "seconds each busy transaction keeps working",
            "seconds": "sustained run: the job writes alone this long, then as many writes next to the busy process"})
def bench_fairness(c: Context, writes: int = 200, threads: int = 4, hold: float = 0.0, seconds: float = 0.0) -> None:
    """Two processes on one profile: longest wait for the file and the job's time next to a busy studio vs alone."""
    c.run(f"{PYTHON} -m editfactory.bench.fairness --writes {writes} --threads {threads} --hold {hold} "
          f"--seconds {seconds}", pty=False)


bench_ns = Collection("bench")
for _name, _task in {
    "storage": bench_storage, "render": bench_render, "analyze": bench_analyze, "tts": bench_tts, "batch": bench_batch,
    "studio": bench_studio, "fairness": bench_fairness,
}.items():
    bench_ns.add_task(_task, name=_name)


@task(
    help={
        "out": "where to write the finished clip (.mp4)",
        "data_dir": "workspace root (default: data/ or $EDITFACTORY_DATA)",
        "source": "a video, a photo or a folder of both to use instead of the generated footage (repeatable)",
        "music": "a music track (MP3, M4A/AAC, WAV, OGG/Opus, FLAC) instead of the generated one",
        "look": "caption look: clean, bold-box, karaoke, word-pop, lower-third or punch",
        "product": "the product the end card sells (with --price)",
        "price": "its price, e.g. 49.90",
        "currency": "ISO currency code of the prices (default EUR)",
        "old_price": "the price before the sale, shown struck through with a sale badge",
        "cta": "the end card's call to action (default: 'Shop now — link in bio')",
        "url": "the shop's URL on the end card",
        "hook": "a big title over the first 1.5 s",
        "locale": "how prices read, e.g. ro_RO (default: the voice's language)",
        "transition": "between segments: cut, crossfade, slide or zoom (default: the project's choice)",
        "logo": "the store's logo (PNG, WebP, JPEG or SVG), drawn as a watermark inside the safe area",
    },
    iterable=["source"],
)
def demo(c: Context, out: str = "demo.mp4", data_dir: str | None = None, source: list[str] | None = None,
         music: str | None = None, look: str | None = None, product: str | None = None, price: str | None = None,
         currency: str | None = None, old_price: str | None = None, cta: str | None = None, url: str | None = None,
         hook: str | None = None, locale: str | None = None, transition: str | None = None,
         logo: str | None = None) -> None:
    """Make a finished, voiced, captioned 1080x1920 clip with music end to end, offline, in a 'Demo' profile."""
    args = f"--out {shlex.quote(out)}"
    if data_dir:
        args += f" --data-dir {shlex.quote(data_dir)}"
    for item in source or []:
        args += f" --source {shlex.quote(item)}"
    if music:
        args += f" --music {shlex.quote(music)}"
    if look:
        args += f" --look {shlex.quote(look)}"
    for option, value in (("product", product), ("price", price), ("currency", currency), ("old-price", old_price),
                          ("cta", cta), ("url", url), ("hook", hook), ("locale", locale), ("transition", transition),
                          ("logo", logo)):
        if value:
            args += f" --{option} {shlex.quote(value)}"
    c.run(f"{PYTHON} -m editfactory.ops.demo {args}", pty=False, env={"HF_HUB_OFFLINE": "1"})


@task(help={"out": "folder for the PNG files (default docs/screenshots)",
            "keep_workspace": "build the workspace in this folder and keep it (default: a temporary folder)",
            "page": "only this page: library, produce, music, voices, publish, dashboard, jobs or settings (repeatable)"},
      iterable=["page"])
def screenshots(c: Context, out: str = "docs/screenshots", keep_workspace: str | None = None,
                page: list[str] | None = None) -> None:
    """Screenshots of every studio page at 1366x768 and 1920x1080 over a store with 100 clips, 3 channels and
    20 jobs (a fresh workspace and a fake Postiz, served and shot in Chromium)."""
    args = f"--out {shlex.quote(out)}"
    if keep_workspace:
        args += f" --keep-workspace {shlex.quote(keep_workspace)}"
    for name in page or []:
        args += f" --page {shlex.quote(name)}"
    with c.cd(str(ROOT)):
        c.run(f"{PYTHON} -m editfactory.ops.screenshots {args}", pty=False, env={"HF_HUB_OFFLINE": "1"})


ns = Collection(test_ns, bench_ns, reliability, dev, serve, lab, doctor, demo, screenshots)
ns.configure({"run": {"echo": True}})
