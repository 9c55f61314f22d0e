"""The desktop mirror (PySide6): a thin front end over `app.pipeline.frame.FramePipeline`.

Thread layout (see `session.py`): a capture thread reads the source and leaves only the newest
frame in a `LatestSlot`; an inference thread owns the pipeline and processes whatever is newest;
results cross to the GUI thread as frozen `ViewFrame`s through queued signals, and the video view
converts the newest one to an image only when it paints. `launch.py` is the entry point the
command line calls; it is the only module here that may be imported without Qt installed.
"""
