"""The app's ORM session: Flask-SQLAlchemy's, through its documented override point (`get_bind`).

While `session.info[READING]` is set, the session's transaction runs on its engine in autocommit mode
(`Engine.execution_options(isolation_level="AUTOCOMMIT")`, SQLAlchemy's way to choose a session's isolation): its
statements run outside a transaction, and nothing connects until a statement needs to. The mark ends with that
transaction (a commit, a rollback, the request's end), so what follows runs in a transaction as usual."""

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine

READING = "reading"
_autocommit: dict[Engine, Engine] = {}  # engine -> its autocommit face, made once (an app has one engine)


class Session(FlaskSession):
    def get_bind(self, *args, **kwargs):
        bind = super().get_bind(*args, **kwargs)
        if not self.info.get(READING) or not isinstance(bind, Engine):
            return bind
        reading = _autocommit.get(bind)
        if reading is None:
            reading = _autocommit[bind] = bind.execution_options(isolation_level="AUTOCOMMIT")
        return reading


@event.listens_for(Session, "after_transaction_end")
def _reading_ends(session, transaction):
    if transaction.parent is None:
        session.info.pop(READING, None)
