"""A real PostgreSQL server for the tests, started from Debian's `postgresql` package on localhost.

``initdb`` makes a throw-away cluster in a temporary folder, ``pg_ctl`` starts it on a free port with
its unix socket in that folder, and the server is stopped (and the folder removed) at the end.
PostgreSQL refuses to run as root: under root the cluster belongs to the ``postgres`` user, and both
commands run as that user (``runuser -u postgres --``). No server binaries: :func:`server_binaries`
says why, and the tests that need one skip with that reason (CI installs the package: .ci/run).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "nnplay"  # the cluster's superuser; trust authentication on localhost only


def server_binaries() -> Path | str:
    """The folder holding ``initdb`` and ``pg_ctl``, or the reason there is none."""
    found = shutil.which("initdb")
    folders = [Path(found).parent] if found else []
    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in folders:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return "PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql; .ci/run does)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_server(binaries: Path) -> Iterator[str]:
    """Start a server; yield its URL (``postgresql://nnplay@127.0.0.1:PORT/postgres``)."""
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="nnplay-pg-"))
    prefix: list[str] = []
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()

    def command(*argv: str) -> None:
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=120, cwd=folder)

    try:
        command(str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        command(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        try:
            yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
        finally:
            command(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
