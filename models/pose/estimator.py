"""`PoseEstimator`: the full BlazePose pipeline with tracking, a primary-person policy and smoothing.

Stream mode (video, camera): the detector runs only when nobody is tracked; afterwards each
frame's ROI comes from the previous frame's auxiliary landmarks, as in mediapipe. Only the primary
person is followed. Image mode (`static_image_mode=True`): detector on every call, landmarks for
up to `max_people` detections, no smoothing.

Primary person (a mirror serves one shopper): when nobody was seen recently, the detection with
the largest body circle, weighted towards the frame centre; when someone was tracked in the last
`REACQUIRE_WINDOW_S` seconds, the detection nearest where they were — so a bystander walking
behind does not take over when the tracker briefly loses the shopper.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import cv2
import numpy as np

from app.errors import InputShapeError
from models.numeric import sigmoid
from models.pose.detector import Detection, PoseDetector
from models.pose.geometry import RotatedRect, normalize_radians
from models.pose.keypoints import BODY25_FROM_BLAZE, COCO18_FROM_BLAZE, NUM_LANDMARKS, BlazePose, openpose_view
from models.pose.landmarker import AUX_CENTRE, AUX_SCALE, ROI_ENLARGE, LandmarkOutput, PoseLandmarker
from models.pose.smoothing import LowPass, OneEuroFilter
from models.runner import OnnxModel
from models.session import Device, SessionInfo

REACQUIRE_WINDOW_S = 2.0
REDETECT_EVERY = 30  # frames between detector checks of a tracked ROI
MAX_ROI_SHOULDERS = 5.5
MAX_ROI_DRIFT = 0.15  # ROI centre moved by this × its size, or its size changed by ~15%: corrected (see _correct)
SETTLE_RUNS = 3  # at most this many extra landmark runs on the frame a person is found in
ROI_SETTLED = 0.01  # ... stopping once the next ROI is within this × its size of the last
ROI_HOLD = 0.01  # the crop's backlash: × its size in centre and size, × 2 in radians (see _track)
ROI_COLLAPSE = 0.5  # a tracked crop whose next ROI is smaller than this × its size has lost the person
_NO_BIAS = (0.0, 0.0, 0.0, 0.0)
ANCHOR_SHARE = 0.1  # of the way the ROI's filter is pulled to the detector's check, once a second
REACQUIRE_MAX_DISTANCE = 1.0  # in body sizes (see _acquire)
ROI_PER_BODY = 2.5  # a person's ROI side over the body size the reacquire gate measures in
CENTRE_WEIGHT = 0.5  # how much distance from the frame centre discounts a detection's size
VISIBILITY_ALPHA = 0.1
DEFAULT_FPS = 30.0
MIN_OPENPOSE_CONFIDENCE = 0.1
# mediapipe's pose_landmark_filtering.pbtxt
LANDMARK_FILTER = dict(min_cutoff=0.1, beta=40.0, derivate_cutoff=1.0)
AUX_FILTER = dict(min_cutoff=0.01, beta=1.0, derivate_cutoff=1.0)


@dataclass(frozen=True)
class Person:
    """One person's 33 BlazePose landmarks in one frame.

    All arrays are indexed by `BlazePose`; positions are frame pixels (x right, y down).
    """

    landmarks: np.ndarray  # (33, 2) float32
    z: np.ndarray  # (33,) float32, frame-pixel units, smaller = nearer the camera
    visibility: np.ndarray  # (33,) float32 probability visible and not occluded
    presence: np.ndarray  # (33,) float32 probability the point exists in the crop
    in_frame: np.ndarray  # (33,) bool: the point lies inside the frame (hips below the frame: False)
    score: float  # pose presence probability
    roi: RotatedRect
    mask_logits: np.ndarray = field(repr=False)  # (256, 256) float32 segmentation logits, ROI crop pixels

    @property
    def shoulder_width(self) -> float:
        """Frame pixels between the two shoulder joints (the scale most body measures are in)."""
        return float(np.hypot(*(self.landmarks[BlazePose.LEFT_SHOULDER] - self.landmarks[BlazePose.RIGHT_SHOULDER])))

    @property
    def torso_length(self) -> float:
        """Frame pixels from the shoulder joints' midpoint to the hip joints' midpoint."""
        shoulders = self.landmarks[[BlazePose.LEFT_SHOULDER, BlazePose.RIGHT_SHOULDER]].mean(0)
        return float(np.hypot(*(shoulders - self.landmarks[[BlazePose.LEFT_HIP, BlazePose.RIGHT_HIP]].mean(0))))

    @property
    def confidence(self) -> np.ndarray:
        """(33,) float32: visibility, and 0 for points outside the frame (never invented inside it)."""
        return np.where(self.in_frame, self.visibility, 0.0).astype(np.float32)

    def coco18(self, min_confidence: float = MIN_OPENPOSE_CONFIDENCE) -> np.ndarray:
        """(18, 3) float32 OpenPose COCO-18 x, y, confidence (0, 0, 0 = missing)."""
        return openpose_view(self.landmarks, self.confidence, COCO18_FROM_BLAZE, min_confidence)

    def body25(self, min_confidence: float = MIN_OPENPOSE_CONFIDENCE) -> np.ndarray:
        """(25, 3) float32 OpenPose BODY-25 x, y, confidence (0, 0, 0 = missing)."""
        return openpose_view(self.landmarks, self.confidence, BODY25_FROM_BLAZE, min_confidence)

    def box(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 of the landmarks that are visible and inside the frame (all if none are)."""
        use = self.confidence >= 0.5
        points = self.landmarks[use] if use.sum() >= 2 else self.landmarks
        (x0, y0), (x1, y1) = points.min(0), points.max(0)
        return float(x0), float(y0), float(x1), float(y1)

    def mask(self, width: int, height: int, scale: float = 1.0) -> np.ndarray:
        """(height, width) float32 probability that a pixel belongs to this person, on the frame
        resized by `scale` (width, height are that image's size)."""
        # Sigmoid on the 256×256 crop, then warp: cheaper than the other way round.
        crop_probability = sigmoid(self.mask_logits).astype(np.float32)
        crop_to_image = self.roi.crop_to_frame(crop_probability.shape[0]) * scale
        return cv2.warpAffine(crop_probability, crop_to_image, (width, height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


@dataclass(frozen=True)
class PoseResult:
    people: tuple[Person, ...]  # the primary person first
    frame_size: tuple[int, int]  # width, height
    detector_ran: bool

    @property
    def primary(self) -> Person | None:
        return self.people[0] if self.people else None


def _check_frame(frame_rgb: np.ndarray) -> None:
    if not isinstance(frame_rgb, np.ndarray) or frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3:
        shape = getattr(frame_rgb, "shape", type(frame_rgb).__name__)
        raise InputShapeError(f"expected an (H, W, 3) RGB frame, got {shape}")
    if frame_rgb.dtype != np.uint8:
        raise InputShapeError(f"expected a uint8 frame, got {frame_rgb.dtype}")
    if min(frame_rgb.shape[:2]) < 16:
        raise InputShapeError(f"frame of {frame_rgb.shape[1]}×{frame_rgb.shape[0]} pixels is too small")


def _policy_score(detection: Detection, width: int, height: int) -> float:
    hip = detection.keypoints[0]
    offset = math.hypot(hip[0] - width / 2, hip[1] - height / 2) / (0.5 * math.hypot(width, height))
    return detection.body_radius * (1.0 - CENTRE_WEIGHT * min(offset, 1.0))


class PoseEstimator:
    """BlazePose (full) from our ONNX export. `process()` takes RGB frames; use as a context manager."""

    def __init__(self, device: Device = "auto", static_image_mode: bool = False, max_people: int = 1,
                 smooth: bool = True, check_in_background: bool = False, threads: int | None = None,
                 threads_alone: int | None = None):
        """`check_in_background` (a live camera): the once-a-second detector check of a tracked
        ROI runs on a thread of its own (its own one-thread session) and is taken up by the first
        frame after it finishes, instead of adding ~10 ms to one frame a second — a visible
        stutter in a mirror. Files keep it in the frame, so their results repeat. `threads`: CPU
        threads of the detector and the landmark model (default: every core). `threads_alone`: on
        the CPU, a second landmark session with this many threads, for `process(..., alone=True)`:
        a caller that shares the cores out (`OverlappedFrames`) lends the pose all of them while
        its other thread is idle. Thread counts do not change the landmarks (tested)."""
        if max_people < 1:
            raise ValueError("max_people must be at least 1")
        self.static_image_mode = static_image_mode
        self.max_people = max_people
        self.smooth = smooth and not static_image_mode
        self.detector = PoseDetector(OnnxModel("pose_detector", device, threads))
        self.landmarker = PoseLandmarker(OnnxModel("pose_landmarks", device, threads))
        self._landmarker_alone = None
        if threads_alone and threads_alone != threads and self.landmarker.model.info.device == "cpu":
            self._landmarker_alone = PoseLandmarker(OnnxModel("pose_landmarks", device, threads_alone))
        self._running = self.landmarker  # the landmark session this frame runs on
        background = check_in_background and not static_image_mode
        self._checker = PoseDetector(OnnxModel("pose_detector", device, 1)) if background else None
        self._background = ThreadPoolExecutor(1, thread_name_prefix="pose-check") if background else None
        self.reset()

    @property
    def session_infos(self) -> tuple[SessionInfo, ...]:
        return self.detector.model.info, self.landmarker.model.info

    def reset(self) -> None:
        """Forget the tracked person (e.g. when the source changes)."""
        self._roi: RotatedRect | None = None
        self._last_seen: tuple[float, np.ndarray, float] | None = None  # time, hip centre, body size
        self._frame_index = 0
        self._since_detection = 0
        self._check: Future | None = None  # the detector's check running beside the frames
        self._bias = _NO_BIAS  # where tracking's ROI rests relative to the detector's box (see _correct)
        self._reset_filters()

    def _reset_filters(self) -> None:
        self._landmark_filter = OneEuroFilter(**LANDMARK_FILTER)
        self._aux_filter = OneEuroFilter(**AUX_FILTER)
        self._visibility_filter = LowPass()

    def close(self) -> None:
        if self._background is not None:
            self._background.shutdown(wait=True, cancel_futures=True)
        self.detector = self.landmarker = self._checker = None  # type: ignore[assignment]
        self._landmarker_alone = self._running = None  # type: ignore[assignment]

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------------
    def process(self, frame_rgb: np.ndarray, timestamp_s: float | None = None, alone: bool = False) -> PoseResult:
        """People in an (H, W, 3) uint8 RGB frame; `timestamp_s` drives smoothing (default 30 fps).
        `alone`: nothing else of the caller's runs meanwhile (see `threads_alone`)."""
        _check_frame(frame_rgb)
        self._running = self._landmarker_alone if alone and self._landmarker_alone is not None else self.landmarker
        height, width = frame_rgb.shape[:2]
        time_s = self._frame_index / DEFAULT_FPS if timestamp_s is None else float(timestamp_s)
        self._frame_index += 1
        if self.static_image_mode:
            return self._process_image(frame_rgb)
        detector_ran = False
        output = None
        corrected_from = None  # the detection a drifted ROI was corrected from, this frame
        if self._check is not None and self._check.done():
            detections, self._check = self._check.result(), None
            if self._roi is not None:
                corrected_from = self._correct(detections)
        # Landmark-driven tracking can creep (an upper-body shot has no hips to anchor the ROI's
        # scale): once a second the detector checks the ROI and corrects a drifted one.
        due = self._roi is not None and self._since_detection >= REDETECT_EVERY and self._check is None
        if due and self._background is None:
            self._since_detection = 0
            detector_ran = True
            corrected_from = self._correct(self.detector(frame_rgb))
        if self._roi is not None:
            output = self._running(frame_rgb, self._roi)
            self._since_detection += 1
            if output.present and _collapsed(output):
                # Failing tracking, not a person shrinking: found afresh in this frame (below).
                # Followed, the crop shrank onto whatever the model saw there (a street video's
                # walker: 298 → 20 px in one frame) and the person was lost in the next.
                output = None
            elif corrected_from is not None and output.present:
                # Tracking starts afresh from the corrected ROI, at rest (as a found person does).
                output = self._start_at_rest(frame_rgb, output, corrected_from)
        if output is None or not output.present:
            detector_ran = True
            output = self._acquire(frame_rgb, time_s)
        if output is None:
            self._roi = None
            self._reset_filters()
            return PoseResult((), (width, height), detector_ran)
        person = self._track(output, time_s, width, height)
        if due and self._background is not None and not detector_ran:
            # Started after this frame's landmark model, whose threads it would slow: beside the
            # parse and render, which leave a core free.
            self._since_detection = 0
            self._check = self._background.submit(self._checker, frame_rgb)
        return PoseResult((person,), (width, height), detector_ran)

    # -- stream mode -------------------------------------------------------------------------
    def _acquire(self, frame_rgb: np.ndarray, time_s: float) -> LandmarkOutput | None:
        height, width = frame_rgb.shape[:2]
        detections = self.detector(frame_rgb)
        if not detections:
            return None
        recent = self._last_seen is not None and time_s - self._last_seen[0] <= REACQUIRE_WINDOW_S
        if recent:
            _, centre, size = self._last_seen
            # In body sizes, the larger of theirs when last seen and the detection's own: as
            # tracking fails, the crop can shrink over a few frames (the street video's walker:
            # 302 → 74 px in four), and measured in that size alone, the detector's find of the
            # same person a step away was turned away as a stranger for REACQUIRE_WINDOW_S.
            distance = [np.hypot(*(d.keypoints[0] - centre)) / max(size, _body_size(d.roi())) for d in detections]
            best = int(np.argmin(distance))
            if distance[best] > REACQUIRE_MAX_DISTANCE:
                return None  # only strangers in view: keep waiting for the shopper a moment
            chosen = detections[best]
        else:
            chosen = max(detections, key=lambda d: _policy_score(d, width, height))
        detected = chosen.roi()
        output = self._running(frame_rgb, detected)
        if not output.present:
            return None
        self._since_detection = 0
        return self._start_at_rest(frame_rgb, output, detected)

    def _start_at_rest(self, frame_rgb: np.ndarray, output: LandmarkOutput, detected: RotatedRect) -> LandmarkOutput:
        """Tracking (re)started from the landmarks of the `detected` ROI: settled (`_settled`),
        where it rests relative to the detector's box remembered (`_correct`), filters fresh."""
        output = self._settled(frame_rgb, output)
        self._bias = _roi_bias(detected, _bounded_roi(output.next_roi(), output.points))
        self._reset_filters()
        return output

    def _correct(self, detections: list[Detection]) -> RotatedRect | None:
        """Check the tracked ROI against the nearest of `detections`; where it has drifted, move it
        to where tracking would rest from that detection, and return the detection (else None).

        Tracking does not rest on the detector's box: on a still, whole person it rests 16–20 %
        smaller (VITON-HD 00034, 07966). Judged against the box itself, every check "corrected"
        such a person, and each time one frame's crop jumped to the box and back. So the check
        compares with the box moved by how tracking rested from it when the person was found.
        Short of a drift, the ROI's filter is pulled ANCHOR_SHARE of the way there: with nothing
        to hold it, a still person's ROI random-walks through the ROI ↔ landmarks loop (07966's
        grew 1079 → 1103 px in 10 s, and the garment with it).
        """
        if not detections:
            return None
        nearest = min((d.roi() for d in detections), key=lambda r: math.hypot(r.cx - self._roi.cx, r.cy - self._roi.cy))
        expected = _biased(nearest, self._bias)
        if _roi_change(self._roi, expected) <= MAX_ROI_DRIFT:
            self._aux_filter.pull(_alignment_points(expected), ANCHOR_SHARE)
            return None
        self._roi = expected
        return nearest

    def _settled(self, frame_rgb: np.ndarray, output: LandmarkOutput) -> LandmarkOutput:
        """The landmark model re-run on the same frame from its own next ROI until that ROI rests.

        One run from a detection's box leaves the next ROI 2–3 % of its size (20–30 px at 720p)
        from where tracking's ROI comes to rest; the ROI's filter (cutoff 0.01 Hz) then took 3–4 s
        to creep there, dragging the landmarks (hips by 27 px), the mask and the garment along.
        Two or three more runs (~10 ms each on 2 cores), on the one frame a person is found in,
        start tracking at rest. A still photo keeps its single run: settled, PCK fell 0.878 → 0.854.
        """
        for _ in range(SETTLE_RUNS):
            roi = _bounded_roi(output.next_roi(), output.points)
            if _roi_change(output.roi, roi) < ROI_SETTLED:
                break
            refined = self._running(frame_rgb, roi)
            if not refined.present:
                break
            output = refined
        return output

    def _track(self, output: LandmarkOutput, time_s: float, width: int, height: int) -> Person:
        points = np.concatenate([output.points, output.z[:, None]], 1)
        visibility = output.visibility
        if self.smooth:
            body = points[:NUM_LANDMARKS, :2]
            scale = float(np.mean(body.max(0) - body.min(0)))
            points[:NUM_LANDMARKS] = self._landmark_filter(points[:NUM_LANDMARKS], time_s, scale)
            aux = points[[AUX_CENTRE, AUX_SCALE], :2]
            aux_scale = float(np.mean(aux.max(0) - aux.min(0)))
            points[[AUX_CENTRE, AUX_SCALE], :2] = self._aux_filter(aux, time_s, aux_scale)
            visibility = self._visibility_filter(visibility, VISIBILITY_ALPHA)
        smoothed = LandmarkOutput(output.score, points[:, :2].astype(np.float32), points[:, 2].astype(np.float32),
                                  visibility.astype(np.float32), output.presence, output.roi, output.mask_logits)
        # Backlash on the crop: a still person's next ROI wanders through the ROI ↔ landmarks
        # loop (the astronaut's by ±3 % of its size over 4 s, its nose by ±1.5 px, the amount
        # depending on the CPU's rounding); the same crop gives the model the same input, so the
        # landmarks hold still. The model does not need the crop centred to a few pixels.
        following = _bounded_roi(smoothed.next_roi(), smoothed.points)
        self._roi = _roi_with_backlash(output.roi, following)
        self._last_seen = (time_s, smoothed.points[AUX_CENTRE].copy(), _body_size(self._roi))
        return _person(smoothed, width, height)

    # -- image mode --------------------------------------------------------------------------
    def _process_image(self, frame_rgb: np.ndarray) -> PoseResult:
        height, width = frame_rgb.shape[:2]
        detections = sorted(self.detector.detect_tiled(frame_rgb), key=lambda d: -_policy_score(d, width, height))
        people = []
        for detection in detections[: self.max_people]:
            output = self.landmarker(frame_rgb, detection.roi())
            if output.present:
                people.append(_person(output, width, height))
        people.sort(key=lambda p: -_person_policy_score(p, width, height))
        return PoseResult(tuple(people), (width, height), True)


def _roi_bias(detection: RotatedRect, rest: RotatedRect) -> tuple[float, float, float, float]:
    """Where `rest` lies relative to `detection`: centre offset (x, y) in detection sizes, log of
    the size ratio, angle difference (radians)."""
    return ((rest.cx - detection.cx) / detection.size, (rest.cy - detection.cy) / detection.size,
            math.log(rest.size / detection.size), normalize_radians(rest.angle - detection.angle))


def _alignment_points(roi: RotatedRect) -> np.ndarray:
    """(2, 2) float64 frame px: the body centre and scale point `rect_from_alignment_points`
    makes `roi` from (its inverse)."""
    direction = math.pi / 2 - roi.angle  # of the scale point from the centre, y up
    radius = roi.size / (2.0 * ROI_ENLARGE)
    return np.array([[roi.cx, roi.cy], [roi.cx + radius * math.cos(direction), roi.cy - radius * math.sin(direction)]])


def _biased(detection: RotatedRect, bias: tuple[float, float, float, float]) -> RotatedRect:
    """`detection` moved by a `_roi_bias`."""
    dx, dy, log_size, angle = bias
    return RotatedRect(detection.cx + dx * detection.size, detection.cy + dy * detection.size,
                       detection.size * math.exp(log_size), normalize_radians(detection.angle + angle))


def _roi_change(old: RotatedRect, new: RotatedRect) -> float:
    """How far `new` is from `old`: its centre's move as a share of old's size, or the log of
    the size ratio (≈ the relative change), whichever is larger."""
    moved = math.hypot(new.cx - old.cx, new.cy - old.cy) / old.size
    return max(moved, abs(math.log(new.size / old.size)))


def _body_size(roi: RotatedRect) -> float:
    """The body size, in frame pixels, that the reacquire gate measures distances in: the ROI's
    side over ROI_PER_BODY."""
    return max(roi.size / ROI_PER_BODY, 1.0)


def _collapsed(output: LandmarkOutput) -> bool:
    """Whether the landmarks found in a tracked crop ask for a next crop under ROI_COLLAPSE of it.

    Between two frames a person's size changes by a few percent (the demo: 0.95–1.05); the model
    losing them in a crop asks for far less (the street video's walker: 0.05–0.12 of it)."""
    return output.next_roi().size < ROI_COLLAPSE * output.roi.size


def _roi_with_backlash(old: RotatedRect, new: RotatedRect) -> RotatedRect:
    """`old` moved towards `new` only by what lies beyond ROI_HOLD, in centre, size and angle apart.

    Backlash rather than a hold-and-jump: released all at once, a held crop steps by 1 % of its
    size when the wander crosses the hold, and the landmarks with it; a backlash lets it follow
    that far behind, without a step."""
    dx, dy = new.cx - old.cx, new.cy - old.cy
    moved = math.hypot(dx, dy)
    keep = min(1.0, ROI_HOLD * old.size / moved) if moved > 0 else 1.0
    log_size = math.log(new.size / old.size)
    turned = normalize_radians(new.angle - old.angle)
    return RotatedRect(old.cx + dx * (1.0 - keep), old.cy + dy * (1.0 - keep),
                       old.size * math.exp(_beyond(log_size, ROI_HOLD)),
                       normalize_radians(old.angle + _beyond(turned, 2 * ROI_HOLD)))


def _beyond(value: float, band: float) -> float:
    """What of `value` lies outside ±`band` (0 inside it)."""
    return math.copysign(max(abs(value) - band, 0.0), value)


def _bounded_roi(roi: RotatedRect, points: np.ndarray) -> RotatedRect:
    """The next ROI, no larger than MAX_ROI_SHOULDERS shoulder widths.

    In an upper-body shot the hips are outside the frame and the model's guesses for them feed
    the next ROI's size; unchecked, that loop slowly inflates the ROI (seen: ×1.5 over 8 s on a
    still photo), and the landmarks follow. A full body is about 5.5 shoulder widths of ROI.
    """
    shoulders = float(np.hypot(*(points[BlazePose.LEFT_SHOULDER] - points[BlazePose.RIGHT_SHOULDER])))
    limit = MAX_ROI_SHOULDERS * shoulders
    return roi if roi.size <= limit or shoulders <= 0 else RotatedRect(roi.cx, roi.cy, limit, roi.angle)


def _person(output: LandmarkOutput, width: int, height: int) -> Person:
    points = output.points[:NUM_LANDMARKS]
    in_frame = (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
    return Person(
        landmarks=points,
        z=output.z[:NUM_LANDMARKS],
        visibility=output.visibility[:NUM_LANDMARKS],
        presence=output.presence[:NUM_LANDMARKS],
        in_frame=in_frame,
        score=output.score,
        roi=output.roi,
        mask_logits=output.mask_logits,
    )


def _person_policy_score(person: Person, width: int, height: int) -> float:
    """Size of the person's visible landmark box, discounted by distance from the frame centre."""
    x0, y0, x1, y1 = person.box()
    centre = ((x0 + x1) / 2 - width / 2, (y0 + y1) / 2 - height / 2)
    offset = math.hypot(*centre) / (0.5 * math.hypot(width, height))
    return math.hypot(x1 - x0, y1 - y0) * (1.0 - CENTRE_WEIGHT * min(offset, 1.0))
