"""OpenPose-style keypoint JSON (`--write-json`), as the try-on literature's tools read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np

from app.outputs.atomic import write_bytes_atomic
from models.pose import PoseResult

PoseFormat = Literal["coco18", "body25"]
OPENPOSE_VERSION = 1.3


def openpose_document(pose: PoseResult, pose_format: PoseFormat = "coco18") -> dict:
    """{"version": 1.3, "people": [...]} with the primary person first; missing joints are 0, 0, 0."""
    people = []
    for person in pose.people:
        keypoints: np.ndarray = person.coco18() if pose_format == "coco18" else person.body25()
        people.append({
            "person_id": [-1],
            "pose_keypoints_2d": [round(float(v), 3) for v in keypoints.reshape(-1)],
            "face_keypoints_2d": [],
            "hand_left_keypoints_2d": [],
            "hand_right_keypoints_2d": [],
            "pose_keypoints_3d": [],
            "face_keypoints_3d": [],
            "hand_left_keypoints_3d": [],
            "hand_right_keypoints_3d": [],
        })
    return {"version": OPENPOSE_VERSION, "people": people}


def write_openpose_json(path: Path, pose: PoseResult, pose_format: PoseFormat = "coco18") -> None:
    document = openpose_document(pose, pose_format)
    write_bytes_atomic(path, json.dumps(document).encode())
