"""Batch production from a CSV: every bad row refused with its reason, the good rows made anyway, one job each."""

from __future__ import annotations

from pathlib import Path

import pytest

from editfactory.batch import REFUSED, batch_results, follow_batch, read_batch_csv, start_batch
from editfactory.errors import ValidationError
from editfactory.jobs import JobRunner
from editfactory.notebook import generate_footage

SMALL = {"name": "small", "width": 270, "height": 480}


def _csv(path: Path, *rows: str, header: str = "product,script,source_folder,variants") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_file_without_the_columns_or_rows_is_refused_whole(tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        read_batch_csv(tmp_path / "nope.csv")
    with pytest.raises(ValidationError, match="lacks the column.*source_folder.*first line must name"):
        read_batch_csv(_csv(tmp_path / "a.csv", "Mug,Hello,x,1", header="product,script,folder,variants"))
    with pytest.raises(ValidationError, match="no rows"):
        read_batch_csv(_csv(tmp_path / "b.csv", "", ""))


def test_each_bad_row_gets_its_own_reason(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no video here")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "clip.MP4").write_bytes(b"x")
    items = read_batch_csv(_csv(
        tmp_path / "products.csv",
        "Mug,,ok,1",
        "Hat,Sun hats for summer.,ok,0",
        "Cap,Caps.,ok,eleven",
        "Lamp,A lamp.,missing,2",
        "Bag,A bag.,notes,1",
        ",A thing.,ok,1",
        "",
        "Shoe,Shoes for walking.,ok,",
    ))
    reasons = {item.line: item.error for item in items}
    assert "script is empty" in reasons[2]
    assert "from 1 to 10 (got '0')" in reasons[3] and "(got 'eleven')" in reasons[4]
    assert f"{tmp_path / 'missing'} does not exist" in reasons[5]
    assert "holds no video" in reasons[6]
    assert "product name is empty" in reasons[7]
    assert 8 not in reasons  # the blank line is skipped
    shoe = items[-1]
    assert shoe.line == 9 and shoe.error is None and shoe.variants == 1 and shoe.source_folder == tmp_path / "ok"


def test_relative_folders_follow_the_given_base(tmp_path):
    (tmp_path / "footage" / "mug").mkdir(parents=True)
    (tmp_path / "footage" / "mug" / "a.mp4").write_bytes(b"x")
    items = read_batch_csv(_csv(tmp_path / "products.csv", "Mug,Hello.,mug,1"), base=tmp_path / "footage")
    assert items[0].error is None and items[0].source_folder == tmp_path / "footage" / "mug"


def test_a_folder_of_photos_is_footage(tmp_path):
    (tmp_path / "mug").mkdir()
    (tmp_path / "mug" / "front.JPG").write_bytes(b"x")
    (tmp_path / "mug" / "side.heic").write_bytes(b"x")
    items = read_batch_csv(_csv(tmp_path / "products.csv", "Mug,Hello.,mug,1"), base=tmp_path)
    assert items[0].error is None


@pytest.mark.slow
def test_a_batch_makes_the_good_rows_while_bad_rows_report_their_reason(workspace, tmp_path):
    footage = tmp_path / "footage"
    generate_footage(footage / "mug" / "mug-a.mp4", seconds=4, pattern="testsrc2", size="640x360")
    generate_footage(footage / "mug" / "mug-b.mp4", seconds=4, pattern="mandelbrot", size="640x360")
    generate_footage(footage / "hat" / "hat.mp4", seconds=4, pattern="smptehdbars", size="640x360")
    (footage / "broken").mkdir()
    (footage / "broken" / "fake.mp4").write_text("not a video")
    items = read_batch_csv(_csv(
        tmp_path / "products.csv",
        "Travel mug,Hot coffee all day.,mug,2",
        "Broken,This one cannot work.,broken,1",
        "Lamp,,hat,1",
        "Sun hat,Shade that folds.,hat,1",
    ), base=footage)
    shop = workspace.create("Batch Shop")
    other = workspace.create("Other Shop")
    reports: list[tuple[str, float | None]] = []
    with JobRunner(workers=2) as runner:
        start_batch(shop, runner, items, preset=SMALL, progress=lambda m, f: reports.append((m, f)))
        follow_batch(shop, runner, items, progress=lambda m, f: reports.append((m, f)), poll_seconds=0.2)
    results = {row["product"]: row for row in batch_results(shop, items)}
    mug, broken, lamp, hat = (results[name] for name in ("Travel mug", "Broken", "Lamp", "Sun hat"))
    assert mug["status"] == "succeeded" and len(mug["clips"]) == 2 and all(Path(p).is_file() for p in mug["clips"])
    assert hat["status"] == "succeeded" and len(hat["clips"]) == 1
    assert broken["status"] == REFUSED and "None of the videos" in broken["error"] and "fake.mp4" in broken["error"]
    assert lamp["status"] == REFUSED and "script is empty" in lamp["error"]
    assert mug["cost_usd"] == 0.0  # Piper is free
    fractions = [f for _, f in reports if f is not None]
    assert fractions[-1] == pytest.approx(1.0) and all(0.0 <= f <= 1.0 for f in fractions)
    assert any("analyzing" in m for m, _ in reports)
    from editfactory import projects

    assert projects.list_clips(other) == [] and projects.list_projects(other) == []
    assert {p["name"] for p in projects.list_projects(shop)} >= {"Travel mug", "Sun hat"}
