"""Kiosk mode (`livefit --kiosk`): the mirror unattended on a shop floor — full screen, locked,
private by default, self-healing.

    config   the `[kiosk]` TOML table, checked strictly before anything starts (no Qt)
    pin      the admin PIN as a salted PBKDF2 hash (`livefit --kiosk-pin`)
    machine  attract / live / out-of-order, session resets and retries as pure logic (no Qt)
    launch   `--kiosk` on the command line (no Qt); runner builds and runs the kiosk
    session  the desktop's MirrorSession plus pipeline restarts that never block the screen
    controller, lock, window, carousel, screens, pinpad, style: the Qt side
    soak     `python -m app.kiosk.soak`: the pipeline on a looping video, memory and errors
"""
