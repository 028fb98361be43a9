"""The interactive prompt under a pseudo-terminal, as a user meets it: `:images off` turns
figure previews off (only the path is printed), `:images braille` turns them back on.
CMLAB names the executable (default .build/release/cmlab)."""
import os
import pty
import select
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CMLAB = Path(os.environ.get("CMLAB", ROOT / ".build" / "release" / "cmlab")).resolve()
BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}  # any dot set; U+2800 is blank


class Prompt:
    def __init__(self, cwd):
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "KITTY_WINDOW_ID", "CMLAB_INLINE_IMAGES")}
        env.update(TERM="dumb", NO_COLOR="1", HOME=str(cwd), COLUMNS="80", LINES="40")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execve(str(CMLAB), [str(CMLAB)], env)
        self.seen = ""

    def read_until(self, marker, timeout=120):
        """Reads until `marker` appears after what was read before; returns the text read."""
        start, deadline = len(self.seen), time.time() + timeout
        while marker not in self.seen[start:]:
            if time.time() > deadline:
                raise AssertionError(f"no {marker!r} within {timeout} s; output:\n{self.seen[start:]}")
            r, _, _ = select.select([self.fd], [], [], 1)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen[start:]

    def cell(self, line, n):
        """Sends one input line and returns everything printed until prompt In [n]."""
        os.write(self.fd, (line + "\n").encode())
        return self.read_until(f"In [{n}]")

    def close(self):
        os.write(self.fd, b"\x04")
        os.waitpid(self.pid, 0)


@pytest.mark.skipif(not CMLAB.exists(), reason=f"no cmlab executable at {CMLAB}")
def test_images_off_turns_previews_off():
    with tempfile.TemporaryDirectory(prefix="cmlab-repl-") as cwd:
        p = Prompt(cwd)
        try:
            p.read_until("In [1]")
            on = p.cell('scatter(noise(200, dims: 2, seed: 1), file: "a.png")', 2)
            assert "figure:" in on and BRAILLE & set(on), on   # TERM=dumb: a braille preview
            said = p.cell(":images off", 2)
            assert "Figures: off" in said, said
            off = p.cell('scatter(noise(200, dims: 2, seed: 2), file: "b.png")', 3)
            assert "figure:" in off and "b.png" in off, off
            assert not (BRAILLE & set(off)), off
            p.cell(":images braille", 3)
            again = p.cell('scatter(noise(200, dims: 2, seed: 3), file: "c.png")', 4)
            assert BRAILLE & set(again), again
            assert all((Path(cwd) / f).exists() for f in ["a.png", "b.png", "c.png"])
        finally:
            p.close()
