"""`CaptureThread`: reads a frame source in real time and leaves only the newest frame.

- Cameras pace themselves; files and the demo are paced to their frame rate here, so a video
  plays like a camera would (a 30 fps file gives 30 frames a second, not as many as decode).
- A video or image folder starts over at its end, as a mirror never runs out of picture. Each
  still image is shown for `STILL_HOLD_S`, repeated at `NOMINAL_FPS` so that a garment change
  shows at once.
- A camera that fails mid-session (unplugged, grabbed by another program) is reported `lost`,
  released, and reopened every `RECONNECT_INTERVAL_S` until it answers (`recovered`).
- A source that cannot be opened at all is reported `failed` and the thread ends: the window
  then offers the demo or a video instead.

Each (re)opening starts a new epoch (`CapturedFrame.epoch`), telling the worker to forget
tracking state: media time starts over.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal

from app.errors import SourceError
from app.gui.frames import CapturedFrame, freeze
from app.gui.latest import LatestSlot
from app.gui.threads import LoopThread
from app.sources.base import NOMINAL_FPS, Frame, FrameSource

log = logging.getLogger(__name__)

SourceOpener = Callable[[], FrameSource]
"""Opens the source afresh each time it is called; raises SourceError when it cannot."""

RECONNECT_INTERVAL_S = 1.0
STILL_HOLD_S = 3.0
MAX_LAG_S = 0.25
"""When decoding falls this far behind the media clock, the clock is reset instead of racing."""

_epochs = itertools.count(1)  # process-wide, so two capture threads never share an epoch


class CaptureThread(LoopThread):
    opened = Signal(str, str)
    """label, kind ("camera", "video", "folder", "image", "demo")."""
    failed = Signal(str)
    """The source could not be opened; the thread has ended."""
    lost = Signal(str)
    """A camera stopped delivering; reconnecting."""
    recovered = Signal(str)
    """The lost camera answers again (its label)."""
    problem = Signal(str)
    """A non-fatal problem, e.g. an unreadable image in a folder (skipped)."""

    def __init__(
        self,
        opener: SourceOpener,
        slot: LatestSlot[CapturedFrame],
        *,
        reconnect_interval_s: float = RECONNECT_INTERVAL_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__("capture", parent)
        self._opener = opener
        self._slot = slot
        self._reconnect_interval_s = reconnect_interval_s
        self._source: FrameSource | None = None

    def loop(self) -> None:
        try:
            source = self._opener()
        except SourceError as error:
            log.warning("%s", error)
            self.failed.emit(str(error))
            return
        self._source = source
        try:
            self.opened.emit(source.label, source.kind)
            log.info("capturing from %s (%s)", source.label, source.kind)
            while not self.stopping and self._source is not None:
                self._play(self._source)
                if self.stopping or not self._reopen(self._source):
                    break
        finally:
            if self._source is not None:
                self._source.close()
                self._source = None

    def _reopen(self, previous: FrameSource) -> bool:
        """Open the source again after its end or its loss; False when asked to stop meanwhile."""
        is_camera = previous.kind == "camera"
        previous.close()
        self._source = None
        while not self.stopping:
            try:
                self._source = self._opener()
            except SourceError as error:
                log.debug("reopening failed: %s", error)
                if not is_camera:  # a file that vanished will not come back by waiting
                    self.failed.emit(str(error))
                    return False
                if self.wait_or_stop(self._reconnect_interval_s):
                    return False
                continue
            if is_camera:
                log.info("%s: recovered", self._source.label)
                self.recovered.emit(self._source.label)
            return True
        return False

    def _play(self, source: FrameSource) -> None:
        """Deliver frames until the source ends, fails or the thread is stopped."""
        epoch = next(_epochs)
        still_index: int | None = None
        frames = self._paced(source) if source.kind != "camera" else self._unpaced(source)
        for frame in frames:
            if self.stopping:
                return
            if not source.is_stream and frame.index != still_index:
                still_index = frame.index  # another photo, another person: forget tracking
                epoch = next(_epochs)
            self._slot.put(CapturedFrame(
                image=freeze(frame.image),
                index=frame.index,
                timestamp_s=frame.timestamp_s,
                captured_at=time.perf_counter(),
                epoch=epoch,
                source_label=source.label,
            ))

    def _unpaced(self, source: FrameSource) -> Iterator[Frame]:
        while not self.stopping:
            try:
                yield next(source)
            except StopIteration:
                return
            except SourceError as error:
                log.warning("%s", error)
                source.close()  # release the device before saying so: it is free to replug
                self.lost.emit(str(error))
                return

    def _paced(self, source: FrameSource) -> Iterator[Frame]:
        """Frames released at media time (streams) or held as stills, on the monotonic clock."""
        start_wall = time.monotonic()
        start_media: float | None = None
        step = 1.0 / NOMINAL_FPS
        while not self.stopping:
            try:
                frame = next(source)
            except StopIteration:
                return
            except SourceError as error:
                if source.is_stream:  # a damaged video: start over rather than spin on it
                    self.problem.emit(str(error))
                    return
                self.problem.emit(f"skipped: {error}")
                continue
            if not source.is_stream:
                yield from self._hold_still(frame, start_wall, step)
                continue
            if start_media is None:
                start_media = frame.timestamp_s
            due = start_wall + (frame.timestamp_s - start_media)
            lag = time.monotonic() - due
            if lag > MAX_LAG_S:  # decoding (or the machine) fell behind: re-anchor the clock
                start_wall, start_media = time.monotonic(), frame.timestamp_s
            elif self.wait_or_stop(-lag):
                return
            yield frame

    def _hold_still(self, frame: Frame, start_wall: float, step: float) -> Iterator[Frame]:
        held_until = time.monotonic() + STILL_HOLD_S
        while not self.stopping and time.monotonic() < held_until:
            # Time keeps running across stills so the pipeline's smoothing sees a stream.
            yield Frame(frame.image, frame.index, time.monotonic() - start_wall, frame.name, frame.path)
            if self.wait_or_stop(step):
                return
