"""``cchc lab``: JupyterLab at the workspace, as a launcher that owns the server it starts.

The server runs in a session of its own, so the terminal's Ctrl-C reaches this process only: it stops the server
(SIGTERM, then SIGKILL after a grace period) instead of JupyterLab's own "shut down? (y/n)" prompt, and a SIGTERM
sent to ``cchc lab`` does the same. No server outlives the command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from cchc_analysis.core import workspace
from cchc_analysis.core.exceptions import UsageError

GRACE_SECONDS = 10


def lab_arguments(extra: list[str], root: str, is_root: bool) -> tuple[list[str], list[str]]:
    """JupyterLab's command line: the workspace as its root folder, the analyst's own options after (they win),
    ``--allow-root`` when running as root; and what to tell the analyst about it."""
    notes = []
    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if is_root and not any(a == "--allow-root" or a.startswith("--allow-root=") for a in extra):
        args.append("--allow-root")
        notes.append("đang chạy với quyền root: đã thêm --allow-root cho JupyterLab")
    return [*args, *extra], notes


def run_lab(extra: list[str], say: Callable[[str], None]) -> int:
    """Start JupyterLab at the workspace and wait for it; Ctrl-C or SIGTERM stops it. Returns its exit code."""
    root = workspace.find_workspace() or workspace.home()
    if root is None or not (root / "notebooks").is_dir():
        raise UsageError("chưa có thư mục làm việc có notebooks/ — tạo bằng cchc init rồi chạy cchc lab trong đó")
    args, notes = lab_arguments(extra, str(root), hasattr(os, "geteuid") and os.geteuid() == 0)
    for note in notes:
        say(note)
    server = subprocess.Popen(args, cwd=root, start_new_session=True)
    stopping: list[float] = []  # when the stop was asked for

    def stop(_signum: int, _frame: object) -> None:
        if not stopping:
            stopping.append(time.monotonic())
            if server.poll() is None:
                server.terminate()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while (code := server.poll()) is None:
            if stopping and time.monotonic() - stopping[0] > GRACE_SECONDS:
                server.kill()
            time.sleep(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if server.poll() is None:
            server.kill()
            server.wait()
    return 0 if stopping else code
