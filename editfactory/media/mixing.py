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

Background music (:mod:`editfactory.media.music`) is a third part: measured alone too, leveled to sit
``level_db`` under the voice, and ducked by the same leveled voice to a fixed depth while it speaks.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import ffmpeg

from editfactory.media import loudness
from editfactory.media import music as music_bed
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
    music: music_bed.MusicBed | None = None
    music_gain_db: float = 0.0
    music_threshold: float = 0.001
    """Linear level of the voice above which the music is ducked (far under the voice, so the depth is fixed)."""

    @property
    def uses_bed(self) -> bool:
        """The footage's sound is heard: there is no voiceover, or it is ducked under one and some segment has sound."""
        if self.voiceover is None:
            return True
        return self.duck and any(piece.has_audio for piece in self.pieces)

    def graph(self):
        """The ffmpeg-python stream of the mix; built anew for every pass (measure, render, corrections)."""
        if self.music is not None:
            return self._with_music()
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

    def music_stream(self):
        """The music alone: looped or trimmed to the clip, faded (before leveling)."""
        return music_bed.music_stream(self.music, self.duration, self.sample_rate)

    def _with_music(self):
        music = self.music_stream().filter("volume", f"{self.music_gain_db:.2f}dB")
        has_bed = any(piece.has_audio for piece in self.pieces)
        if self.voiceover is None:
            if not has_bed:
                return music
            return ffmpeg.filter([self.bed(), music], "amix", inputs=2, duration="first", normalize=0)
        voice = self.voice().filter("volume", f"{self.voice_gain_db:.2f}dB")
        voice_parts = voice.filter_multi_output("asplit", 3 if self.uses_bed else 2)
        parts = [voice_parts[0], music_bed.ducked(
            music, voice_parts[1], duck_db=self.music.duck_db, threshold=self.music_threshold, ratio=DUCK_RATIO,
            attack=DUCK_ATTACK_MS, release=DUCK_RELEASE_MS,
        )]
        if self.uses_bed:
            parts.append(ffmpeg.filter(
                [self.bed().filter("volume", f"{self.bed_gain_db:.2f}dB"), voice_parts[2]], "sidechaincompress",
                threshold=f"{self.duck_threshold:.6f}", ratio=DUCK_RATIO, attack=DUCK_ATTACK_MS, release=DUCK_RELEASE_MS,
            ))
        return ffmpeg.filter(parts, "amix", inputs=len(parts), duration="first", normalize=0)

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
             duck: bool, bed_volume: float, timeout: float, cancel: threading.Event | None = None,
             music: music_bed.MusicBed | None = None) -> Mix:
    """The mix of a clip; when voice and bed (or music) are both heard, their levels are measured and leveling
    gains set."""
    mix = Mix(pieces, duration, preset.sample_rate, voiceover, duck, bed_volume)
    if music is not None:
        mix = _plan_music(replace(mix, music=music), preset, timeout, cancel)
    if voiceover is None or not mix.uses_bed:
        return mix
    voice_level = preset.loudness_lufs
    if mix.music is not None:  # the voice was measured and leveled for the music already
        voice_gain = mix.voice_gain_db
    else:
        voice = _integrated(mix.voice(), preset, timeout, cancel)
        voice_gain = 0.0 if voice is None else voice_level - voice
    bed = _integrated(mix.bed(), preset, timeout, cancel)
    bed_ceiling = voice_level + 20 * math.log10(max(bed_volume, 1e-6))
    bed_gain = 0.0 if bed is None else min(0.0, bed_ceiling - bed)
    threshold = 10 ** ((voice_level - DUCK_THRESHOLD_UNDER_VOICE_DB) / 20)
    return replace(mix, voice_gain_db=voice_gain, bed_gain_db=bed_gain, duck_threshold=threshold)


def _plan_music(mix: Mix, preset: RenderPreset, timeout: float, cancel) -> Mix:
    """Level the music ``level_db`` under the voice's target loudness (the voice leveled to it, when there is one)."""
    voice_level = preset.loudness_lufs
    voice_gain = 0.0
    if mix.voiceover is not None:
        voice = _integrated(mix.voice(), preset, timeout, cancel)
        voice_gain = 0.0 if voice is None else voice_level - voice
    music = _integrated(mix.music_stream(), preset, timeout, cancel)
    music_gain = 0.0 if music is None else voice_level + mix.music.options.level_db - music
    threshold = 10 ** ((voice_level - music_bed.DUCK_THRESHOLD_UNDER_VOICE_DB) / 20)
    return replace(mix, voice_gain_db=voice_gain, music_gain_db=music_gain, music_threshold=threshold)


def _integrated(stream, preset: RenderPreset, timeout: float, cancel) -> float | None:
    """Integrated loudness of one side of the mix; ``None`` for silence (no gain can level it)."""
    # ebur128, not loudnorm: leveling needs no true peak, and this runs once per part (voice, music, bed).
    integrated = loudness.integrated_loudness(stream, timeout=timeout, cancel=cancel)
    return None if integrated <= loudness.SILENCE_LUFS else integrated
