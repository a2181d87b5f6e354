"""Batch production from a CSV: every bad row refused with its reason, the good rows made anyway, one job each."""

from __future__ import annotations

from pathlib import Path

import pytest

from editfactory.core.errors import ValidationError
from editfactory.jobs import JobRunner
from editfactory.ops.batch import REFUSED, batch_results, follow_batch, read_batch_csv, start_batch
from editfactory.ops.notebook import generate_footage

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
    from editfactory.services import projects

    assert projects.list_clips(other) == [] and projects.list_projects(other) == []
    assert {p["name"] for p in projects.list_projects(shop)} >= {"Travel mug", "Sun hat"}


def _ok_folder(tmp_path: Path) -> Path:
    (tmp_path / "ok").mkdir(exist_ok=True)
    (tmp_path / "ok" / "clip.mp4").write_bytes(b"x")
    return tmp_path / "ok"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_quoted_multi_line_script_keeps_its_line_breaks(tmp_path, newline):
    _ok_folder(tmp_path)
    path = tmp_path / "products.csv"
    path.write_bytes(newline.join(["product,script,source_folder,variants", 'Mug,"Line one' + newline + 'Line two",ok,1',
                                   "Hat,Sun hats.,ok,1", ""]).encode())
    mug, hat = read_batch_csv(path)
    assert mug.script == "Line one\nLine two" and mug.error is None
    # Rows are numbered as a spreadsheet shows them: the two-line cell is one row.
    assert (mug.line, hat.line, hat.script) == (2, 3, "Sun hats.")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\x1c", "\x1e"])
def test_line_separators_and_form_feeds_inside_a_script_do_not_split_the_row(tmp_path, separator):
    _ok_folder(tmp_path)
    items = read_batch_csv(_csv(tmp_path / "p.csv", f"Mug,First{separator}second.,ok,2", "Hat,Sun hats.,ok,1"))
    assert [(item.product, item.script, item.variants, item.error) for item in items] == [
        ("Mug", f"First{separator}second.", 2, None), ("Hat", "Sun hats.", 1, None)]


def test_a_huge_cell_is_refused_with_a_reason(tmp_path):
    _ok_folder(tmp_path)
    huge = _csv(tmp_path / "huge.csv", "Mug,Hello.,ok,1", "Hat," + "a" * 5_000_000 + ",ok,1")
    with pytest.raises(ValidationError) as refused:
        read_batch_csv(huge)
    message = str(refused.value)
    assert "huge.csv" in message and "line 3" in message and "12,000 characters" in message and "_csv" not in message
    # A quote that is never closed swallows the rest of the file into one cell: the message says so.
    unclosed = _csv(tmp_path / "quote.csv", 'Mug,"Hello.,ok,1', *["Hat,Sun hats " + "x" * 100 + ".,ok,1"] * 2000)
    with pytest.raises(ValidationError, match=r'quote \(\"\) .* not closed'):
        read_batch_csv(unclosed)


def test_a_script_longer_than_a_voiceover_takes_refuses_its_row_only(tmp_path):
    _ok_folder(tmp_path)
    long_one, short = read_batch_csv(_csv(tmp_path / "p.csv", "Mug," + "w" * 15_000 + ",ok,1", "Hat,Sun hats.,ok,1"))
    assert "15,000 characters" in long_one.error and "at most 12,000" in long_one.error
    assert short.error is None


def test_a_column_named_twice_is_refused_by_name(tmp_path):
    _ok_folder(tmp_path)
    with pytest.raises(ValidationError, match="names the column 'script' twice"):
        read_batch_csv(_csv(tmp_path / "p.csv", "Mug,Hello.,ok,1,Bye.", header="product,script,source_folder,variants,Script"))


def test_a_semicolon_separated_file_is_read_as_one(tmp_path):
    # Spreadsheets in many languages save "CSV" with semicolons; a file whose header names every column with
    # semicolons is read with them (commas inside a script stay part of it).
    _ok_folder(tmp_path)
    path = tmp_path / "p.csv"
    path.write_text("product;script;source_folder;variants\nMug;Hot, all day.;ok;2\nHat;\"Sun; shade.\";ok;1\n")
    mug, hat = read_batch_csv(path)
    assert (mug.product, mug.script, mug.variants, mug.error) == ("Mug", "Hot, all day.", 2, None)
    assert hat.script == "Sun; shade."
    # A semicolon file with a wrong column still says which separator it seemed to use.
    path.write_text("product;script;folder;variants\nMug;Hello.;ok;1\n")
    with pytest.raises(ValidationError, match="lacks the column.*source_folder.*separated by ';'"):
        read_batch_csv(path)


def test_a_folder_that_is_a_file_is_called_a_file(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"x")
    [item] = read_batch_csv(_csv(tmp_path / "p.csv", "Mug,Hello.,clip.mp4,1"))
    assert f"{tmp_path / 'clip.mp4'} is a file, not a folder" in item.error and "does not exist" not in item.error


def test_the_music_column_names_a_file_or_a_mood(tmp_path):
    (tmp_path / "mug").mkdir()
    (tmp_path / "mug" / "a.mp4").write_bytes(b"x")
    items = read_batch_csv(_csv(tmp_path / "products.csv", "Mug,Hello.,mug,1,mood:Upbeat", "Cup,Hi.,mug,1,nope.mp3",
                                "Hat,Hey.,mug,1,mood:", "Pan,Yo.,mug,1,",
                                header="product,script,source_folder,variants,music"))
    mug, cup, hat, pan = items
    assert mug.error is None and mug.music_mood == "Upbeat"
    assert "the music file" in cup.error and "nope.mp3" in cup.error
    assert "music mood is empty" in hat.error
    assert pan.error is None and pan.music_file is None and pan.music_mood is None


@pytest.mark.slow
def test_a_row_plays_its_music_and_a_bad_track_refuses_only_its_row(workspace, tmp_path):
    from music_tracks import make_track

    from editfactory.jobs import JobStore
    from editfactory.footage.music import list_tracks

    footage = tmp_path / "footage"
    generate_footage(footage / "mug" / "mug.mp4", seconds=4, pattern="testsrc2", size="640x360")
    make_track(footage / "groove.wav", seconds=8)
    (footage / "notes.mp3").write_text("not a song\n" * 50)
    items = read_batch_csv(_csv(tmp_path / "products.csv", "Mug,Hot coffee all day.,mug,1,groove.wav",
                                "Cup,Tea all day.,mug,1,notes.mp3", header="product,script,source_folder,variants,music"),
                           base=footage)
    shop = workspace.create("Music Shop")
    with JobRunner(workers=1) as runner:
        start_batch(shop, runner, items, preset=SMALL)
        follow_batch(shop, runner, items, poll_seconds=0.2)
    results = {row["product"]: row for row in batch_results(shop, items)}
    assert results["Mug"]["status"] == "succeeded", results["Mug"]
    assert results["Cup"]["status"] == REFUSED and "not an audio file" in results["Cup"]["error"]
    [track] = list_tracks(shop)
    assert JobStore(shop).get(items[0].job_id).inputs["music"]["track_id"] == track.id
    assert results["Mug"]["music"] == [track.title] and results["Cup"]["music"] == []  # the results name the music


def test_the_transition_column_is_optional_and_a_bad_one_refuses_its_row(tmp_path):
    (tmp_path / "mug").mkdir()
    (tmp_path / "mug" / "a.mp4").write_bytes(b"x")
    items = read_batch_csv(_csv(tmp_path / "products.csv", "Mug,Hello.,mug,1,Crossfade", "Cup,Hi.,mug,1,spin",
                                "Pan,Yo.,mug,1,", header="product,script,source_folder,variants,transition"))
    mug, cup, pan = items
    assert mug.error is None and mug.transition == "crossfade"
    assert "the transition 'spin' is not one of cut, crossfade, slide, zoom" in cup.error
    assert pan.error is None and pan.transition is None  # empty: the project's choice


def test_a_brief_instead_of_a_script_writes_one_script_per_variant_offline(tmp_path):
    _ok_folder(tmp_path)
    items = read_batch_csv(_csv(
        tmp_path / "briefs.csv",
        "Aroma Mug,Keeps coffee hot for three hours.,$25,free shipping,ok,3,ro",
        "Sun hat,,,,ok,1,",
        "Lamp,A lamp.,,,ok,1,klingon",
        header="product,brief,price,offer,source_folder,variants,language",
    ))
    mug, hat, lamp = items
    assert mug.error is None and mug.script == "" and mug.brief.language == "ro"
    assert len(mug.variant_scripts) == 3 and len({s.split(".")[0] for s in mug.variant_scripts}) == 3
    assert all("Costă doar $25. Și în plus: free shipping." in s for s in mug.variant_scripts)
    assert "script is empty" in hat.error and "brief" in hat.error
    assert "the brief cannot be used: The language must be one of" in lamp.error


def test_a_row_with_a_script_keeps_it_even_when_it_has_a_brief(tmp_path):
    _ok_folder(tmp_path)
    (item,) = read_batch_csv(_csv(tmp_path / "both.csv", "Mug,Read this.,A mug.,ok,2",
                                  header="product,script,description,source_folder,variants"))
    assert item.script == "Read this." and item.variant_scripts == [] and item.brief is None


def test_a_brief_row_renders_its_variants_from_the_written_scripts(workspace, tmp_path):
    footage = tmp_path / "footage"
    generate_footage(footage / "mug" / "mug-a.mp4", seconds=4, pattern="testsrc2", size="640x360")
    items = read_batch_csv(_csv(tmp_path / "p.csv", "Aroma Mug,A mug that keeps coffee hot.,$25,mug,2,10",
                                header="product,description,price,source_folder,variants,target_seconds"),
                           base=footage)
    shop = workspace.create("Brief Shop")
    with JobRunner(workers=1) as runner:
        start_batch(shop, runner, items, preset=SMALL)
        follow_batch(shop, runner, items, poll_seconds=0.2)
    (row,) = batch_results(shop, items)
    assert row["status"] == "succeeded" and len(row["clips"]) == 2
    from editfactory.services import projects
    from editfactory.writing import load_brief

    clips = projects.list_clips(shop, items[0].project_id)
    spoken = {c["variant"]: c["tts"]["script"] for c in clips}
    assert spoken == dict(enumerate(items[0].variant_scripts, start=1)) and len(set(spoken.values())) == 2
    assert load_brief(shop, items[0].project_id).target_seconds == 10
