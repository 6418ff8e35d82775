"""Field encryption at rest (EncryptedText over MultiFernet), key rotation, keyed hashes."""

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from app.auth.models import User
from app.extensions import db
from app.security.crypto import decrypt, encrypt, encrypted_columns, keyed_hash, rotate, rotate_all

SECRET = "JBSWY3DPEHPK3PXP"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _raw(app, uid):
    with app.app_context():
        return db.session.execute(sa.text("SELECT totp_secret FROM users WHERE id = :id"), {"id": uid}).scalar()


def _store(app, value=SECRET):
    with app.app_context():
        user = User(display_name="加密测试", totp_secret=value)
        db.session.add(user)
        db.session.commit()
        return user.id


def _read(app, uid):
    with app.app_context():
        db.session.expire_all()
        return db.session.get(User, uid).totp_secret


def test_value_is_unreadable_in_the_table_and_decrypts_back(app):
    uid = _store(app)
    raw = _raw(app, uid)
    assert raw and SECRET not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert _read(app, uid) == SECRET


def test_each_write_gets_a_fresh_token(app):
    first, second = _store(app), _store(app)
    assert _raw(app, first) != _raw(app, second)


def test_none_stays_none(app):
    uid = _store(app, None)
    assert _raw(app, uid) is None and _read(app, uid) is None


def test_unicode_round_trip(app):
    with app.app_context():
        assert decrypt(encrypt("张三 420323199001011234")) == "张三 420323199001011234"


def test_rotation_to_a_new_key(make_app, app):
    old_app = make_app(DATA_KEYS=OLD)
    uid = _store(old_app)
    before = _raw(old_app, uid)

    both = make_app(DATA_KEYS=f"{NEW},{OLD}")  # the new key first, the old one still there
    assert _read(both, uid) == SECRET  # old tokens still readable
    with both.app_context():
        assert rotate_all() == 1
        assert rotate_all() == 0  # nothing left under the old key
    after = _raw(both, uid)
    assert after != before and SECRET not in after

    only_new = make_app(DATA_KEYS=NEW)  # the old key can now be dropped
    assert _read(only_new, uid) == SECRET
    only_old = make_app(DATA_KEYS=OLD)
    with pytest.raises(RuntimeError, match="cannot be decrypted"):
        _read(only_old, uid)


def test_rotate_one_token(make_app, app):
    old_app, both = make_app(DATA_KEYS=OLD), make_app(DATA_KEYS=f"{NEW},{OLD}")
    with old_app.app_context():
        token = encrypt("身份证号")
    with both.app_context():
        rotated = rotate(token)
        assert rotate(None) is None
    assert Fernet(NEW.encode()).decrypt(rotated.encode()).decode() == "身份证号"


def test_wrong_key_is_an_error_not_garbage(make_app, app):
    uid = _store(make_app(DATA_KEYS=OLD))
    with pytest.raises(RuntimeError):
        _read(make_app(DATA_KEYS=NEW), uid)


def test_missing_data_keys_is_refused(make_app, app):
    keyless = make_app(DATA_KEYS="")
    with keyless.app_context(), pytest.raises(RuntimeError, match="DATA_KEYS"):
        encrypt("x")


def test_encrypted_columns_are_found():
    found = {(table.name, column.name) for table, column in encrypted_columns()}
    assert ("users", "totp_secret") in found


def test_keyed_hash(make_app, app):
    with app.app_context():
        one = keyed_hash("13800000000", "phone")
        assert one == keyed_hash("13800000000", "phone") and len(one) == 64
        assert one != keyed_hash("13800000000", "receipt")
        assert "13800000000" not in one
    other = make_app(SECRET_KEY="another-secret-key-for-the-keyed-hash-test")
    with other.app_context():
        assert keyed_hash("13800000000", "phone") != one


def test_keys_rotate_command_re_encrypts_and_audits(make_app, app):
    old_app = make_app(DATA_KEYS=OLD)
    uid = _store(old_app)
    both = make_app(DATA_KEYS=f"{NEW},{OLD}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "重新加密 1 个字段值" in result.output
    assert _read(make_app(DATA_KEYS=NEW), uid) == SECRET
    again = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "重新加密 0 个字段值" in again.output
    from app.security.models import AuditEntry

    with both.app_context():
        actions = [e.action for e in AuditEntry.query.all()]
    assert actions.count("keys.rotate") == 2


def test_keys_generate_prints_a_usable_key(app):
    result = app.test_cli_runner().invoke(args=["keys", "generate"])
    assert result.exit_code == 0
    Fernet(result.output.strip().encode())  # raises if it is not a Fernet key
