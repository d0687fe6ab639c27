"""The compose file is valid for docker-compose (Debian's package; no Docker engine runs here)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO


def test_compose_file_is_valid_with_the_documented_env_file() -> None:
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is missing: `make test` installs Debian's docker-compose package")
    env = REPO / ".env.example"
    result = subprocess.run([compose, "--env-file", str(env), "--profile", "llm", "config"], cwd=REPO,
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "placeholder"})
    assert result.returncode == 0, result.stderr
    config = result.stdout
    for service in ("api:", "chroma:", "postgres:", "redis:", "nginx:", "ingest:", "llm:"):
        assert f"  {service}" in config
    assert "replicas: 2" in config and "service_completed_successfully" in config


def test_env_file_is_ignored_by_git_and_documented_by_the_example() -> None:
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=REPO, capture_output=True, text=True)
    assert ignored.returncode == 0
    example = (REPO / ".env.example").read_text()
    assert "POSTGRES_PASSWORD=" in example and "SAHLA_ADMIN_KEY=" in example
