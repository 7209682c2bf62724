"""Worker subprocesses (`python -c …`) that exchange pickled messages over their stdin and stdout.

Plain subprocesses rather than multiprocessing: no fork of a process that holds the store open,
threads in the parent are no concern, and callers need no `if __name__ == "__main__"` guard.
"""

from __future__ import annotations

import os
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


def spawn(code: str, *args: str) -> tuple[subprocess.Popen, Connection, Connection]:
    """Start `python -c code args…`; returns (process, requests to it, replies from it). The
    package is importable in the child whether it is installed or run from a checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert process.stdin is not None and process.stdout is not None
    requests = Connection(os.dup(process.stdin.fileno()), readable=False)
    replies = Connection(os.dup(process.stdout.fileno()), writable=False)
    process.stdin.close()
    process.stdout.close()
    return process, requests, replies


def child_pipes() -> tuple[Connection, Connection]:
    """In the child: (requests, replies). Anything else printed goes to stderr, never into the
    replies."""
    requests = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    return requests, replies
