"""Opaque bearer tokens and one-time invite codes, stored hashed."""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.auth.current import token_hash
from app.auth.models import Invite, Token
from app.core.timeutil import utcnow
from app.extensions import db


def issue_token(user, ttl_hours, restricted=False, console=False):
    """Create a token for user; returns (raw token, Token row). The caller commits.

    A console token is a server-side console session: its raw value lives only in the console cookie and the API
    refuses it as a bearer token.
    """
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    token = Token(token_hash=token_hash(raw), user_id=user.id, expires_at=now + timedelta(hours=ttl_hours),
                  restricted=restricted, console=console, last_seen_at=now if console else None)
    db.session.add(token)
    return raw, token


def revoke_token(token):
    """Revoke one token."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def revoke_all(user_id):
    """Revoke every live token of a user."""
    db.session.execute(sa.update(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def invite_hash(code):
    """Hash of a normalised invite code."""
    return token_hash("invite|" + normalise_invite(code))


def normalise_invite(code):
    """Upper-case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def create_invite(purpose, target_id, created_by=None, days=14):
    """Create a one-time invite; returns (display code like ABCD-EFGH-JKMN, Invite row)."""
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(12))
    invite = Invite(code_hash=invite_hash(raw), purpose=purpose, target_id=target_id,
                    created_by_id=created_by.id if created_by else None, expires_at=utcnow() + timedelta(days=days))
    db.session.add(invite)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", invite
