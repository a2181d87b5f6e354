"""Loudness: measure an audio graph with loudnorm's first pass, normalize with one gain, check the encoded file.

Measuring first (audio only, so it costs a fraction of the render) lets the render
apply one fixed gain and land within a fraction of an LU of the target; peaks the gain
would push over the ceiling are held down by a 4x-oversampled limiter (a true-peak
limiter), never by loudnorm's dynamic mode, which misses by 4–6 LU on clips under 3 s.
AAC encoding adds a few tenths of a dB of overshoot and the limiter takes a little
loudness away, so the render measures the *encoded file* (:func:`measure_file`) and
corrects the audio until it meets the target (see ``editfactory.media.render``).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import ffmpeg

from editfactory.core.errors import MediaError
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


_MEASURED: OrderedDict[tuple, LoudnessMeasurement] = OrderedDict()
_MEASURED_LOCK = threading.Lock()
_MEASURED_KEPT = 256


def forget_measurements() -> None:
    """Drop the kept measurements (benchmarks time a first measure with it)."""
    with _MEASURED_LOCK:
        _MEASURED.clear()


def _measure_key(args: list[str]) -> tuple | None:
    """The measure command with each input file's size and modification time: the same key, the same audio."""
    files = []
    for flag, value in zip(args, args[1:]):
        if flag == "-i":
            if value.startswith("pipe:") or value == "-":
                return None
            try:
                stat = os.stat(value)
            except OSError:  # a lavfi source (silence): the text itself says what it makes
                files.append((value, None, None, None))
                continue
            files.append((value, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return (tuple(args), tuple(files))


def measure(audio_stream, *, target_lufs: float, true_peak_db: float, timeout: float, cancel=None) -> LoudnessMeasurement:
    """Run loudnorm's analysis pass on an ffmpeg-python audio stream; nothing is written.

    The result is kept (in this process) for the same graph over the same unchanged files, so a draft preview
    after the final render, a second draft or a final after a draft measure the voiceover and the mix once.
    """
    graph = ffmpeg.output(loudnorm_measure_filter(audio_stream, target_lufs, true_peak_db), "-", f="null")
    args = graph.compile(cmd="ffmpeg")[1:]
    key = _measure_key(args)
    with _MEASURED_LOCK:
        if key is not None and key in _MEASURED:
            _MEASURED.move_to_end(key)
            return _MEASURED[key]
    lines = run_ffmpeg(["-v", "info", *args], timeout=timeout, what="Measuring loudness", cancel=cancel)
    measured = parse_loudnorm_json(lines)
    if key is not None:
        with _MEASURED_LOCK:
            _MEASURED[key] = measured
            while len(_MEASURED) > _MEASURED_KEPT:
                _MEASURED.popitem(last=False)
    return measured


FIRST_CEILING_MARGIN = 0.5
"""dB kept under the true-peak limit before encoding; AAC overshoot measured on voices is 0.1–0.4 dB."""
OVERSAMPLING = 4
"""The limiter runs at 4x the output rate, so peaks between samples (true peaks) are caught too."""


def apply_filter(stream, measured: LoudnessMeasurement, *, target_lufs: float, ceiling_db: float, sample_rate: int,
                 gain_correction: float = 0.0, oversampling: int = OVERSAMPLING):
    """One gain for the whole clip (``target - measured`` plus a correction found on the encoded file).

    When that gain keeps the true peak under ``ceiling_db`` a plain ``volume`` is enough; otherwise the
    gained audio goes through a look-ahead limiter at ``ceiling_db``, oversampled so it limits true peaks
    (``oversampling=1``: a sample-peak limiter at a fraction of the cost, for draft previews).
    """
    gain = target_lufs - measured.integrated + gain_correction
    gained = stream.filter("volume", f"{gain:.2f}dB")
    if measured.true_peak + gain <= ceiling_db:
        return gained
    limit = 10 ** (ceiling_db / 20)
    if oversampling <= 1:
        return gained.filter("alimiter", limit=f"{limit:.5f}", attack=1, release=50, level="false", latency="true")
    return (
        gained.filter("aresample", sample_rate * oversampling)
        .filter("alimiter", limit=f"{limit:.5f}", attack=1, release=50, level="false", latency="true")
        .filter("aresample", sample_rate)
    )


@dataclass(frozen=True)
class FileLoudness:
    integrated: float
    true_peak: float


_SUMMARY_I = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_SUMMARY_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def integrated_loudness(audio_stream, *, timeout: float, cancel=None) -> float:
    """Integrated loudness (LUFS, to 0.1 LU; -70 for silence) of an ffmpeg-python audio stream, by ``ebur128``.

    For leveling one part of a mix against another, where the true peak is not needed: about a ninth of the CPU of
    :func:`measure` (loudnorm's analysis resamples to 192 kHz for its true peak), the same BS.1770 gated loudness.
    """
    graph = ffmpeg.output(audio_stream.filter("ebur128"), "-", f="null")
    lines = run_ffmpeg(["-v", "info", *graph.compile(cmd="ffmpeg")[1:]], timeout=timeout, what="Measuring loudness",
                       cancel=cancel)
    text = "".join(lines)
    found = _SUMMARY_I.search(text[text.rfind("Summary:"):]) if "Summary:" in text else None
    if not found:
        raise MediaError(f"ffmpeg did not report the loudness of the audio:\n{relevant_stderr(lines)}")
    return -70.0 if found.group(1) == "-inf" else float(found.group(1))


def measure_file(path, *, timeout: float, cancel=None) -> FileLoudness:
    """Integrated loudness and true peak of a finished file's audio, as ``ebur128=peak=true`` reports them."""
    lines = run_ffmpeg(
        ["-v", "info", "-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"],
        timeout=timeout, what="Checking the loudness of the clip", cancel=cancel,
    )
    text = "".join(lines)
    summary = text[text.rfind("Summary:"):] if "Summary:" in text else ""
    integrated, peak = _SUMMARY_I.search(summary), _SUMMARY_PEAK.search(summary)
    if not integrated or not peak:
        raise MediaError(f"ffmpeg did not report the loudness of the finished clip:\n{relevant_stderr(lines)}")

    def number(match) -> float:
        return -70.0 if match.group(1) == "-inf" else float(match.group(1))

    return FileLoudness(number(integrated), number(peak))
