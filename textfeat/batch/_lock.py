"""One batch run at a time per output folder: an exclusive lock file."""

from __future__ import annotations

import json
import os
import socket
import uuid
import warnings
from pathlib import Path
from typing import Any

from textfeat.batch.shards import BatchError, BatchWarning

__all__ = ["LOCK", "acquire_lock", "release_lock"]

LOCK = "run.lock"


def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        holder = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _is_zombie(pid: int) -> bool:
    """Whether ``pid`` has exited and waits to be reaped (Linux; False elsewhere).

    A run killed with SIGKILL whose parent has not called ``wait`` is a
    zombie: ``os.kill(pid, 0)`` still succeeds, but it will never run again.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    # "pid (comm) state ...": comm may hold spaces and parentheses
    fields = stat.rpartition(b")")[2].split()
    return bool(fields) and fields[0] in (b"Z", b"X")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return not _is_zombie(pid)  # someone else's process
    return not _is_zombie(pid)


def acquire_lock(out: Path) -> str:
    """Create ``out/run.lock`` atomically; return the token that owns it.

    A lock whose process is gone (same host, pid not alive) is taken over
    with a :class:`BatchWarning`; any other lock refuses the run.
    """
    lock = out / LOCK
    token = uuid.uuid4().hex
    me = {"pid": os.getpid(), "host": socket.gethostname(), "token": token}
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(lock)
            if holder is None and not lock.exists():
                continue  # released meanwhile: try again
            pid, host = (holder or {}).get("pid"), (holder or {}).get("host")
            stale = (
                isinstance(pid, int)
                and host == socket.gethostname()
                and not _pid_alive(pid)
            )
            if not stale:
                raise BatchError(
                    f"{out}: another featurize run (pid {pid} on {host}) holds "
                    f"{lock}; wait for it to end, or delete {lock} if no run is "
                    "going"
                ) from None
            _take_over(lock, holder)
            warnings.warn(
                f"{out}: took over the stale lock of pid {pid}, no longer running "
                "on this host (a killed run)",
                BatchWarning,
                stacklevel=3,
            )
            continue
        with os.fdopen(fd, "w") as fh:
            json.dump(me, fh)
        return token
    raise BatchError(f"{out}: could not take {lock}; another run keeps taking it")


def _take_over(lock: Path, holder: dict[str, Any] | None) -> None:
    """Remove a stale lock, unless another process took it over first."""
    guard = lock.with_name(f"{LOCK}.takeover")
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise BatchError(
            f"{lock.parent}: another run is taking over {lock}; try again, or "
            f"delete {guard} if no run is going"
        ) from None
    try:
        if _read_lock(lock) == holder:
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)
        guard.unlink(missing_ok=True)


def release_lock(out: Path, token: str) -> None:
    lock = out / LOCK
    holder = _read_lock(lock)
    if holder is not None and holder.get("token") == token:
        lock.unlink(missing_ok=True)
