"""A real PostgreSQL server (Debian's `postgresql`) on a loopback port, for one test module."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def available() -> bool:
    return _bin_dir() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server():
    """Yields a SQLAlchemy URL; initdb, start and stop a throwaway cluster."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="nnkit-pg-"))
    data = folder / "data"
    port = _free_port()
    # initdb refuses to run as root: run the server as Debian's postgres user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    run = lambda *args: subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True, timeout=120)
    try:
        run(bin_dir / "initdb", "-D", data, "-U", "nnkit", "--auth=trust", "-E", "UTF8")
        run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "log", "-w", "-t", "60", "start",
            "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1")
        yield f"postgresql+psycopg://nnkit@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(bin_dir / "pg_ctl", "-D", data, "-w", "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)
