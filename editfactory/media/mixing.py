"""The clip's sound before loudness normalization: the voiceover, the footage's own sound (the bed), ducking.

Any mix of sources works: each segment's sound becomes stereo float at the preset's rate, whatever it was —
no sound at all (silence of the segment's length), mono (centred), stereo, 5.1 (ffmpeg's standard ITU
downmix: centre and surrounds at -3 dB, LFE left out), any sample rate. A segment keeps the sound's own
timestamps: sound that starts after the picture is padded at the start, a gap is filled, and a segment
that lies past the end of the sound is silent.

Ducking compares levels, so both sides are first brought to known ones, each measured alone (audio-only
passes that cost a small part of the render): the voice to the preset's loudness, the bed at most
``bed_volume`` of it (it is lowered, never raised, so quiet room tone is not turned into hiss). While the
voice speaks, ``sidechaincompress`` driven by that leveled voice pushes the bed further down; so the voice
stays on top whatever the raw level of the voiceover or of the footage.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import ffmpeg

from editfactory.media import loudness
from editfactory.media.filtergraph import one_chain_per_use
from editfactory.media.presets import RenderPreset
from editfactory.media.probe import MediaInfo

DUCK_THRESHOLD_UNDER_VOICE_DB = 24.0
"""The compressor starts pushing the bed down once the leveled voice is within this many dB of its loudness."""
DUCK_RATIO = 20.0
"""Close to a limiter: above the threshold the bed goes down almost dB for dB as the voice comes up."""
DUCK_ATTACK_MS, DUCK_RELEASE_MS = 20, 350
"""Quick to duck at a word's start, slow enough to stay down through the short gaps between words."""


@dataclass(frozen=True)
class SourceSound:
    """The sound of one segment: ``duration`` seconds of ``source`` from ``start`` (silence if it has none)."""

    source: Path
    start: float
    duration: float
    has_audio: bool


@dataclass(frozen=True)
class Mix:
    """What the clip's sound is made of, and the gains that level voice and bed before ducking."""

    pieces: tuple[SourceSound, ...]
    duration: float
    sample_rate: int
    voiceover: Path | None = None
    duck: bool = False
    bed_volume: float = 0.35
    voice_gain_db: float = 0.0
    bed_gain_db: float = 0.0
    duck_threshold: float = 0.03
    """Linear level of the voice above which the bed is ducked (set from the voice's level by :func:`plan_mix`)."""

    @property
    def uses_bed(self) -> bool:
        """The footage's sound is heard: there is no voiceover, or it is ducked under one and some segment has sound."""
        if self.voiceover is None:
            return True
        return self.duck and any(piece.has_audio for piece in self.pieces)

    def graph(self):
        """The ffmpeg-python stream of the mix; built anew for every pass (measure, render, corrections)."""
        if self.voiceover is None:
            return self.bed()
        voice = self.voice()
        if not self.uses_bed:
            return voice
        voice = voice.filter("volume", f"{self.voice_gain_db:.2f}dB")
        bed = self.bed().filter("volume", f"{self.bed_gain_db:.2f}dB")
        voice_parts = voice.filter_multi_output("asplit", 2)
        ducked = ffmpeg.filter(
            [bed, voice_parts[0]], "sidechaincompress", threshold=f"{self.duck_threshold:.6f}", ratio=DUCK_RATIO,
            attack=DUCK_ATTACK_MS, release=DUCK_RELEASE_MS,
        )
        return ffmpeg.filter([voice_parts[1], ducked], "amix", inputs=2, duration="first", normalize=0)

    def voice(self):
        """The voiceover as stereo at the clip's rate, exactly as long as the clip."""
        return (
            ffmpeg.input(str(self.voiceover)).audio.filter("aresample", self.sample_rate)
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
            .filter("apad").filter("atrim", duration=self.duration)
        )

    def bed(self):
        """The segments' own sound, one after another, as long as the clip (padded with silence at the end)."""
        pieces = one_chain_per_use(
            self.pieces, self._piece, "asplit",
            key=lambda piece: piece if piece.has_audio else ("silence", round(piece.duration, 6)),
        )
        bed = ffmpeg.concat(*pieces, v=0, a=1) if len(pieces) > 1 else pieces[0]
        return bed.filter("apad").filter("atrim", duration=self.duration)

    def _piece(self, piece: SourceSound):
        if piece.has_audio:
            stream = ffmpeg.input(str(piece.source), ss=piece.start, t=piece.duration, vn=None).audio
        else:
            stream = ffmpeg.input(f"anullsrc=r={self.sample_rate}:cl=stereo", f="lavfi", t=piece.duration).audio
        return (
            # async + first_pts: sound that starts after the segment's start is padded in front, gaps are filled,
            # so the sound stays in sync with the picture. The channel layout is converted by ffmpeg's
            # standard downmix (centre and surrounds at -3 dB, LFE out; no normalization, the format is float).
            stream.filter("aresample", self.sample_rate, first_pts=0, **{"async": 1})
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
            .filter("apad", whole_dur=piece.duration)
            # A segment past the end of the sound gets only padding, which has no timestamps; count samples
            # instead, or the trims after it never end (the render hung until its timeout).
            .filter("asetpts", "N/SR/TB")
            .filter("atrim", duration=piece.duration)
        )


def sounds_of(segments: Sequence, infos: Mapping[Path, MediaInfo]) -> tuple[SourceSound, ...]:
    """The sound of each render segment (anything with ``source``, ``start`` and ``duration``)."""
    return tuple(
        SourceSound(Path(s.source), float(s.start), float(s.duration), infos[Path(s.source)].has_audio) for s in segments
    )


def plan_mix(pieces: tuple[SourceSound, ...], *, duration: float, preset: RenderPreset, voiceover: Path | None,
             duck: bool, bed_volume: float, timeout: float, cancel: threading.Event | None = None) -> Mix:
    """The mix of a clip; when voice and bed are both heard, their levels are measured and leveling gains set."""
    mix = Mix(pieces, duration, preset.sample_rate, voiceover, duck, bed_volume)
    if voiceover is None or not mix.uses_bed:
        return mix
    voice = _integrated(mix.voice(), preset, timeout, cancel)
    bed = _integrated(mix.bed(), preset, timeout, cancel)
    voice_level = preset.loudness_lufs
    voice_gain = 0.0 if voice is None else voice_level - voice
    bed_ceiling = voice_level + 20 * math.log10(max(bed_volume, 1e-6))
    bed_gain = 0.0 if bed is None else min(0.0, bed_ceiling - bed)
    threshold = 10 ** ((voice_level - DUCK_THRESHOLD_UNDER_VOICE_DB) / 20)
    return replace(mix, voice_gain_db=voice_gain, bed_gain_db=bed_gain, duck_threshold=threshold)


def _integrated(stream, preset: RenderPreset, timeout: float, cancel) -> float | None:
    """Integrated loudness of one side of the mix; ``None`` for silence (no gain can level it)."""
    measured = loudness.measure(stream, target_lufs=preset.loudness_lufs, true_peak_db=preset.true_peak_db,
                                timeout=timeout, cancel=cancel)
    return None if measured.integrated <= loudness.SILENCE_LUFS else measured.integrated
