"""OverlappedFrames: two threads (three on many cores), the same pictures in the same order as one
frame at a time."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import app.pipeline.frame as frame_module
from app.garments.resolve import resolve_garment
from app.pipeline.frame import FramePipeline
from app.pipeline.overlap import OverlappedFrames, each_frame
from app.sources import open_source

FRAMES = 12


@pytest.fixture(autouse=True)
def few_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever this machine's cores, a pipeline finishes on one worker unless a test says `split`."""
    monkeypatch.setattr(frame_module, "MANY_CORES", 10**6)


@pytest.fixture(params=[False, True], ids=["one finishing worker", "parse and render split"])
def split(request, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both schedules: the finish on one worker, and (as on ≥ MANY_CORES cores) split in two."""
    monkeypatch.setattr(frame_module, "MANY_CORES", 1 if request.param else 10**6)
    return request.param


@pytest.fixture(scope="module")
def demo_frames() -> list[np.ndarray]:
    with open_source("demo", max_frames=FRAMES) as source:
        return [frame.image for frame in source]


def _overlapped_outputs(pipeline: FramePipeline, frames: list[np.ndarray]) -> tuple[list, list]:
    delivered: list = []
    threads: set[str] = set()

    def deliver(result, index):
        threads.add(threading.current_thread().name)
        delivered.append((index, result))

    def failed(error, index):
        raise AssertionError(f"frame {index}: {error}")

    overlapped = OverlappedFrames(pipeline, deliver, failed)
    try:
        for index, frame in enumerate(frames):
            overlapped.push(frame, index / 30.0, index)
    finally:
        overlapped.close()
    return delivered, sorted(threads)


def test_overlapped_frames_are_the_pictures_of_one_frame_at_a_time(demo_frames, graph_device, split):
    """On the CPU, and with LIVEFIT_TEST_DEVICE=cuda on CUDA (graph replays on two threads). Not
    `live`: a live pipeline's face mesh and detector check run beside the frames and are taken up
    when they finish, so its pictures depend on timing. (On CUDA, split, a live run's pictures
    differed from one at a time. On the CPU, 40 live demo frames differed from the 34th on, and
    with the face mesh slowed by 50 ms, as if waiting for the device, from the 2nd: each time
    first on a frame that took up a face outline from another frame than one at a time did, the
    renderer's smoothing carrying the difference on.)"""
    garment = resolve_garment("tee-navy")
    with FramePipeline(graph_device, garment, overlapped=True) as pipeline:
        one_by_one = [pipeline.process(frame, index / 30.0) for index, frame in enumerate(demo_frames)]
    with FramePipeline(graph_device, garment, overlapped=True) as pipeline:
        assert pipeline.split_finish is split
        delivered, threads = _overlapped_outputs(pipeline, demo_frames)
    assert [index for index, _ in delivered] == list(range(FRAMES))
    assert all(result.drawn for _, result in delivered)
    for (index, result), expected in zip(delivered, one_by_one):
        assert result.source is demo_frames[index]
        np.testing.assert_array_equal(result.output, expected.output, err_msg=f"frame {index}")
        np.testing.assert_array_equal(result.perception.pose.primary.landmarks,
                                      expected.perception.pose.primary.landmarks)
    # Delivered by the worker that renders, not by the thread that pushed.
    assert [name.rsplit("_", 1)[0] for name in threads] == ["render-frames" if split else "finish-frames"]


def test_a_frame_that_fails_is_reported_with_its_tag_and_the_stream_goes_on(demo_frames, split):
    garment = resolve_garment("tee-navy")
    delivered, failures = [], []
    with FramePipeline("cpu", garment, live=True, overlapped=True) as pipeline:
        label, render = pipeline.label, pipeline.render

        def label_failing_the_third(begun):
            if begun.timestamp_s == 2 / 30.0:
                raise RuntimeError("the parser fell over")
            return label(begun)

        def render_failing_the_fifth(labelled):
            if labelled.timestamp_s == 4 / 30.0:
                raise RuntimeError("the renderer fell over")
            return render(labelled)

        pipeline.label, pipeline.render = label_failing_the_third, render_failing_the_fifth
        overlapped = OverlappedFrames(pipeline, lambda result, tag: delivered.append(tag),
                                      lambda error, tag: failures.append((tag, str(error))))
        for index, frame in enumerate(demo_frames[:7]):
            overlapped.push(frame, index / 30.0, f"frame {index}")
        overlapped.close()
    assert failures == [("frame 2", "the parser fell over"), ("frame 4", "the renderer fell over")]
    assert delivered == ["frame 0", "frame 1", "frame 3", "frame 5", "frame 6"]


def test_an_error_in_a_handler_comes_out_of_a_later_push_or_close(demo_frames, split):
    with FramePipeline("cpu", live=True, overlapped=True) as pipeline:
        def deliver(result, tag):
            raise OSError(f"disk full at {tag}")

        overlapped = OverlappedFrames(pipeline, deliver, lambda error, tag: pytest.fail(str(error)))
        with pytest.raises(OSError, match="disk full at 0"):
            for index, frame in enumerate(demo_frames[:4]):
                overlapped.push(frame, index / 30.0, index)
            overlapped.close()


def test_a_garment_changed_after_drain_is_worn_from_the_next_frame(demo_frames, split):
    delivered = []
    with FramePipeline("cpu", resolve_garment("tee-navy"), live=True, overlapped=True) as pipeline:
        overlapped = OverlappedFrames(pipeline, lambda result, tag: delivered.append(result.garment_id),
                                      lambda error, tag: pytest.fail(str(error)))
        for index, frame in enumerate(demo_frames[:6]):
            if index == 3:
                overlapped.drain()
                pipeline.set_garment(resolve_garment("tank-sage"))
            overlapped.push(frame, index / 30.0, index)
        overlapped.close()
    assert delivered == ["tee-navy"] * 3 + ["tank-sage"] * 3


def test_only_a_pipeline_built_for_it_is_overlapped():
    with FramePipeline("cpu", live=True) as pipeline:
        with pytest.raises(ValueError, match="overlapped=True"):
            OverlappedFrames(pipeline, lambda *_: None, lambda *_: None)
    with pytest.raises(ValueError, match="still images"):
        FramePipeline("cpu", static_image_mode=True, overlapped=True)


@pytest.mark.parametrize("overlapped", [False, True])
def test_each_frame_delivers_in_order_either_way_and_hands_errors_to_the_handler(demo_frames, overlapped, split):
    delivered, failures = [], []
    with FramePipeline("cpu", resolve_garment("tee-navy"), overlapped=overlapped) as pipeline:
        assert pipeline.overlapped is overlapped
        label = pipeline.label

        def label_failing_the_second(begun):
            if begun.timestamp_s == 1.0:
                raise RuntimeError("no parse")
            return label(begun)

        pipeline.label = label_failing_the_second
        each_frame(pipeline, ((frame, float(index), index) for index, frame in enumerate(demo_frames[:4])),
                   lambda result, index: delivered.append((index, result.drawn)),
                   lambda error, index: failures.append((index, str(error))))
    assert delivered == [(0, True), (2, True), (3, True)] and failures == [(1, "no parse")]
    with FramePipeline("cpu", overlapped=overlapped) as pipeline:
        pipeline.label = lambda begun: (_ for _ in ()).throw(RuntimeError("boom"))
        with pytest.raises(RuntimeError, match="boom"):  # by default an error ends the run
            each_frame(pipeline, [(demo_frames[0], 0.0, 0), (demo_frames[1], 1.0, 1)], lambda *_: None)


def test_the_pose_takes_every_core_only_when_no_finish_runs_beside_it(demo_frames):
    """On the CPU an overlapped pipeline keeps two landmark sessions: all cores but one beside a
    finish, all of them when alone (frames slower than the pipeline). Same landmarks either way."""
    used = []
    landmarks = {}
    for alone in (False, True):
        with FramePipeline("cpu", overlapped=True) as pipeline:
            pose = pipeline.perception.pose
            for name in ("landmarker", "_landmarker_alone"):
                session = getattr(pose, name)
                setattr(pose, name, lambda *args, session=session, name=name: (used.append(name), session(*args))[1])
            landmarks[alone] = [pipeline.locate(frame, index / 30.0, alone=alone).located.pose.primary.landmarks
                                for index, frame in enumerate(demo_frames[:4])]
        assert set(used) == {"_landmarker_alone" if alone else "landmarker"}
        used.clear()
    np.testing.assert_array_equal(np.stack(landmarks[False]), np.stack(landmarks[True]))
    with FramePipeline("cpu", live=True) as pipeline:  # one frame at a time: one session, every core
        assert pipeline.perception.pose._landmarker_alone is None


@pytest.mark.parametrize("split", [False, True], indirect=True, ids=["one finishing worker", "parse and render split"])
def test_beside_its_workers_the_pose_leaves_each_a_core(split, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(frame_module.os, "cpu_count", lambda: 8)
    with FramePipeline("cpu", overlapped=True) as pipeline:
        pose = pipeline.perception.pose
        threads = {name: getattr(pose, name).model.session.get_session_options().intra_op_num_threads
                   for name in ("landmarker", "_landmarker_alone")}
    assert threads == {"landmarker": 6 if split else 7, "_landmarker_alone": 8}
