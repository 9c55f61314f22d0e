"""`KioskMachine` on a fake clock: every timeout and transition, no Qt, no camera, no waiting."""

from __future__ import annotations

import pytest

from app.kiosk.machine import PRESENCE_FRAMES, RECOVERY_RESULTS, Action, KioskMachine, Mode, Timing

TIMING = Timing(idle_s=30.0, reset_s=20.0, stall_s=2.0, retry_s=2.0, startup_s=45.0, max_retry_s=16.0)


class Run:
    """A machine, its clock and every action it asked for."""

    def __init__(self) -> None:
        self.now = 0.0
        self.machine = KioskMachine(TIMING, self.now)
        self.actions: list[Action] = []

    def do(self, event: str, *args: object) -> list[Action]:
        actions = getattr(self.machine, event)(self.now, *args)
        self.actions += actions
        return actions

    def frames(self, seconds: float, person: bool, fps: float = 10.0) -> None:
        """Results (and ticks) at `fps` for `seconds`."""
        for _ in range(round(seconds * fps)):
            self.now += 1 / fps
            self.do("on_result", person)
            self.do("tick")

    def idle(self, seconds: float, step: float = 0.1) -> None:
        """Ticks only: no result arrives."""
        for _ in range(round(seconds / step)):
            self.now += step
            self.do("tick")


@pytest.fixture
def run() -> Run:
    r = Run()
    r.do("on_source_ok")
    r.do("on_pipeline_ready")
    return r


# The idle clock starts at the first picture: loading the models for longer than idle_s (within
# the startup grace) is not "nobody in view" — the mirror flashed its attract screen after it.
@pytest.mark.parametrize("loading_s", [0.0, 40.0])
def test_live_at_the_first_result_attract_after_idle_seconds_live_again_when_someone_steps_in(
        run: Run, loading_s: float) -> None:
    run.idle(loading_s)
    assert run.machine.mode is Mode.STARTING
    run.frames(0.1, person=False)
    assert run.machine.mode is Mode.LIVE
    run.frames(29.5, person=False)
    assert run.machine.mode is Mode.LIVE
    run.frames(1.0, person=False)
    assert run.machine.mode is Mode.ATTRACT
    assert Action.RESET_SESSION not in run.actions  # nobody was ever there: nothing to reset
    run.frames(0.1, person=True)  # one stray detection does not wake the mirror
    run.frames(0.1, person=False)
    assert run.machine.mode is Mode.ATTRACT
    run.frames(PRESENCE_FRAMES / 10, person=True)
    assert run.machine.mode is Mode.LIVE


def test_a_session_is_reset_once_after_reset_seconds_without_anybody(run: Run) -> None:
    run.frames(5, person=True)
    run.frames(19.5, person=False)
    assert Action.RESET_SESSION not in run.actions
    run.frames(1, person=False)
    assert run.actions.count(Action.RESET_SESSION) == 1 and run.machine.mode is Mode.LIVE
    run.frames(15, person=False)  # then the attract screen, with nothing left to reset
    assert run.machine.mode is Mode.ATTRACT
    assert run.actions.count(Action.RESET_SESSION) == 1


def test_the_attract_screen_resets_a_session_the_reset_timer_did_not(run: Run) -> None:
    run.machine.timing = Timing(idle_s=10.0, reset_s=60.0, stall_s=2.0, retry_s=2.0)
    run.frames(2, person=True)
    run.frames(10.5, person=False)
    assert run.machine.mode is Mode.ATTRACT
    assert run.actions[-1] is Action.RESET_SESSION


def test_a_touch_keeps_the_session_and_ends_the_attract_screen(run: Run) -> None:
    run.frames(31, person=False)
    assert run.machine.mode is Mode.ATTRACT
    assert run.do("on_touch") == [Action.SHOW_MODE]
    assert run.machine.mode is Mode.LIVE
    run.frames(29, person=False)  # a touch counts as someone there
    assert run.machine.mode is Mode.LIVE
    assert Action.RESET_SESSION in run.actions  # after reset_s without presence or touch


def test_no_result_for_stall_seconds_is_out_of_order_and_the_pipeline_is_restarted_with_back_off(run: Run) -> None:
    run.frames(1, person=True)
    run.idle(1.9)
    assert run.machine.mode is Mode.LIVE
    run.idle(0.2)
    assert run.machine.mode is Mode.OUT_OF_ORDER and run.machine.reason.startswith("no picture for")
    outage_at = run.now
    restarted_after: list[float] = []
    for _ in range(600):  # a minute in which each new pipeline loads but never delivers
        run.now += 0.1
        if Action.RESTART_PIPELINE in run.do("tick"):
            restarted_after.append(run.now - outage_at)
            run.do("on_pipeline_ready")
    # retry_s, then doubling up to max_retry_s: +2, +4, +8, +16, +16
    assert restarted_after == pytest.approx([2, 6, 14, 30, 46], abs=0.5)  # each up to a tick late
    assert run.machine.restarts == 5
    run.frames(0.2, person=True)
    assert run.machine.mode is Mode.OUT_OF_ORDER  # waits for RECOVERY_RESULTS fresh results
    run.frames(RECOVERY_RESULTS / 10, person=True)
    assert run.machine.mode is Mode.LIVE


def test_a_restarted_pipeline_gets_time_to_load_and_to_deliver(run: Run) -> None:
    run.frames(1, person=True)
    run.idle(2.5)
    run.idle(2.0)
    assert run.actions.count(Action.RESTART_PIPELINE) == 1
    run.idle(40)  # still loading (no `ready`): not restarted again within startup_s
    assert run.actions.count(Action.RESTART_PIPELINE) == 1
    run.do("on_pipeline_ready")
    run.idle(1.9)
    assert run.actions.count(Action.RESTART_PIPELINE) == 1


def test_a_lost_camera_is_out_of_order_until_it_is_back_and_frames_flow(run: Run) -> None:
    run.frames(1, person=True)
    assert run.do("on_camera_lost", "camera 0: lost") == [Action.SHOW_MODE]
    assert run.machine.mode is Mode.OUT_OF_ORDER
    run.frames(1, person=True)  # frames still in flight do not end the outage
    assert run.machine.mode is Mode.OUT_OF_ORDER
    run.idle(30)
    assert Action.RESTART_PIPELINE not in run.actions  # the capture thread reconnects by itself
    assert Action.REOPEN_SOURCE not in run.actions
    run.do("on_source_ok")
    run.frames(0.5, person=True)
    assert run.machine.mode is Mode.LIVE and run.machine.outages == 1


def test_a_source_that_failed_to_open_is_reopened_until_it_opens(run: Run) -> None:
    run.do("on_source_failed", "camera 0: cannot be opened")
    run.idle(10)
    assert run.actions.count(Action.REOPEN_SOURCE) == 2  # +2 and +6 (then +14)
    run.do("on_source_ok")
    run.idle(10)
    assert run.actions.count(Action.REOPEN_SOURCE) == 2
    run.frames(0.5, person=False)
    assert run.machine.mode is Mode.LIVE


def test_unexpected_errors_restart_the_pipeline_at_most_once_per_retry_interval(run: Run) -> None:
    run.frames(1, person=True)
    assert run.do("on_unexpected_error", "boom") == [Action.RESTART_PIPELINE]
    assert run.do("on_unexpected_error", "boom") == []
    run.now += TIMING.retry_s
    assert run.do("on_unexpected_error", "boom") == [Action.RESTART_PIPELINE]
    assert run.machine.mode is Mode.LIVE


def test_startup_is_not_a_stall_until_the_startup_grace_is_over(run: Run) -> None:
    run.idle(44)
    assert run.machine.mode is Mode.STARTING
    run.idle(1.5)
    assert run.machine.mode is Mode.OUT_OF_ORDER
