"""Who holds a token: the user it names and whether it was revoked, in one indexed query on every request.

Nothing is kept between requests, so a sign-out, a deactivation or a role change holds from the next request on,
in every worker and on every host, whatever wrote it."""

from sqlalchemy import bindparam, select

from citizen_app.extensions import db
from citizen_app.identity.models import RevokedToken, User

# Built once (building a statement costs more than running this one); the values are bound parameters.
_HOLDER = select(User, select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists()) \
    .where(User.id == bindparam("user_id"))


def token_holder(user_id: int, jti: str) -> tuple[User | None, bool]:
    """The user `user_id` (None if there is none) and whether the token `jti` is revoked."""
    row = db.session.execute(_HOLDER, {"user_id": user_id, "jti": jti}).first()
    if row is None:
        return None, False
    return row[0], bool(row[1])
