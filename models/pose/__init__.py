"""BlazePose, run from our ONNX export: detector → rotated ROI → landmarks → tracking → smoothing."""

from models.pose.estimator import PoseEstimator, PoseResult, Person
from models.pose.keypoints import ARMS, Arm, BlazePose

__all__ = ["ARMS", "Arm", "BlazePose", "Person", "PoseEstimator", "PoseResult"]
