"""BlazePose, run from our ONNX export: detector → rotated ROI → landmarks → tracking → smoothing."""

from models.pose.estimator import PoseEstimator, PoseResult, Person
from models.pose.keypoints import ARMS, LEGS, Arm, BlazePose, Leg

__all__ = ["ARMS", "LEGS", "Arm", "BlazePose", "Leg", "Person", "PoseEstimator", "PoseResult"]
