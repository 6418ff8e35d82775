"""Failed logins slow down per account AND address (progressive delay); a stranger can never lock the owner out."""

from datetime import timedelta

import pyotp
import sqlalchemy as sa

from app.auth import throttle
from app.auth.models import LoginThrottle, User
from app.core.timeutil import utcnow
from app.extensions import db
from app.security.models import AuditEntry
from tests.conftest import error_of

PASSWORD = "Passw0rd-test"
WRONG = "Wrong-passw0rd"
COUNTY = "420323000000"


def login(client, username, password=PASSWORD, address="10.0.0.1", **extra):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password, **extra},
                       environ_base={"REMOTE_ADDR": address})


def _expire_wait(app):
    """Let every current wait run out (as if the seconds had passed)."""
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginThrottle)):
            row.blocked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_five_bad_guesses_from_one_address_do_not_stop_the_owner_from_another(app, client, make_user):
    uid = make_user(("admin",), username="target")
    answers = [login(client, "target", WRONG, address="203.0.113.7") for _ in range(5)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429, 429]
    throttled = answers[3]
    assert error_of(throttled)["code"] == "login_throttled"
    assert "其他设备不受影响" in error_of(throttled)["message"]
    retry = int(throttled.headers["Retry-After"])
    assert 0 < retry <= 2
    assert error_of(throttled)["fields"] == {"retry_after": [throttled.headers["Retry-After"]]}
    owner = login(client, "target", address="198.51.100.20")
    assert owner.status_code == 200, owner.get_json()
    with app.app_context():
        failures = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
        assert len(failures) == 3 and all(e.actor_id == uid for e in failures)  # throttled tries never reach it
        assert not hasattr(User, "locked_until") and not hasattr(User, "failed_logins")


def test_the_throttled_address_waits_even_with_the_right_password(app, client, make_user):
    make_user(username="target")
    for _ in range(3):
        assert login(client, "target", WRONG).status_code == 401
    assert login(client, "target").status_code == 429
    _expire_wait(app)
    assert login(client, "target").status_code == 200
    with app.app_context():  # a success forgets that address's failures
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_the_delay_doubles_and_is_capped(app, client, make_user):
    make_user(username="target")
    waits = []
    for _ in range(6):
        _expire_wait(app)
        assert login(client, "target", WRONG).status_code == 401
        blocked = login(client, "target", WRONG)  # at once: refused without counting, or counted below the threshold
        waits.append(int(blocked.headers["Retry-After"]) if blocked.status_code == 429 else blocked.status_code)
    assert waits == [401, 2, 4, 8, 16, 32]  # failures 1+2, then 3, 4, 5, 6, 7
    with app.app_context():
        assert [throttle.delay_after(n) for n in (1, 2, 3, 4, 5, 12, 40)] == [0, 0, 2, 4, 8, 900, 900]


def test_delay_settings_are_honoured(make_app, make_user):
    make_user(username="target")
    client = make_app(LOGIN_FREE_FAILURES=1, LOGIN_DELAY_MAX_SECONDS=1).test_client()
    assert login(client, "target", WRONG).status_code == 401
    blocked = login(client, "target", WRONG)
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "1"


def test_a_success_resets_the_count(client, make_user):
    make_user(username="forgetful")
    for _ in range(2):
        assert login(client, "forgetful", WRONG).status_code == 401
    assert login(client, "forgetful").status_code == 200
    for _ in range(2):
        assert login(client, "forgetful", WRONG).status_code == 401
    assert login(client, "forgetful").status_code == 200


def test_failures_are_forgotten_after_the_window(app, client, make_user):
    make_user(username="target")
    for _ in range(3):
        login(client, "target", WRONG)
    with app.app_context():
        row = db.session.scalar(sa.select(LoginThrottle))
        row.last_failed_at = utcnow() - timedelta(hours=25)
        row.blocked_until = None
        db.session.commit()
    assert login(client, "target", WRONG).status_code == 401
    assert login(client, "target", WRONG).status_code == 401  # counting starts again at 1
    with app.app_context():
        assert db.session.scalar(sa.select(LoginThrottle.failures)) == 2


def test_unknown_accounts_are_slowed_down_alike_and_names_fold_case(client, make_user):
    for _ in range(3):
        assert login(client, "nobody-here", WRONG).status_code == 401
    unknown = login(client, "nobody-here", WRONG)
    make_user(username="target")
    for _ in range(3):
        login(client, "Target", WRONG)
    known = login(client, "target", WRONG)
    assert unknown.status_code == known.status_code == 429
    assert error_of(unknown) == {**error_of(known), "request_id": error_of(unknown).get("request_id")}


def test_custodian_always_logs_in_with_password_and_second_factor_from_a_clean_address(app, client, make_user,
                                                                                        county):
    uid = make_user(("custodian", COUNTY), username="custodian_real")
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, uid)
        user.totp_secret, user.totp_enabled = secret, True
        db.session.commit()
    for n in range(6):  # a stranger guessing from six addresses, passwords and codes alike
        address = f"192.0.2.{n + 1}"
        for _ in range(3):
            assert login(client, "custodian_real", WRONG, address=address, otp="000000").status_code == 401
        assert login(client, "custodian_real", address=address, otp=pyotp.TOTP(secret).now()).status_code == 429
    clean = login(client, "custodian_real", address="198.51.100.9", otp=pyotp.TOTP(secret).now())
    assert clean.status_code == 200, clean.get_json()
    assert "custodian" in clean.get_json()["user"]["roles"]


def test_a_wrong_second_factor_counts_as_a_failure(app, client, make_user):
    uid = make_user(username="insp")
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, uid)
        user.totp_secret, user.totp_enabled = secret, True
        db.session.commit()
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for _ in range(3):
        assert login(client, "insp", otp=wrong).status_code == 401
    assert login(client, "insp", otp=pyotp.TOTP(secret).now()).status_code == 429


def test_throttle_keeps_neither_the_typed_name_nor_the_address(app, client):
    login(client, "Passw0rd-typed-as-name", WRONG, address="203.0.113.77")
    with app.app_context():
        dump = " ".join(str(v) for row in db.session.execute(sa.text("SELECT * FROM login_throttles")) for v in row)
    assert dump and "Passw0rd-typed-as-name" not in dump.casefold() and "passw0rd" not in dump
    assert "203.0.113.77" not in dump
