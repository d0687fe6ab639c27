"""py-spy on the running service during one load run: where its threads spend their (non-idle) samples."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any


class ServiceSampler:
    """Starts py-spy on `pid` for `seconds` if py-spy is installed and allowed to attach; `finish` summarises."""

    def __init__(self, pid: int, seconds: float, raw_path: Path) -> None:
        self._raw_path = raw_path
        self._process: subprocess.Popen[bytes] | None = None
        exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
        if exe:
            self._process = subprocess.Popen(
                [exe, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "200",
                 "--format", "raw", "--output", str(raw_path), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def started(self) -> bool:
        return self._process is not None

    def finish(self, summary_path: Path) -> dict[str, Any] | None:
        if self._process is None:
            return None
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return None
        if self._process.returncode != 0 or not self._raw_path.exists():
            return None
        return summarise(self._raw_path, summary_path)


def summarise(raw_path: Path, summary_path: Path, top: int = 25) -> dict[str, Any]:
    """Self and inclusive sample shares per frame from py-spy's collapsed stacks, written as text."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw_path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    lines = [f"py-spy samples of the service's non-idle threads: {total}", "", "-- self (where the samples were)"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "-- inclusive (a frame and everything it called)"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top * 2)]
    summary_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"samples": total, "file": summary_path.name,
            "top_self": [[frame, round(n / total, 3)] for frame, n in own.most_common(8)]}
