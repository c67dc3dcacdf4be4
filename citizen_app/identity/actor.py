"""Who holds a token: the user it names and whether it was revoked, in one indexed query on every request.

Nothing is kept between requests, so a sign-out, a deactivation or a role change holds from the next request on,
in every worker and on every host, whatever wrote it."""

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.identity.models import RevokedToken, User


def token_holder(user_id: int, jti: str) -> tuple[User | None, bool]:
    """The user `user_id` (None if there is none) and whether the token `jti` is revoked."""
    revoked = select(RevokedToken.jti).where(RevokedToken.jti == jti).exists()
    row = db.session.execute(select(User, revoked).where(User.id == user_id)).first()
    if row is None:
        return None, False
    return row[0], bool(row[1])
