"""Reading untrusted files in a worker process with a memory and a CPU limit.

A parser can fail in ways no ``except`` catches: a Rust allocation failure in calamine aborts
the whole process. The server therefore reads uploads in a child process that sets
``RLIMIT_AS`` and ``RLIMIT_CPU`` before it touches the file; the parent waits with a timeout
and kills it. A worker that dies or runs out of time costs that one upload an ``IngestError``,
never the server. The call and its result (or the worker's ``IngestError``) travel pickled
over the child's stdin and stdout.

The child is a fresh interpreter (``python -m campaign.sheets.isolated``), not a fork: the
Streamlit server is multi-threaded, and multiprocessing's ``forkserver``/``spawn`` would
re-run the server's main script (``dashboard.py``) in the child.
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from campaign.errors import IngestError, ReaderCrashed, ReaderTimeout
from campaign.sheets import Limits, Workbook, read_workbook

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
MEMORY_HEADROOM = 2 * 2**30  # address space a worker may add to what it has after imports
TIMEOUT_SECONDS = 60.0
MAX_WORKERS = 2  # concurrent readers (the server has two cores)

_slots = threading.BoundedSemaphore(MAX_WORKERS)


def _address_space() -> int:
    """This process's current virtual size in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_this_process(memory_headroom: int = MEMORY_HEADROOM, cpu_seconds: float = TIMEOUT_SECONDS) -> None:
    """Cap this process's address space (current size + headroom) and CPU time."""
    memory = _address_space() + memory_headroom
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(cpu_seconds) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _serve() -> None:
    """Worker body: read the call from stdin, limit, run, write ``(status, value)`` to stdout."""
    func, args, memory_headroom, cpu_seconds = pickle.loads(sys.stdin.buffer.read())
    limit_this_process(memory_headroom, cpu_seconds)
    try:
        message: tuple[str, Any] = ("ok", func(*args))
    except IngestError as error:
        message = ("error", error)
    except MemoryError:
        message = ("error", ReaderCrashed("MemoryError"))
    sys.stdout.buffer.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


def run_isolated(
    func: Callable[..., T],
    *args: Any,
    timeout: float = TIMEOUT_SECONDS,
    memory_headroom: int = MEMORY_HEADROOM,
) -> T:
    """``func(*args)`` in a limited worker process; its ``IngestError`` is raised here.

    ``func`` must be importable by name (module level), its arguments and result picklable.
    A worker that dies raises ``ReaderCrashed``; one still busy after ``timeout`` seconds is
    killed and raises ``ReaderTimeout``.
    """
    call = pickle.dumps((func, args, memory_headroom, timeout), protocol=pickle.HIGHEST_PROTOCOL)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with _slots:
        process = subprocess.Popen(
            [sys.executable, "-m", "campaign.sheets.isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        try:
            output, _ = process.communicate(call, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReaderTimeout(f"{timeout:.0f} s", limit=round(timeout)) from None
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    try:
        status, value = pickle.loads(output)
    except Exception:  # noqa: BLE001 - a worker that died wrote nothing (or half a result)
        raise ReaderCrashed(f"exit code {process.returncode}") from None
    if status == "error":
        raise value
    return value  # type: ignore[no-any-return]


def read_workbook_isolated(data: bytes, file_name: str = "", limits: Limits | None = None) -> Workbook:
    """``read_workbook`` in a limited worker process (for uploads to the server)."""
    return run_isolated(read_workbook, data, file_name, limits)


if __name__ == "__main__":
    _serve()


_in_process = threading.local()


class trusted_files:
    """Within this block, ``read_untrusted`` reads in this process (files the app made itself,
    as the demo driver's; and one-shot command-line processes, which are their own worker)."""

    def __enter__(self) -> None:
        _in_process.depth = getattr(_in_process, "depth", 0) + 1

    def __exit__(self, *_: object) -> None:
        _in_process.depth -= 1


def read_untrusted(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` (a reader of uploaded bytes) in a limited worker, unless inside
    ``trusted_files()``; imports of result, card and hand-out files read through this."""
    if getattr(_in_process, "depth", 0):
        return func(*args)
    return run_isolated(func, *args)
