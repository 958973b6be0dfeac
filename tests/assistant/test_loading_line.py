"""While the embedding model loads, a line on stderr says so and is left on screen with the time
it took (in a terminal only: a pipe or a log file gets none)."""

import fcntl
import io
import os
import struct
import subprocess
import sys
import termios
import threading

from assistant.progress import Loading
from tests.conftest import ROOT, server_env

AUDITS = "How many case audits had Surrey completed by July 2020?"


def test_the_loading_line_is_left_on_screen_with_what_it_took():
    out = io.StringIO()
    with Loading("loading the embedding model", enabled=True, file=out):
        pass
    last = out.getvalue().split("\r")[-1]
    assert last.startswith("loading the embedding model in 00:") and last.endswith("\n")


def test_a_failed_load_says_so_on_its_line():
    out = io.StringIO()
    try:
        with Loading("loading the embedding model", enabled=True, file=out):
            raise RuntimeError("no model")
    except RuntimeError:
        pass
    assert out.getvalue().split("\r")[-1].rstrip() == "loading the embedding model failed"


def test_not_on_a_terminal_nothing_is_written():
    out = io.StringIO()  # not a tty: tqdm's rule leaves it out
    with Loading("loading the embedding model", file=out):
        pass
    assert out.getvalue() == ""


def read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def test_clerk_ask_in_a_terminal_shows_the_model_loading_and_keeps_stdout_clean(sample_store):
    """A real `clerk ask` with its stderr on a pseudo-terminal, as a person runs it."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ask", AUDITS],
                            env=server_env(sample_store), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=slave, text=True)
    os.close(slave)
    read: list[str] = []  # read while it runs: a closed terminal's unread output is lost
    reader = threading.Thread(target=lambda: read.append(read_all(master)))
    reader.start()
    stdout, _ = proc.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    terminal = "".join(read)
    assert proc.returncode == 0, terminal
    assert "1088 audits completed" in stdout and "loading" not in stdout
    lines = terminal.replace("\r\n", "\n").split("\n")
    shown = [line.split("\r")[-1] for line in lines if "loading the embedding model" in line]
    assert shown and shown[-1].startswith("loading the embedding model and the papers' index "
                                          "in 00:"), terminal
