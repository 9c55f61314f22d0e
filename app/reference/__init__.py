"""Reference implementations LiveFit is measured against (run outside LiveFit's environment).

`run_mediapipe_pose` runs mediapipe's own Pose solution on the same frames the benchmark feeds
LiveFit, in a separate virtual environment built on first use by `ensure_reference_env`.
"""

from app.reference.mediapipe_ref import (
    MediapipeReferenceError,
    ReferenceRun,
    ReferenceRunError,
    ReferenceUnavailableError,
    default_threads,
    ensure_reference_env,
    reference_env_dir,
    run_mediapipe_pose,
)

__all__ = [
    "MediapipeReferenceError",
    "ReferenceRun",
    "ReferenceRunError",
    "ReferenceUnavailableError",
    "default_threads",
    "ensure_reference_env",
    "reference_env_dir",
    "run_mediapipe_pose",
]
