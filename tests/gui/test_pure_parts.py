"""The GUI's Qt-free parts: the newest-frame slot, statistics, photo saving, the editor model."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from app.errors import GarmentError, OutputError
from app.garments import sidecar as sidecars
from app.garments.model import SleeveKind
from app.gui.editor_model import GarmentEdit, background_distance
from app.gui.guidance import DressingHint
from app.gui.latest import LatestSlot
from app.gui.photo import CaptureRequest, capture_stem, save_capture
from app.gui.stats import FrameStats, StallMeter, percentile


def test_latest_slot_keeps_only_the_newest_and_counts_what_it_dropped() -> None:
    slot: LatestSlot[int] = LatestSlot()
    assert slot.take(0.0) is None
    for value in range(5):
        slot.put(value)
    assert slot.take(0.0) == 4
    assert slot.dropped == 4
    assert slot.take(0.0) is None
    slot.put(9)
    slot.clear()
    assert slot.take(0.0) is None and slot.dropped == 4


def test_latest_slot_wakes_a_waiting_taker() -> None:
    slot: LatestSlot[str] = LatestSlot()
    got: list[str | None] = []
    taker = threading.Thread(target=lambda: got.append(slot.take(5.0)))
    taker.start()
    slot.put("frame")
    taker.join(5.0)
    assert got == ["frame"]


def _view_frame(captured_at: float, dropped: int = 0) -> SimpleNamespace:
    timings = {"pose": 10.0, "parse": 5.0, "warp": 2.0, "compose": 3.0, "total": 20.0}
    return SimpleNamespace(captured_at=captured_at, dropped_total=dropped, device="cpu",
                           result=SimpleNamespace(timings_ms=timings))


def test_frame_stats_latency_fps_stages_and_summary() -> None:
    stats = FrameStats()
    for i in range(31):  # 30 fps, each frame painted 40 ms after capture
        stats.record_paint(_view_frame(i / 30), i / 30 + 0.040)  # type: ignore[arg-type]
    snap = stats.snapshot()
    assert snap.fps == pytest.approx(30.0)
    assert snap.latency_median_ms == pytest.approx(40.0)
    assert snap.latency_p95_ms == pytest.approx(40.0)
    assert snap.stages_ms["pose"] == 10.0 and snap.device == "cpu" and snap.painted == 31
    assert "median 40.0 ms, p95 40.0 ms" in stats.summary()
    assert stats.summary().startswith("31 frames painted (30.0 frames/s), ")
    assert FrameStats().summary() == "no frame was painted"


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(map(float, range(101))), 95) == 95.0


def test_stall_meter_reports_how_late_the_gui_was() -> None:
    meter = StallMeter(0.01)
    for now in (0.0, 0.01, 0.02, 0.13, 0.14):
        meter.tick(now)
    assert "max 100.0 ms" in meter.summary()


# --- photos --------------------------------------------------------------------------------


def _result(height: int = 48, width: int = 64) -> SimpleNamespace:
    source = np.zeros((height, width, 3), np.uint8)
    source[:, : width // 2] = (0, 0, 255)  # left half red: mirroring is visible
    pose = SimpleNamespace(people=())
    return SimpleNamespace(source=source, output=source.copy(), perception=SimpleNamespace(pose=pose))


def test_save_capture_writes_the_displayed_picture_and_extras(tmp_path) -> None:
    result = _result()
    displayed = np.ascontiguousarray(result.output[:, ::-1])
    moment = datetime(2025, 3, 1, 14, 3, 22, 123456)
    request = CaptureRequest(displayed, result, tmp_path / "Pictures" / "LiveFit", save_original=True,  # type: ignore[arg-type]
                             save_pose_json=True, taken_at=moment)
    saved = save_capture(request)
    assert saved.image_path.name == "LiveFit_2025-03-01_14-03-22-123.png" == capture_stem(moment) + ".png"
    assert np.array_equal(cv2.imread(str(saved.image_path)), displayed)
    original, keypoints = saved.extra_paths
    assert np.array_equal(cv2.imread(str(original)), result.source)  # as the camera saw it
    assert json.loads(keypoints.read_text()) == {"version": 1.3, "people": []}
    assert saved.thumbnail.shape == (90, 120, 3)
    again = save_capture(request)  # the same millisecond twice: a second name, nothing overwritten
    assert again.image_path.name == "LiveFit_2025-03-01_14-03-22-123-2.png"


def test_save_capture_failure_is_one_line_naming_the_folder(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _result()
    with pytest.raises(OutputError) as caught:
        save_capture(CaptureRequest(result.output, result, blocker / "LiveFit"))  # type: ignore[arg-type]
    assert str(blocker / "LiveFit") in str(caught.value) and "\n" not in str(caught.value)


# --- editor model --------------------------------------------------------------------------


@pytest.fixture
def edit(catalog) -> GarmentEdit:
    return GarmentEdit.open(catalog.find("red-tee").sidecar_path)


def test_editor_model_moves_points_with_undo_and_clamps_to_the_photo(edit: GarmentEdit) -> None:
    original = dict(edit.state.landmarks)
    edit.move_landmark("hem_left", 500, 950)
    edit.move_landmark("hem_left", 510, 960, record=False)  # the same drag: one undo step
    edit.move_landmark("neck_center", -50, 5000)
    assert edit.state.landmarks["neck_center"] == (0.0, 1024.0)
    assert edit.undo() and edit.state.landmarks["hem_left"] == (510.0, 960.0)
    assert edit.undo() and edit.state.landmarks == original
    assert not edit.undo() and not edit.dirty
    with pytest.raises(GarmentError):
        edit.move_landmark("elbow", 1, 1)


def test_editor_model_threshold_and_eraser_cut_the_mask(edit: GarmentEdit) -> None:
    full = int(np.count_nonzero(edit.mask()))
    edit.erase(384, 600, 40)
    erased = int(np.count_nonzero(edit.mask()))
    assert full - erased == pytest.approx(np.pi * 40 ** 2, rel=0.1)
    edit.set_threshold(250)  # clamped to the slider's range; red is far from white: only edge pixels go
    assert edit.state.threshold == 120
    assert erased - 100 < np.count_nonzero(edit.mask()) < erased
    # Background the stored mask kept by mistake (a white band) is what the threshold removes.
    edit.stored_mask[:20] = 255
    edit.set_threshold(30)
    assert not edit.mask()[:20].any()
    garment = edit.to_garment()
    assert garment.rgba.shape == (1024, 768, 4) and np.array_equal(garment.rgba[:, :, 3], edit.mask())


def test_background_distance_is_zero_on_the_border_colour() -> None:
    photo = np.full((40, 30, 3), 246, np.uint8)
    photo[10:30, 10:20] = (10, 20, 250)
    distance = background_distance(photo)
    assert distance[0, 0] == 0 and distance[20, 15] == 236


def test_editor_model_saves_a_validated_sidecar_and_mask(edit: GarmentEdit) -> None:
    edit.move_landmark("hem_left", 560, 940)
    edit.erase(384, 600, 30)
    edit.set_name("Red tee (fixed)")
    saved = edit.save()
    reread = sidecars.read(edit.sidecar_path)
    assert reread.landmarks["hem_left"] == (560.0, 940.0) and reread.name == "Red tee (fixed)"
    assert saved == reread and not edit.dirty
    stored = cv2.imread(str(reread.mask_path), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(stored, edit.mask())


def test_editor_model_category_sets_the_sleeves(edit: GarmentEdit) -> None:
    edit.set_category("sleeveless")
    assert edit.state.sleeve_kind is SleeveKind.NONE
    assert not any(n.startswith("sleeve_") for n in edit.visible_landmarks())
    edit.set_category("long_sleeve")
    assert edit.state.sleeve_kind is SleeveKind.LONG
    edit.save()
    assert sidecars.read(edit.sidecar_path).sleeve_kind is SleeveKind.LONG


def test_editor_model_refuses_an_empty_mask_and_bundled_garments(catalog) -> None:
    entry = catalog.find("blue-tee")
    edit = GarmentEdit.open(entry.sidecar_path)
    edit.erase(384, 512, 2000)
    with pytest.raises(GarmentError, match="mask is \\(almost\\) empty"):
        edit.save()
    bundled = GarmentEdit.open(entry.sidecar_path, bundled=True)
    with pytest.raises(GarmentError, match="read-only"):
        bundled.save()


def test_dressing_hint_shows_once_a_person_has_gone_a_second_without_the_chosen_garment() -> None:
    def result(person: bool, drawn: bool, garment: str | None = "tee-navy") -> SimpleNamespace:
        # The three things the rule reads off a FrameResult.
        pose = SimpleNamespace(people=("someone",) if person else ())
        return SimpleNamespace(garment_id=garment, perception=SimpleNamespace(pose=pose), drawn=drawn)

    hint = DressingHint(after_s=1.0)
    assert not hint.update(result(True, drawn=False), 0.0)
    assert not hint.update(result(True, drawn=False), 0.9)  # a turn passing: not yet
    assert hint.update(result(True, drawn=False), 1.0)
    assert not hint.update(result(True, drawn=True), 1.1)  # dressed again: gone at once
    assert not hint.update(result(True, drawn=False), 1.2)  # and the second counts afresh
    assert not hint.update(result(True, drawn=False), 2.1)
    assert hint.update(result(True, drawn=False), 2.2)
    assert not hint.update(result(False, drawn=False), 2.3)  # nobody there: nothing to say
    assert not hint.update(result(True, drawn=False, garment=None), 5.0)  # no garment chosen
    assert not hint.update(result(True, drawn=False, garment=None), 9.0)
