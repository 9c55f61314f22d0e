"""Perception: ONNX models, their manifest, the session factory, pose estimation and parsing.

The run-time modules here import numpy, OpenCV and onnxruntime only — never torch or mediapipe
(those live in `models.export`, needed only to rebuild the `.onnx` files).
"""
