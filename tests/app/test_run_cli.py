"""`livefit run` end to end: files written where OpenPose writes them, bad input refused cleanly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.cli import main
from app.sources import DemoSource

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(REPO / "tests" / "data" / "astronaut.png", folder / "astronaut.png")
    return folder


def run(*args: str) -> int:
    return main(["run", *args])


def test_image_folder_writes_keypoints_parse_and_images(photo_folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = run("--source", str(photo_folder), "--write-json", str(out / "json"), "--write-parse", str(out / "parse"),
               "--write-images", str(out / "images"), "--device", "cpu")
    assert code == 0
    document = json.loads((out / "json" / "astronaut_keypoints.json").read_text())
    keypoints = np.array(document["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
    assert np.hypot(*(keypoints[0, :2] - (221, 127))) < 12  # the nose, in pixels of the photo
    with Image.open(out / "parse" / "astronaut.png") as image:
        assert image.mode == "P"
        labels = np.asarray(image)
    assert labels.shape == (512, 512)
    assert labels[127, 221] == 13  # face
    overlay = cv2.imread(str(out / "images" / "astronaut.jpg"))
    assert overlay is not None and overlay.shape == (512, 512, 3)
    assert "a person in 1" in capsys.readouterr().out


def test_body25_layout(photo_folder: Path, tmp_path: Path) -> None:
    assert run("--source", str(photo_folder / "astronaut.png"), "--write-json", str(tmp_path),
               "--pose-format", "body25") == 0
    document = json.loads((tmp_path / "astronaut_keypoints.json").read_text())
    assert len(document["people"][0]["pose_keypoints_2d"]) == 25 * 3


def test_bad_file_in_a_folder_is_reported_and_leaves_no_output(photo_folder: Path, tmp_path: Path, capsys) -> None:
    data = (photo_folder / "astronaut.png").read_bytes()
    (photo_folder / "broken.png").write_bytes(data[: len(data) // 3])
    out = tmp_path / "json"
    code = run("--source", str(photo_folder), "--write-json", str(out))
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["astronaut_keypoints.json"]
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("livefit: error:")]
    assert len(errors) == 1 and "broken.png" in errors[0]


@pytest.mark.parametrize("name, expected", [
    ("missing.jpg", "no such file or folder"),
    ("empty", "has no images"),
    ("notes.jpg", "not a readable image"),
    ("clip.mp4", "cannot be opened"),
])
def test_bad_sources_give_one_line_and_exit_2(tmp_path: Path, capsys, name: str, expected: str) -> None:
    target = tmp_path / name
    if name == "empty":
        target.mkdir()
    elif name != "missing.jpg":
        target.write_bytes(b"this is not media at all" * 10)
    code = run("--source", str(target), "--write-json", str(tmp_path / "out"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("livefit: error:") and name in err[0] and expected in err[0]
    assert not (tmp_path / "out").exists()


def test_unknown_camera_index(capsys) -> None:
    assert run("--source", "7", "--max-frames", "1") == 2
    assert "camera 7" in capsys.readouterr().err


def test_video_writes_one_file_per_frame(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (640, 360))
    for frame in DemoSource(size=(640, 360), max_frames=4):
        writer.write(frame.image)
    writer.release()
    out = tmp_path / "json"
    assert run("--source", str(video), "--write-json", str(out)) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"clip_{i:012d}_keypoints.json" for i in range(4)]
    people = [json.loads((out / n).read_text())["people"] for n in names]
    assert all(len(p) == 1 for p in people)


def test_demo_source_needs_no_camera(tmp_path: Path, capsys) -> None:
    assert run("--source", "demo", "--max-frames", "3", "--write-images", str(tmp_path)) == 0
    assert len(list(tmp_path.glob("demo_*.jpg"))) == 3
    assert "demo: 3 frame(s), a person in 3" in capsys.readouterr().out


def test_garment_render_video_and_dataset(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tryon.avi"
    dataset = tmp_path / "dataset"
    assert run("--source", "demo", "--max-frames", "3", "--garment", "tee-navy", "--output", str(out),
               "--write-dataset", str(dataset)) == 0
    assert "demo: 3 frame(s), a person in 3, the garment on 3, " in capsys.readouterr().out
    capture = cv2.VideoCapture(str(out))
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 3
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (1280, 720)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(30.0)
    ok, first = capture.read()
    capture.release()
    demo = next(iter(DemoSource(max_frames=1))).image
    # The garment changed the picture on the demo person's chest (just below the neck, from the
    # keypoints the same run wrote), and nothing far from the person.
    keypoints = json.loads((dataset / "pose" / "demo_000000000000_keypoints.json").read_text())
    points = np.array(keypoints["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
    neck, shoulder_width = points[1, :2], np.hypot(*(points[2, :2] - points[5, :2]))
    cx, cy, r = int(neck[0]), int(neck[1] + 0.4 * shoulder_width), int(0.15 * shoulder_width)
    difference = np.abs(first.astype(int) - demo.astype(int)).max(2) > 40
    assert difference[cy - r:cy + r, cx - r:cx + r].mean() > 0.8 and difference[:, :150].mean() < 0.01
    assert (dataset / "cloth" / "tee-navy.jpg").exists() and (dataset / "cloth-mask" / "tee-navy.jpg").exists()
    pairs = (dataset / "test_pairs.txt").read_text().split("\n")
    assert pairs[0] == "demo_000000000000.jpg tee-navy.jpg"
    assert (dataset / "pose" / "demo_000000000000_keypoints.json").exists()
    assert (dataset / "image-parse" / "demo_000000000000.png").exists()


def test_a_person_left_without_the_garment_is_explained(photo_folder: Path, tmp_path: Path, capsys) -> None:
    # The astronaut turned a quarter, as if lying down: found, but a front-view garment is not
    # drawn on her, and the picture is written unchanged — which, unexplained, looks like a fault.
    photo = cv2.rotate(cv2.imread(str(photo_folder / "astronaut.png")), cv2.ROTATE_90_CLOCKWISE)
    cv2.imwrite(str(photo_folder / "astronaut.png"), photo)
    out = tmp_path / "out.png"
    assert run("--source", str(photo_folder / "astronaut.png"), "--garment", "tee-navy", "--output", str(out)) == 0
    assert np.array_equal(cv2.imread(str(out)), photo)
    assert ("a person in 1, the garment on 0 (it is drawn on someone upright and facing the camera, both "
            "shoulders in the picture)") in capsys.readouterr().out


def test_unknown_garment_is_a_one_line_error(capsys) -> None:
    assert run("--source", "demo", "--max-frames", "1", "--garment", "no-such-top") == 2
    assert "no garment with id 'no-such-top'" in capsys.readouterr().err


def test_each_photo_of_a_folder_is_rendered_on_its_own(photo_folder: Path, tmp_path: Path) -> None:
    # Stills are not frames of one video: the garment on one photo must not carry the fit of the
    # photo before it (it was smoothed towards it, and the wearer's sleeves were voted over both).
    photo = cv2.imread(str(photo_folder / "astronaut.png"))
    moved = cv2.warpAffine(photo, np.float32([[1, 0, 60], [0, 1, 20]]), photo.shape[1::-1],
                           borderMode=cv2.BORDER_REPLICATE)
    cv2.imwrite(str(photo_folder / "b_moved.png"), moved)
    alone = tmp_path / "alone"
    alone.mkdir()
    cv2.imwrite(str(alone / "b_moved.png"), moved)
    assert run("--source", str(photo_folder), "--garment", "tee-navy", "--output", str(tmp_path / "both"),
               "--device", "cpu") == 0
    assert run("--source", str(alone), "--garment", "tee-navy", "--output", str(tmp_path / "one"),
               "--device", "cpu") == 0
    after_another = cv2.imread(str(tmp_path / "both" / "b_moved.png")).astype(int)
    on_its_own = cv2.imread(str(tmp_path / "one" / "b_moved.png")).astype(int)
    assert np.abs(after_another - on_its_own).max() <= 1


def test_a_stream_frame_that_fails_on_the_overlap_worker_ends_the_run_with_one_line(tmp_path: Path, capsys,
                                                                                      monkeypatch) -> None:
    from app.errors import LiveFitError
    from app.pipeline.frame import FramePipeline

    label = FramePipeline.label  # the first part of a frame's finish, on a worker (one or two of them)

    def label_failing_the_third(self, begun):
        if begun.timestamp_s is not None and begun.timestamp_s >= 2 / 30:
            raise LiveFitError("frame 2 could not be parsed")
        return label(self, begun)

    monkeypatch.setattr(FramePipeline, "label", label_failing_the_third)
    out = tmp_path / "tryon.avi"
    assert run("--source", "demo", "--max-frames", "5", "--garment", "tee-navy", "--output", str(out)) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if " INFO " not in line]
    assert errors == ["livefit: error: frame 2 could not be parsed"]
    assert not out.exists()  # an unfinished video is not left behind
