"""A step run in a process of its own beside the notebook, on the other core.

A thread would not do: the Word and XLSX writers hold the interpreter lock for seconds at a time and would starve the client
that drives the notebook's kernel. The process is a fresh interpreter, not a fork: polars and DuckDB keep thread
pools in the parent that a fork would copy half-way. It is started with ``subprocess`` rather than
``multiprocessing`` so that nothing (no resource tracker) outlives the command. The function and its arguments
travel pickled through the child's standard input, the result through a pipe of its own: this package's objects
between this package's processes, never a file anyone else could write.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from cchc_analysis.core.exceptions import CchcError, RunError

_CHILD = (
    "import json, os, sys; sys.path[:] = json.loads(os.environ['CCHC_SYS_PATH']); "
    "import cchc_analysis.runs.beside as b; b.serve()"
)


class Beside:
    """``fn(*args)`` started in its own process; ``result()`` waits for what it returns, and leaving the ``with``
    block before that ends it unfinished (a failed notebook does not wait for the appendix)."""

    def __init__(self, label: str, fn: Callable[..., Any], *args: Any) -> None:
        self.label = label
        # the child imports exactly what the parent would (its sys.path, as multiprocessing does), and nothing from
        # the folder it happens to run in (-P)
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "CCHC_SYS_PATH": json.dumps(sys.path)},
        )
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        # written from a thread: a large payload would otherwise wait for the child to start reading
        self._writer = threading.Thread(target=self._send, args=(payload,), daemon=True)
        self._writer.start()

    def _send(self, payload: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(payload)
            stdin.close()
        except (BrokenPipeError, ValueError):  # the child is gone; result() says so
            pass

    def result(self) -> Any:
        stdout = self._process.stdout
        assert stdout is not None
        data = stdout.read()
        code = self._process.wait()
        self._writer.join()
        try:
            ok, value = pickle.loads(data)
        except Exception:
            raise RunError(f"{self.label}: tiến trình dừng đột ngột (mã thoát {code})") from None
        if not ok:
            raise RunError(f"{self.label}: {value}")
        return value

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve() -> None:
    """The child: read the call from stdin, run it, answer on the original stdout. Anything the call prints goes to
    stderr, so that it cannot corrupt the answer."""
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    fn, args = pickle.loads(sys.stdin.buffer.read())
    try:
        result = (True, fn(*args))
    except CchcError as exc:
        result = (False, str(exc))
    except Exception as exc:  # one line for the analyst: a traceback from another process would mean nothing
        result = (False, f"{type(exc).__name__}: {exc}")
    answer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    answer.close()
