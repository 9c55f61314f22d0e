"""Model build side: TFLite (from the mediapipe wheel) → torch → ONNX. Needs the `export` extra.

Nothing in here is imported by the app at run time.
"""
