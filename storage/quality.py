"""Quality over time for admins: per week and language form, the share of reviewed answers marked correct,
thumbs up and down, not-found and clarify rates; and the procedures most often marked wrong."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage.database import Database
from storage.models import Feedback, Message, Review, utcnow


def week_of(day: date) -> str:
    """ISO week, e.g. 2026-W48: the label a ministry's weekly report uses."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class QualityStats:
    def __init__(self, database: Database) -> None:
        self._db = database

    def report(self, weeks: int = 12, top: int = 10) -> dict[str, Any]:
        since = _monday(utcnow().date()) - timedelta(weeks=weeks - 1)
        return {"weeks": self._weekly(since), "top_wrong": self._top_wrong(since, top)}

    def _weekly(self, since: date) -> list[dict[str, Any]]:
        # Counted per day in SQL (date() reads the same in SQLite and PostgreSQL), folded into weeks here.
        day = func.date(Message.created_at)
        form = func.coalesce(Message.form, Message.language)
        statement = (select(day, form, Message.status, Feedback.rating, Review.verdict, func.count())
                     .outerjoin(Feedback, Feedback.message_id == Message.id)
                     .outerjoin(Review, Review.message_id == Message.id)
                     .where(Message.created_at >= datetime.combine(since, datetime.min.time()))
                     .group_by(day, form, Message.status, Feedback.rating, Review.verdict))
        cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        with self._db.session() as session:
            for day_value, form_value, status, rating, verdict, count in session.execute(statement):
                cell = cells[(week_of(_as_date(day_value)), str(form_value))]
                cell["turns"] += count
                cell[f"status_{status}"] += count
                if rating:
                    cell[f"thumbs_{rating}"] += count
                if verdict:
                    cell["reviewed"] += count
                    cell[f"verdict_{verdict}"] += count
        return [_figures(week, form_value, cell) for (week, form_value), cell in sorted(cells.items())]

    def _top_wrong(self, since: date, top: int) -> list[dict[str, Any]]:
        """The procedure that answered, for turns marked wrong; a not-found turn marked wrong names none."""
        count = func.count().label("n")
        statement = (select(Message.procedure_id, count).join(Review, Review.message_id == Message.id)
                     .where(Review.verdict == "wrong", Message.procedure_id.is_not(None),
                            Message.created_at >= datetime.combine(since, datetime.min.time()))
                     .group_by(Message.procedure_id).order_by(count.desc(), Message.procedure_id).limit(top))
        with self._db.session() as session:
            return [{"procedure_id": pid, "count": int(n)} for pid, n in session.execute(statement)]


def _figures(week: str, form: str, cell: dict[str, int]) -> dict[str, Any]:
    turns, reviewed = cell["turns"], cell["reviewed"]
    return {
        "week": week, "form": form, "turns": turns, "reviewed": reviewed,
        "correct": cell["verdict_correct"], "incomplete": cell["verdict_incomplete"], "wrong": cell["verdict_wrong"],
        "correct_share": round(cell["verdict_correct"] / reviewed, 4) if reviewed else None,
        "thumbs_up": cell["thumbs_up"], "thumbs_down": cell["thumbs_down"],
        "not_found_rate": round(cell["status_not_found"] / turns, 4) if turns else 0.0,
        "clarify_rate": round(cell["status_clarify"] / turns, 4) if turns else 0.0,
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
