"""Compression damage of footage (blockiness, smeared detail), scored from the analysis pass's one decode.

What survives the analysis pass's 160 px downscale is not enough: a 1080p frame's 8x8 coding blocks are
0.7 px there and a heavy encoder's smearing of fine texture is averaged away. So the same ffmpeg decode also
hands over a small mosaic of **native-resolution tiles** — 32x32 source pixels from 5x3 places spread over the
frame, aligned to the 16-pixel coding grid — stacked under the 160 px frame (:func:`with_detail_tiles`). Cropping
costs nothing next to decoding; the mosaic adds 15 kB per sampled frame.

Per sampled frame, from the tiles:

* **blockiness** — how much larger the pixel steps across the 4/8/16-pixel coding-block boundaries are than the
  steps next to them. Clean footage measures about 1.0–1.2 (edges fall anywhere), x264 at CRF 35 about 1.5–2.5,
  CRF 51 or MPEG-4 at q 31 3–12. The median over boundaries ignores a real edge that happens to sit on the grid,
  and tiles with no structure at all (a flat wall) give no evidence either way. The analysis decodes without the
  deblocking filter, so block edges the encoder would blur over are seen as what they are: detail thrown away.
* **smear** — fine detail relative to coarser structure: the mean Laplacian at native resolution over the one of
  the tile halved. A crisp edge on a flat area measures about 0.47, footage with texture or grain more; detail
  smeared by heavy quantization or by an upscale from a much smaller copy 0.3–0.45.

A window's ``damage`` (0..1, 1 = ruined) combines the two, each from its median over the window's frames, as
1 − (1 − blocks)(1 − smear). Known false alarm: synthetic pictures made of flat areas whose edges sit on the
16-pixel grid (ffmpeg's 1080p ``testsrc2``) read as blocky; camera footage has grain and edges anywhere.
"""

from __future__ import annotations

import math

import numpy as np

from editfactory.core.errors import ValidationError

TILE = 32
"""Side of a native-resolution tile (source pixels); a multiple of the 16-pixel coding grid."""
TILE_COLUMNS, TILE_ROWS = 5, 3
"""Tiles across and down the frame: 15 places, so one flat area or one strong edge does not decide. The mosaic is
as wide as the analysis frame (160 px = 5 tiles); a narrower analysis frame gets fewer tiles across."""
STEP_FLOOR = 2.0
"""Luma levels added to both sides of a boundary ratio, so near-flat areas (steps of a fraction of a level) do
not turn invisible ripples into large ratios."""
MIN_EVIDENCE = 0.5
"""Mean step (luma levels) at and next to a boundary below which that boundary shows nothing (flat area)."""
BLOCK_CLEAN, BLOCK_RUINED = 1.3, 3.0
"""Blockiness at and under which footage counts as clean (damage 0), and from which as ruined (1); log-scaled
between (CRF 35 lands about halfway)."""
SMEAR_CLEAN, SMEAR_RUINED = 0.47, 0.35
"""Fine-over-coarse detail ratio from which footage counts as clean, and at and under which as smeared (1). A
crisp edge on a flat area (a graphic, a product on a plain backdrop) measures about 0.47, so it is not smeared."""
STRUCTURE = 2.0
"""Mean Laplacian (luma levels) of the halved tile under which the tile has too little structure to judge smear."""


def tile_columns(width: int) -> int:
    """Tiles across a mosaic under a ``width``-wide analysis frame."""
    if width < TILE:
        raise ValidationError(f"Analysis frames must be at least {TILE} px wide (asked for {width}).")
    return min(TILE_COLUMNS, width // TILE)


def tile_origins(source_width: int, source_height: int, columns: int = TILE_COLUMNS) -> list[tuple[int, int]]:
    """Top-left corners of the tiles, row by row, on the 16-pixel grid and inside the frame."""
    def places(size: int, count: int) -> list[int]:
        last = max(0, size - TILE)
        return [min(last, max(0, int((i + 0.5) * size / count - TILE / 2) // 16 * 16)) for i in range(count)]

    return [(x, y) for y in places(source_height, TILE_ROWS) for x in places(source_width, columns)]


MOSAIC_ROWS = TILE * TILE_ROWS
"""Rows the mosaic adds under each analysis frame."""


def with_detail_tiles(chain: str, source_width: int, source_height: int, width: int) -> str:
    """An ffmpeg filter graph: ``chain`` (the analysis's scale to ``width``, gray) with the tile mosaic below it.

    One input, one output, so it still runs as the ``-vf`` of the one decode. A source smaller than a tile (never
    imported, but analysis takes any file) is padded.
    """
    columns = tile_columns(width)
    origins = tile_origins(source_width, source_height, columns)
    count = len(origins)
    side = min(TILE, source_width, source_height)
    crops = ";".join(
        f"[t{i}]crop={side}:{side}:{x}:{y},pad={TILE}:{TILE}[c{i}]" for i, (x, y) in enumerate(origins))
    layout = "|".join(f"{(i % columns) * TILE}_{(i // columns) * TILE}" for i in range(count))
    return (
        f"split=2[full][detail];[full]{chain}[small];"
        f"[detail]split={count}{''.join(f'[t{i}]' for i in range(count))};{crops};"
        f"{''.join(f'[c{i}]' for i in range(count))}xstack=inputs={count}:layout={layout},format=gray,"
        f"pad={width}:{MOSAIC_ROWS}[tiles];[small][tiles]vstack"
    )


def _boundary_indices() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per block period: the step positions on the boundaries, and for each the neighbouring steps inside blocks."""
    steps = TILE - 1  # step j is between pixel j and j + 1
    found = {}
    for period in (4, 8, 16):
        at = np.arange(period - 1, steps, period)
        near = []
        for j in at:
            neighbours = [k for k in (j - 2, j - 1, j + 1, j + 2) if 0 <= k < steps and k % 4 != 3]
            near.append((neighbours * 4)[:4])  # pad by repeating, so the array is rectangular
        found[period] = (at, np.array(near))
    return found


_BOUNDARIES = _boundary_indices()


def frame_blockiness(tiles: np.ndarray) -> float:
    """Blockiness of one frame's tiles (``(n, TILE, TILE)`` float): 1.0 clean, larger with visible block edges."""
    across = np.abs(np.diff(tiles, axis=2)).mean(axis=1)  # (n, TILE-1): mean step between columns j and j+1
    down = np.abs(np.diff(tiles, axis=1)).mean(axis=2)  # (n, TILE-1): between rows
    profiles = np.concatenate([across, down])
    best = 1.0
    for at, near in _BOUNDARIES.values():
        on = profiles[:, at]
        beside = profiles[:, near].mean(axis=2)
        evidence = (on + beside) >= MIN_EVIDENCE
        if evidence.sum() >= 6:
            best = max(best, float(np.median(((on + STEP_FLOOR) / (beside + STEP_FLOOR))[evidence])))
    return best


def _laplacian(pixels: np.ndarray) -> np.ndarray:
    return np.abs(4 * pixels[:, 1:-1, 1:-1] - pixels[:, :-2, 1:-1] - pixels[:, 2:, 1:-1]
                  - pixels[:, 1:-1, :-2] - pixels[:, 1:-1, 2:]).mean(axis=(1, 2))


def frame_smear(tiles: np.ndarray) -> float | None:
    """Fine-over-coarse detail of one frame's tiles (median over tiles with structure), None when all are flat."""
    n = tiles.shape[0]
    halved = tiles.reshape(n, TILE // 2, 2, TILE // 2, 2).mean(axis=(2, 4))
    coarse = _laplacian(halved)
    judged = coarse >= STRUCTURE
    if not judged.any():
        return None
    return float(np.median(_laplacian(tiles)[judged] / coarse[judged]))


def damage_from(blockiness: float, smear: float | None) -> float:
    """0..1 (1 = ruined) from a window's median blockiness and smear ratio."""
    block = min(math.log(max(blockiness, BLOCK_CLEAN) / BLOCK_CLEAN) / math.log(BLOCK_RUINED / BLOCK_CLEAN), 1.0)
    smeared = 0.0 if smear is None else min(max((SMEAR_CLEAN - smear) / (SMEAR_CLEAN - SMEAR_RUINED), 0.0), 1.0)
    # Either alone can ruin footage; both together are worse than either (blocks where the encoder kept a little
    # detail, smear where motion compensation moved the blocks off the grid).
    return round(1.0 - (1.0 - block) * (1.0 - smeared), 4)


class DamageMeter:
    """Per-sampled-frame blockiness and smear, collected as the analysis pass's frames stream in."""

    def __init__(self, source_width: int, source_height: int, width: int) -> None:
        self.columns = tile_columns(width)
        self.count = len(tile_origins(source_width, source_height, self.columns))
        self.side = min(TILE, source_width, source_height)
        self.blockiness: list[float] = []
        self.smear: list[float | None] = []

    def add(self, mosaic: np.ndarray) -> None:
        """One frame's mosaic (the rows stacked under the analysis frame), gray uint8."""
        if self.side < TILE:  # a source smaller than a tile (never imported): nothing to judge
            self.blockiness.append(1.0)
            self.smear.append(None)
            return
        tiles = (mosaic[:MOSAIC_ROWS, :self.columns * TILE].reshape(TILE_ROWS, TILE, self.columns, TILE)
                 .transpose(0, 2, 1, 3).reshape(self.count, TILE, TILE).astype(np.float32))
        self.blockiness.append(frame_blockiness(tiles))
        self.smear.append(frame_smear(tiles))

    def window(self, first: int, last: int) -> dict[str, float]:
        """``{'damage': 0..1}`` of sampled frames ``first``..``last`` (exclusive), for ScoredWindow."""
        blockiness = float(np.median(self.blockiness[first:last])) if last > first else 1.0
        smears = [s for s in self.smear[first:last] if s is not None]
        smear = float(np.median(smears)) if smears else None
        return {"damage": damage_from(blockiness, smear)}
