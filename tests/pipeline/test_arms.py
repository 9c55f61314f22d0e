"""Forearms out of sight hang straight on from the upper arm."""

from __future__ import annotations

import numpy as np

from app.pipeline.arms import hang_unseen_forearms
from models.pose import BlazePose as B

FINGERS = [B.LEFT_INDEX, B.LEFT_PINKY, B.LEFT_THUMB]


def test_an_invented_hand_s_forearm_hangs_on_along_the_upper_arm(drawn_person, raised_from_below) -> None:
    person = raised_from_below(drawn_person()[1].pose.primary, 0.55, 0.8)
    hung = hang_unseen_forearms(person, frozenset({"left"}), (640, 480))
    shoulder, elbow = person.landmarks[B.LEFT_SHOULDER], person.landmarks[B.LEFT_ELBOW]
    along = (elbow - shoulder) / np.linalg.norm(elbow - shoulder)
    for point in [B.LEFT_WRIST, *FINGERS]:
        was, now = person.landmarks[point] - elbow, hung.landmarks[point] - elbow
        assert abs(np.linalg.norm(now) - np.linalg.norm(was)) < 1e-3  # turned about the elbow, not stretched
        assert hung.visibility[point] == 0.0 and not hung.in_frame[point]  # below the frame now
    wrist = hung.landmarks[B.LEFT_WRIST] - elbow
    assert np.dot(wrist, along) / np.linalg.norm(wrist) > 0.9999  # straight on from the upper arm
    # The rest of the body is as the pose had it.
    others = [j for j in range(33) if j not in (B.LEFT_WRIST, *FINGERS)]
    assert np.array_equal(hung.landmarks[others], person.landmarks[others])


def test_a_forearm_hangs_when_neither_its_elbow_nor_its_wrist_is_in_sight(drawn_person, raised_from_below) -> None:
    person = raised_from_below(drawn_person()[1].pose.primary, 0.55, 0.3)
    assert hang_unseen_forearms(person, frozenset(), (640, 480)).visibility[B.LEFT_WRIST] == 0.0


def test_a_forearm_held_by_an_elbow_in_sight_or_a_confirmed_hand_stays(drawn_person, raised_from_below) -> None:
    person = drawn_person(arm_across=True)[1].pose.primary  # elbow inside the frame and seen
    assert hang_unseen_forearms(person, frozenset({"left"}), (640, 480)) is person
    rising = raised_from_below(person, 0.55, 0.8)  # a hand with skin under it: held up from a phone, say
    assert hang_unseen_forearms(rising, frozenset(), (640, 480)) is rising
