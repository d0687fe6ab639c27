"""Chat turns and feedback live in the database (both engines), redacted, and any app instance continues them."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Feedback, Message
from tests.conftest import ADMIN


def stored_messages(client) -> list[Message]:
    with client.app.state.services.database.session() as session:
        return list(session.scalars(select(Message).order_by(Message.created_at)))


def test_a_turn_is_stored_with_personal_data_redacted(client) -> None:
    body = client.post("/v1/chat", json={
        "message": "Renouveler ma carte nationale AB123456, appelez-moi au 0612345678 ou a.b@mail.ma"}).json()
    [message] = stored_messages(client)
    assert message.id == body["message_id"] and message.conversation_id == body["conversation_id"]
    assert "AB123456" not in message.question and "0612345678" not in message.question
    assert "a.b@mail.ma" not in message.question and "[CIN]" in message.question and "[PHONE]" in message.question
    assert message.language == body["language"] and message.status == body["status"] and message.mode == "extractive"


def test_another_app_instance_continues_the_conversation(make_client) -> None:
    first_replica, second_replica = make_client(), make_client()
    first = first_replica.post("/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}).json()
    follow_up = second_replica.post("/v1/chat", json={"message": "et combien ça coûte ?",
                                                      "conversation_id": first["conversation_id"]}).json()
    assert follow_up["status"] == "answered" and follow_up["conversation_id"] == first["conversation_id"]
    assert follow_up["citations"][0]["procedure_id"] == "passeport-biometrique"


def test_an_unknown_conversation_is_a_404(client) -> None:
    response = client.post("/v1/chat", json={"message": "passeport", "conversation_id": "not-a-conversation"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_conversation"


def test_a_streamed_turn_ends_with_done_and_is_stored(client) -> None:
    with client.stream("POST", "/v1/chat", json={"message": "Quels documents pour le passeport ?"},
                       headers={"Accept": "text/event-stream"}) as response:
        lines = list(response.iter_lines())
    events = [line.removeprefix("event: ").strip() for line in lines if line.startswith("event:")]
    done = json.loads([line for line in lines if line.startswith("data:")][-1].removeprefix("data:"))
    assert events[0] == "meta" and events[-1] == "done" and "delta" in events
    assert [m.id for m in stored_messages(client)] == [done["message_id"]]


def test_feedback_is_stored_and_counted(client) -> None:
    turn = client.post("/v1/chat", json={"message": "Comment obtenir un extrait d'acte de naissance ?"}).json()
    response = client.post("/v1/feedback", json={"message_id": turn["message_id"], "rating": "down",
                                                 "comment": "pas clair, mon tel 0661234567"})
    assert response.status_code == 201 and response.json()["id"]
    with client.app.state.services.database.session() as session:
        [feedback] = session.scalars(select(Feedback)).all()
    assert feedback.rating == "down" and feedback.comment == "pas clair, mon tel [PHONE]"
    assert client.get("/v1/admin/stats", headers=ADMIN).json()["feedback"] == {"up": 0, "down": 1}


def test_feedback_for_an_unknown_message_or_with_a_bad_rating_is_refused(client) -> None:
    unknown = client.post("/v1/feedback", json={"message_id": "nope", "rating": "up"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_message"
    bad = client.post("/v1/feedback", json={"message_id": "x", "rating": "meh"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_stats_show_languages_statuses_and_redacted_not_found_questions(client) -> None:
    client.post("/v1/chat", json={"message": "Comment renouveler mon passeport ?"})
    client.post("/v1/chat", json={"message": "كيف أجدد جواز السفر؟"})
    client.post("/v1/chat", json={"message": "Quelle est la recette du tajine ?"})
    stats = client.get("/v1/admin/stats", headers=ADMIN).json()
    assert stats["questions"]["total"] == 3 and stats["questions"]["by_language"]["ar"] == 1
    assert sum(stats["questions"]["by_status"].values()) == 3
