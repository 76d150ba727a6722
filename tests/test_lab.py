"""`cchc lab` is a launcher (issue 26, item 6): JupyterLab's own options pass through, it opens at the workspace
root (notebooks and outputs in view), says when it adds --allow-root, and Ctrl-C or SIGTERM stops the server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import run_cli

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _contents(port: int) -> list[str] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token=cchc-thu", timeout=2) as r:
            return sorted(item["name"] for item in json.load(r)["content"])
    except OSError:
        return None


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_lab_opens_the_workspace_and_stops_its_server(tmp_path, stop):
    assert run_cli("init", str(tmp_path / "ws")).returncode == 0
    ws = tmp_path / "ws"
    port = _free_port()
    cchc = Path(sys.executable).with_name("cchc")
    lab = subprocess.Popen(
        [str(cchc), "lab", "--no-browser", "--port", str(port), "--ip", "127.0.0.1", "--ServerApp.token=cchc-thu"],
        cwd=ws,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        listing = None
        while time.monotonic() < deadline and listing is None and lab.poll() is None:
            time.sleep(0.5)
            listing = _contents(port)
        assert listing is not None, "JupyterLab did not answer"
        assert {"notebooks", "outputs", "params", "data"} <= set(listing)  # the workspace root, not notebooks/
        lab.send_signal(stop)
        _, stderr = lab.communicate(timeout=30)
    finally:
        if lab.poll() is None:
            lab.kill()
    assert lab.returncode == 0
    if os.geteuid() == 0:
        assert "đã thêm --allow-root" in stderr
    with socket.socket() as s:  # nothing left serving on the port
        assert s.connect_ex(("127.0.0.1", port)) != 0
