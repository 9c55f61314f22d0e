"""The renderer's promises, on a drawn person whose parts are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from app.garments.model import SleeveKind
from app.pipeline.perception import PerceptionResult
from app.pipeline.tryon import FADE_FRAMES, TryOnRenderer
from models.parsing import Label, ParseResult
from models.pose import BlazePose as B
from models.pose import PoseResult


def changed(before: np.ndarray, after: np.ndarray, threshold: int = 25) -> np.ndarray:
    return np.abs(before.astype(int) - after.astype(int)).max(2) > threshold


def kept(before: np.ndarray, after: np.ndarray, threshold: int = 12) -> np.ndarray:
    return np.abs(before.astype(int) - after.astype(int)).max(2) <= threshold


def test_no_person_passes_the_frame_through_unchanged(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    empty = PerceptionResult(PoseResult((), (640, 480), True), ParseResult(np.zeros((480, 640), np.uint8),
                                                                          np.zeros((480, 640), np.float32), ()), {})
    out = TryOnRenderer(drawn_garment(SleeveKind.SHORT)).render(frame, empty).image
    assert np.array_equal(out, frame)


def test_lost_person_fades_the_garment_out(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    empty = PerceptionResult(PoseResult((), (640, 480), True), perception.parse, {})
    renderer = TryOnRenderer(drawn_garment(SleeveKind.SHORT))
    full = changed(frame, renderer.render(frame, perception, 0.0).image).sum()
    fading = [changed(frame, renderer.render(frame, empty, (i + 1) / 30).image).sum() for i in range(FADE_FRAMES + 1)]
    assert 0 < fading[0] <= full
    assert fading[-1] == 0  # gone after the fade, not hanging in the air


def test_garment_covers_the_old_top_and_keeps_face_and_hair(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    labels = perception.parse.labels
    out = TryOnRenderer(drawn_garment(SleeveKind.SHORT)).render(frame, perception).image
    old_top = labels == Label.UPPER_CLOTHES
    assert changed(frame, out)[old_top].mean() >= 0.97
    head = np.isin(labels, (Label.FACE, Label.HAIR))
    assert kept(frame, out)[head].mean() >= 0.99
    # The garment's own colour (light grey) is what now shows mid-chest.
    chest = out[260, 320].astype(int)
    assert np.abs(chest - 230).max() < 40


def test_sleeveless_garment_never_draws_on_the_arms(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    out = TryOnRenderer(drawn_garment(SleeveKind.NONE)).render(frame, perception).image
    arms = np.isin(perception.parse.labels, (Label.LEFT_ARM, Label.RIGHT_ARM))
    assert kept(frame, out)[arms].mean() >= 0.98


def test_arm_across_the_chest_stays_in_front_of_a_sleeveless_top(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person(arm_across=True)
    out = TryOnRenderer(drawn_garment(SleeveKind.NONE)).render(frame, perception).image
    labels = perception.parse.labels
    across = labels == Label.LEFT_ARM
    across[:, 380:] = False  # the part of the forearm that lies over the chest
    assert across.sum() > 1000
    assert kept(frame, out)[across].mean() >= 0.97


def test_long_sleeve_follows_the_raised_forearm_over_the_chest(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person(arm_across=True)
    garment = drawn_garment(SleeveKind.LONG, left_colour=(40, 40, 220), body_colour=(230, 230, 230))
    out = TryOnRenderer(garment).render(frame, perception).image
    points = perception.pose.primary.landmarks
    mid_forearm = ((points[B.LEFT_ELBOW] + points[B.LEFT_WRIST]) / 2).astype(int)
    colour = out[mid_forearm[1], mid_forearm[0]].astype(int)
    assert np.abs(colour - (40, 40, 220)).max() < 60, colour  # the left sleeve, not the torso panel
    # Hands stay bare: long sleeves end at the wrist.
    hand = points[B.LEFT_INDEX].astype(int)
    assert kept(frame, out)[hand[1], hand[0]]


def test_left_and_right_survive_the_mirror_flip(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    garment = drawn_garment(SleeveKind.SHORT, left_colour=(40, 40, 220), right_colour=(220, 60, 40))
    out = TryOnRenderer(garment).render(frame, perception).image
    points = perception.pose.primary.landmarks

    def sleeve_colour(image: np.ndarray, shoulder: int, elbow: int, mirrored: bool) -> np.ndarray:
        x, y = (points[shoulder] * 0.6 + points[elbow] * 0.4).astype(int)
        x = image.shape[1] - 1 - x if mirrored else x
        return image[y, x].astype(int)

    mirror = out[:, ::-1]  # what the shopper sees
    for image, mirrored in ((out, False), (mirror, True)):
        assert np.abs(sleeve_colour(image, B.LEFT_SHOULDER, B.LEFT_ELBOW, mirrored) - (40, 40, 220)).max() < 60
        assert np.abs(sleeve_colour(image, B.RIGHT_SHOULDER, B.RIGHT_ELBOW, mirrored) - (220, 60, 40)).max() < 60
    # In the mirror, the wearer's left sleeve is on the image left, as in a real mirror.
    assert points[B.LEFT_SHOULDER][0] > 320 and (639 - points[B.LEFT_SHOULDER][0]) < 320


def test_still_person_gives_a_still_garment(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    renderer = TryOnRenderer(drawn_garment(SleeveKind.SHORT))
    outputs = [renderer.render(frame, perception, i / 30).image for i in range(6)]
    assert all(np.array_equal(outputs[1], o) for o in outputs[2:])


def test_landmark_noise_is_damped_in_the_garment(drawn_person, drawn_garment) -> None:
    frame, perception = drawn_person()
    renderer = TryOnRenderer(drawn_garment(SleeveKind.SHORT))
    rng = np.random.default_rng(0)
    person = perception.pose.primary
    neck = []
    for i in range(60):
        noisy = person.landmarks + rng.normal(0, 1.0, person.landmarks.shape).astype(np.float32)
        jittered = PerceptionResult(PoseResult((type(person)(**{**person.__dict__, "landmarks": noisy}),), (640, 480), False),
                                    perception.parse, {})
        fit = renderer.render(frame, jittered, i / 30).fit
        neck.append(fit.body_points[0])
    assert np.array(neck[20:]).std(0).max() < 0.5  # input noise was 1 px per landmark


@pytest.mark.parametrize("sleeves", list(SleeveKind))
def test_every_sleeve_kind_renders(drawn_person, drawn_garment, sleeves: SleeveKind) -> None:
    frame, perception = drawn_person()
    out = TryOnRenderer(drawn_garment(sleeves)).render(frame, perception).image
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert changed(frame, out).sum() > 10000
    nose = perception.pose.primary.landmarks[B.NOSE].astype(int)
    assert kept(frame, out)[nose[1], nose[0]]


def test_device_graph_renders_the_same_picture_as_the_cpu_path(drawn_person, drawn_garment) -> None:
    from app.pipeline.compose_device import DeviceCompositor

    frame, perception = drawn_person(arm_across=True)
    garment = drawn_garment(SleeveKind.LONG)
    cpu = TryOnRenderer(garment).render(frame, perception).image
    with DeviceCompositor("cpu") as graph:  # the GPU path's graph, run on the CPU provider
        device = TryOnRenderer(garment, graph).render(frame, perception).image
    difference = np.abs(cpu.astype(int) - device.astype(int))
    assert difference.mean() < 0.5 and np.percentile(difference, 99.9) <= 6
