"""Operations: readiness, Prometheus metrics, offline API docs, CORS, production safety and the key commands."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import UnsafeConfigurationError, build_services
from core.embedders import FakeEmbedder
from tests.conftest import REPO


def test_readiness_names_the_index_database_and_rate_limit_backend(client) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["index"]["chunks"] > 1000 and body["database"] == "ok"
    assert body["rate_limits"] == "memory"


def test_readiness_is_503_when_the_database_is_down(client) -> None:
    client.app.state.services.database.engine.dispose()
    client.app.state.services.database.engine = __import__("sqlalchemy").create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
    assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_by_route_turns_and_durations(client) -> None:
    client.post("/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"})
    client.get("/v1/procedures/nope")
    text = client.get("/metrics").text
    assert 'sahla_http_requests_total{method="POST",route="/v1/chat",status="200"} 1.0' in text
    assert 'route="/v1/procedures/{procedure_id}",status="404"' in text
    assert 'sahla_chat_turns_total{language="fr",mode="extractive",status="answered"} 1.0' in text
    assert "sahla_retrieval_duration_seconds_count 1.0" in text and "sahla_generation_duration_seconds" in text
    assert "sahla_fallbacks_total 0.0" in text


def test_api_docs_are_served_without_any_cdn(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text and "swagger-ui-bundle.js" in page.text
    assert client.get("/openapi.json").json()["paths"]["/v1/admin/reindex"]


def test_cors_allows_configured_origins_only(make_client) -> None:
    client = make_client(cors_origins=["https://www.service-public.ma"])
    allowed = client.options("/v1/chat", headers={"Origin": "https://www.service-public.ma",
                                                  "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == "https://www.service-public.ma"
    refused = client.options("/v1/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize("admin_key", [None, "changeme", "short-key"])
def test_production_refuses_to_start_without_a_usable_admin_key(service_settings, real_index, admin_key) -> None:
    settings = service_settings.model_copy(update={"env": "production", "admin_key": admin_key and
                                                   __import__("pydantic").SecretStr(admin_key)})
    with pytest.raises(UnsafeConfigurationError):
        create_app(settings, build_services(settings, embedder=real_index[0]))


def test_production_starts_with_a_created_admin_key(service_settings, real_index) -> None:
    settings = service_settings.model_copy(update={"env": "production", "admin_key": None})
    build_services(service_settings, embedder=real_index[0]).keys.create("admin", "ops")
    with TestClient(create_app(settings, build_services(settings, embedder=real_index[0]))) as client:
        assert client.get("/healthz").status_code == 200


def test_key_commands_create_once_list_and_revoke(service_settings) -> None:
    env = {"SAHLA_DATA_DIR": str(service_settings.data_dir), "SAHLA_DATABASE_URL": service_settings.database_url or "",
           "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "api", *args], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=60)

    created = run("keys", "create", "--role", "admin", "--name", "ops")
    key = created.stdout.strip()
    assert created.returncode == 0 and key.startswith("sahla_admin_") and "shown once" in created.stderr
    listed = run("keys", "list")
    key_id = listed.stdout.split()[0]
    assert "admin" in listed.stdout and "active" in listed.stdout and key not in listed.stdout
    assert run("keys", "revoke", key_id).returncode == 0
    assert "revoked" in run("keys", "list").stdout and run("keys", "revoke", key_id).returncode == 1
    assert run("keys", "create", "--role", "root").returncode == 2


def test_the_service_uses_the_embedder_it_is_handed_even_one_that_holds_no_vector_yet(settings) -> None:
    class Empty(FakeEmbedder):  # like bench.vectors.StoredVectors before its first passage: len() == 0
        def __len__(self) -> int:
            return 0

    handed = Empty()
    services = build_services(settings, embedder=handed)
    assert services.embedder is handed
    assert services.retriever.embedder is handed
