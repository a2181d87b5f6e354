"""Background music in the clip's sound: the track cut to the clip, faded, leveled under the voice and ducked.

Pure (files in, an ffmpeg-python stream out), built into the render's single ffmpeg pass by
:mod:`editfactory.media.mixing`:

- the track from ``start`` seconds, trimmed to the clip's length — or, when what is left of it is shorter than
  the clip, looped: the track again from its beginning, joined with a ``crossfade`` (an equal-power
  ``acrossfade``) so the loop point has no gap or click;
- faded in and out (``afade``);
- leveled so that in the voice's pauses the music sits ``level_db`` under the voice's loudness (measured, like
  the voice and the footage's sound, in an audio-only pass);
- ducked under the voice: a ``sidechaincompress`` driven by the voice pushes one copy of the music far down
  while a word is spoken, and the dry copy is added back at ``-duck_db``, so while the voice speaks the music
  sits ``duck_db`` further down — a fixed depth, not one that depends on how loud the compressor is driven.

The options are fields of the render spec (:class:`editfactory.media.spec.MusicBed`, ``MusicOptions``).
Defaults, and why: ``level_db = -12`` keeps the music clearly heard between sentences (peers' beds are 10–15
dB under the voice) and ``duck_db = 10`` takes it to 22 dB under the voice's loudness during speech; words
themselves are a few dB louder or softer than the voice's integrated loudness, so the quietest words still
have the music at least 15 dB under them (measured per word on the encoded file by the tests).
"""

from __future__ import annotations


import ffmpeg

from editfactory.media.filtergraph import one_chain_per_use

from editfactory.media.spec import DEFAULT_DUCK_DB, DEFAULT_FADE_IN, DEFAULT_FADE_OUT, DEFAULT_LEVEL_DB, MusicBed, MusicOptions

DUCK_THRESHOLD_UNDER_VOICE_DB = 40.0
"""The music's compressor acts once the leveled voice is within this many dB of its loudness: far down, so any
speech drives it to its full reduction and the depth is set by ``duck_db`` alone."""
LOOP_CROSSFADE = 0.5
"""Seconds the end of the track and its beginning overlap where it loops."""


def pieces(bed: MusicBed, duration: float, crossfade: float = LOOP_CROSSFADE) -> list[tuple[float, float]]:
    """``(start, length)`` of each read of the track that together cover ``duration`` (plus loop overlaps).

    The first read starts at ``options.start`` (wrapped into the track); each later one is the whole track.
    """
    start = bed.options.start % bed.track_duration
    first = bed.track_duration - start
    reads = [(start, first)]
    covered = first
    while covered < duration:
        reads.append((0.0, bed.track_duration))
        covered += bed.track_duration - crossfade
    return reads


def music_stream(bed: MusicBed, duration: float, sample_rate: int):
    """The track as stereo float at ``sample_rate``, exactly ``duration`` long, looped or trimmed, faded."""
    def read(piece: tuple[float, float]):
        start, length = piece
        stream = ffmpeg.input(str(bed.path), ss=f"{start:.6f}", t=f"{length:.6f}", vn=None).audio
        return stream.filter("aresample", sample_rate).filter("aformat", sample_fmts="fltp", channel_layouts="stereo")

    # Equal reads (the whole track, once per loop) are one node to ffmpeg-python: decode it once and split it.
    streams = one_chain_per_use(pieces(bed, duration), read, "asplit")
    music = streams[0]
    for following in streams[1:]:
        music = ffmpeg.filter([music, following], "acrossfade", d=LOOP_CROSSFADE, c1="qsin", c2="qsin")
    music = music.filter("apad").filter("atrim", duration=f"{duration:.6f}").filter("asetpts", "N/SR/TB")
    options = bed.options
    if options.fade_in > 0:
        music = music.filter("afade", t="in", st=0, d=min(options.fade_in, duration / 2))
    if options.fade_out > 0:
        length = min(options.fade_out, duration / 2)
        music = music.filter("afade", t="out", st=f"{duration - length:.6f}", d=f"{length:.6f}")
    return music


def ducked(music, voice, *, duck_db: float, threshold: float, ratio: float, attack: float, release: float):
    """``music`` pushed ``duck_db`` down while ``voice`` (the sidechain) speaks: a compressed copy plus the dry
    copy at ``-duck_db``, so the depth is set by that gain rather than by how hard the voice drives the compressor."""
    dry_share = 10 ** (-duck_db / 20)
    copies = music.filter_multi_output("asplit", 2)
    squeezed = ffmpeg.filter([copies[0], voice], "sidechaincompress", threshold=f"{threshold:.6f}", ratio=ratio,
                             attack=attack, release=release)
    return ffmpeg.filter(
        [squeezed.filter("volume", f"{1 - dry_share:.6f}"), copies[1].filter("volume", f"{dry_share:.6f}")],
        "amix", inputs=2, duration="first", normalize=0,
    )


__all__ = ["DEFAULT_DUCK_DB", "DEFAULT_FADE_IN", "DEFAULT_FADE_OUT", "DEFAULT_LEVEL_DB", "MusicBed", "MusicOptions",
           "ducked", "music_stream", "pieces"]
