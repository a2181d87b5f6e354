"""While a render job runs, the page's periodic callback keeps the event loop free and shows the job's progress.

A component test on a real event loop: the Jobs page's poll (the session's periodic callback runs it once a
second when served) next to a real ffmpeg render in the job runner; a ticker measures the longest stretch of
work done on the loop's thread.
"""

from __future__ import annotations

import asyncio
import time

from editfactory.media.presets import RenderPreset
from editfactory.media.render import RenderSpec, render_clip
from editfactory.media.runner import run_ffmpeg
from editfactory.ui.jobs import JobsPage

PRESET = RenderPreset("test-wide", width=540, height=960, fps=30, x264_preset="veryfast")


def render_job(profile, ctx) -> dict:
    source = ctx.temp_dir / "source.mp4"
    run_ffmpeg(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "12",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(source)],
               timeout=300, what="test source", cancel=ctx.cancelled)
    render_clip(RenderSpec(segments=[(source, 0.0, 12.0)], preset=PRESET), ctx.temp_dir / "clip.mp4",
                progress=ctx.progress, cancel=ctx.cancelled, timeout=600)
    return {}


def test_the_jobs_page_follows_a_render_without_stalling_the_event_loop(workspace, make_session):
    profile = workspace.create("Store")
    session = make_session(profile.id)
    page = JobsPage(session=session)

    async def drive() -> tuple[float, set[str], float]:
        await page.refresh()
        job_id = session.runner.submit(profile, "render-probe", fn=render_job)
        steps: set[str] = set()
        worst = 0.0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal worst
            while not stop.is_set():
                # CPU time of this (the loop's) thread between two ticks: the work done on the loop meanwhile.
                # Not wall time, which on a loaded machine also counts the time the OS gave to others.
                before = time.thread_time()
                await asyncio.sleep(0.02)
                worst = max(worst, time.thread_time() - before)

        tick = asyncio.create_task(ticker())
        started = time.perf_counter()
        while time.perf_counter() - started < 300:
            await page.poll()
            shown = page._table.value
            row = shown[shown["id"] == job_id]
            if not row.empty:
                steps.add(str(row.iloc[0]["step"]))
                if row.iloc[0]["status"] in ("succeeded", "failed", "cancelled"):
                    break
            await asyncio.sleep(0.2)
        stop.set()
        await tick
        return worst, steps, time.perf_counter() - started

    worst, steps, took = asyncio.run(drive())
    rendering = [step for step in steps if step.startswith("Rendering the clip:")]
    assert len(rendering) >= 2, f"the render's progress was followed on the page: {sorted(steps)}"
    # A page callback that waited on the job (a database read on the loop, a render step on it) would stall it.
    assert worst < 0.25, f"the event loop worked {worst:.2f} s at a stretch while the page polled a render ({took:.0f} s)"
