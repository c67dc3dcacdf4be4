"""What every domain calls to tell residents about a change: notify(...) inside the change's transaction."""

from collections.abc import Iterable

from citizen_app.extensions import db
from citizen_app.notifications.models import TOPICS, URGENCIES, Notification, OutboxMessage

EVENT_TOPICS = {"document": "documents", "brigade": "brigade", "parking": "parking", "wallet": "parking",
                "broadcast": "broadcast", "account": "account"}


def notify(
    user_ids: Iterable[int],
    event: str,
    title: str,
    body: str,
    url: str,
    *,
    topic: str | None = None,
    urgency: str = "normal",
    data: dict | None = None,
    broadcast_id: int | None = None,
) -> list[Notification]:
    """Add an inbox item and a push outbox entry per user to the current session. The caller commits, so the
    notification exists exactly when the change does. `event` is dotted (`document.signed`); its first part is
    the topic unless given. Brigade events should pass urgency="high"."""
    topic = topic or EVENT_TOPICS.get(event.split(".", 1)[0])
    if topic not in TOPICS:
        raise ValueError(f"unknown notification topic {topic!r}")
    if urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {urgency!r}")
    created = []
    for user_id in dict.fromkeys(user_ids):
        note = Notification(user_id=user_id, topic=topic, event=event, title=title[:120], body=body, url=url,
                            urgency=urgency, data=data, broadcast_id=broadcast_id)
        db.session.add(note)
        created.append(note)
    db.session.flush()
    db.session.add_all(OutboxMessage(notification_id=note.id) for note in created)
    return created
