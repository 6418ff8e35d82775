"""The right address: loopback and private PUBLIC_BASE_URLs are named, and production refuses to start with one."""

import pytest
from cryptography.fernet import Fernet

from app import create_app
from app.qr.codes import address_problem
from config import ProductionConfig


@pytest.mark.parametrize(("base", "says"), [
    ("http://127.0.0.1:5000", "本机回环地址"),
    ("http://localhost:5000", "本机或内网地址"),
    ("http://[::1]:5000", "本机回环地址"),
    ("http://192.168.1.20", "内网地址"),
    ("http://10.0.0.5", "内网地址"),
    ("http://172.20.1.1", "内网地址"),
    ("http://100.64.0.1", "内网地址"),  # carrier-grade NAT, not reachable from the internet
    ("http://jiandu", "内网主机名"),
    ("", "未设置"),
    (None, "未设置"),
])
def test_unreachable_addresses_are_named(base, says):
    assert says in address_problem(base)


@pytest.mark.parametrize("base", ["https://jd.example.gov.cn", "https://jiandu.zhushan.gov.cn/base", "http://8.8.8.8"])
def test_public_addresses_pass(base):
    assert address_problem(base) is None


def production(tmp_path, base_url):
    attrs = {"SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
             "DATA_KEYS": Fernet.generate_key().decode(), "AUDIT_ADDRESS_SALT": "salt",
             "RECEIPT_PEPPERS": "receipt-pepper-0123456789abcdef", "INSTANCE_PATH": str(tmp_path),
             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}", "PUBLIC_BASE_URL": base_url}
    return type("ProdCfg", (ProductionConfig,), attrs)


def test_production_refuses_to_start_without_a_public_address(tmp_path):
    for base in ("http://127.0.0.1:5000", "http://192.168.1.20", None):
        with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be the public address"):
            create_app(production(tmp_path, base))
    assert create_app(production(tmp_path, "https://jd.example.gov.cn")).config["PUBLIC_BASE_URL"]


def test_the_staff_warning(app, monkeypatch):
    from app.qr.service import base_url_warning

    with app.app_context():
        assert base_url_warning() is None  # the test config's address is public
        monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        assert "打印前请让管理员把 PUBLIC_BASE_URL 设置为公网地址" in base_url_warning()
