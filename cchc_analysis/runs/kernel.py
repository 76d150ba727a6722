"""The Jupyter kernel a run's notebook executes in: started quiet, told the workspace its command read, and for a
batch of periods (``cchc run monthly 2023-05 2023-06 2023-07``) started once and reset between notebooks, so that
the interpreter's start and the libraries' import are paid once while each notebook still begins from nothing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cchc_analysis.core import workspace

KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
# Everything a notebook defined is forgotten (its names, its outputs' history) and its cells count from 1 again;
# the modules it imported stay loaded, which is the point.
_RESET = "get_ipython().reset(new_session=True)"


def quiet_kernel_manager(root: Path | None) -> type:
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        """A kernel whose own stderr goes nowhere: what a cell prints is in the notebook, and a dying kernel's
        C-level messages (libzmq's assertions on shutdown) must not reach the analyst's one-line error."""

        async def start_kernel(self, **kw: Any) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
            kw.setdefault("stderr", subprocess.DEVNULL)
            # the kernel runs in the output folder, which may be anywhere (--out): it reads the workspace its
            # command read (``root``, found before papermill enters that folder), also with a workspace's own
            # copy of the notebook
            if root is not None:
                kw["env"] = {**(kw.get("env") or os.environ), workspace.PIN_VARIABLE: str(root)}
            await super().start_kernel(**kw)

    return QuietKernelManager


class WarmKernel:
    """One kernel for the notebooks of a batch, started at the first and reset before each of the others."""

    def __init__(self) -> None:
        self._manager: Any = None
        self.notebooks = 0

    def manager(self) -> Any:
        """The kernel's manager, the kernel started or reset for the next notebook."""
        from jupyter_core.utils import run_sync

        if self._manager is None:
            self._manager = quiet_kernel_manager(workspace.find_workspace())(kernel_name=KERNEL)
            run_sync(self._manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS)
        elif self.notebooks:
            run_sync(self._reset)()
        self.notebooks += 1
        return self._manager

    async def _reset(self) -> None:
        client = self._manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(_RESET, store_history=False, timeout=60, output_hook=_ignore)
            if reply["content"].get("status") != "ok":
                raise RuntimeError("không đặt lại được nhân Jupyter giữa hai notebook")
        finally:
            client.stop_channels()

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self._manager is not None and self._manager.has_kernel:
            run_sync(self._manager.shutdown_kernel)(now=True)
        self._manager = None


def _ignore(_: dict) -> None:
    """The reset prints nothing worth keeping."""


@contextmanager
def warm_kernel() -> Iterator[WarmKernel]:
    """A kernel shared by the notebooks run inside the block, shut down when it ends (also on an error)."""
    kernel = WarmKernel()
    try:
        yield kernel
    finally:
        kernel.close()
