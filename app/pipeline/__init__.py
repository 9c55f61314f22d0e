"""The per-frame pipeline (no Qt): perception now; warp and composition build on it."""
