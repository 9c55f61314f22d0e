"""Writers for pipeline results: OpenPose JSON, label PNGs, annotated images, all atomic."""
