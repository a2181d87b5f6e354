"""Loudness: measure an audio graph with loudnorm's first pass, then normalize linearly in the render pass.

Measuring first (audio only, so it costs a fraction of the render) lets the render
apply one fixed gain (``linear=true``) and land within a fraction of an LU of the
target, where single-pass dynamic loudnorm often misses by 1–2 LU on short clips.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import ffmpeg

from editfactory.errors import MediaError
from editfactory.media.runner import relevant_stderr, run_ffmpeg

LRA_TARGET = 11.0
SILENCE_LUFS = -60.0
"""Audio measured at or below this is silence; it is left as it is rather than amplified."""


@dataclass(frozen=True)
class LoudnessMeasurement:
    integrated: float
    true_peak: float
    lra: float
    threshold: float
    offset: float


def loudnorm_measure_filter(stream, target_lufs: float, true_peak_db: float):
    return stream.filter("loudnorm", I=target_lufs, TP=true_peak_db, LRA=LRA_TARGET, print_format="json")


def parse_loudnorm_json(lines: list[str]) -> LoudnessMeasurement:
    text = "".join(lines)
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", text, re.S)
    if not match:
        raise MediaError(f"ffmpeg did not report the loudness of the audio:\n{relevant_stderr(lines)}")
    data = json.loads(match.group(0))

    def number(key: str) -> float:
        value = float(data[key])
        if value != value or value in (float("inf"), float("-inf")):  # silence measures as -inf
            return -70.0
        return value

    return LoudnessMeasurement(
        integrated=number("input_i"),
        true_peak=number("input_tp"),
        lra=number("input_lra"),
        threshold=number("input_thresh"),
        offset=number("target_offset"),
    )


def measure(audio_stream, *, target_lufs: float, true_peak_db: float, timeout: float, cancel=None) -> LoudnessMeasurement:
    """Run loudnorm's analysis pass on an ffmpeg-python audio stream; nothing is written."""
    graph = ffmpeg.output(loudnorm_measure_filter(audio_stream, target_lufs, true_peak_db), "-", f="null")
    args = graph.compile(cmd="ffmpeg")[1:]
    lines = run_ffmpeg(["-v", "info", *args], timeout=timeout, what="Measuring loudness", cancel=cancel)
    return parse_loudnorm_json(lines)


def loudnorm_apply_filter(stream, measured: LoudnessMeasurement, *, target_lufs: float, true_peak_db: float, sample_rate: int):
    """The second pass: one gain for the whole clip.

    When that gain keeps the true peak under the limit, a plain ``volume`` does exactly what
    loudnorm's linear mode would, without its 192 kHz resampling; otherwise loudnorm (linear,
    falling back to its dynamic mode) holds the peak down.
    """
    gain = target_lufs - measured.integrated
    if measured.true_peak + gain <= true_peak_db - 0.3:
        return stream.filter("volume", f"{gain:.2f}dB")
    return stream.filter(
        "loudnorm",
        I=target_lufs,
        TP=true_peak_db,
        LRA=max(LRA_TARGET, round(measured.lra + 1, 1)),
        measured_I=measured.integrated,
        measured_TP=measured.true_peak,
        measured_LRA=measured.lra,
        measured_thresh=measured.threshold,
        offset=measured.offset,
        linear="true",
    ).filter("aresample", sample_rate)
