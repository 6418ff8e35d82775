"""The development WeChat stand-in: the newcomer's walk over real HTTP, its pages, and its refusal in production."""

import io
import re
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from app.wechat import standin
from tests.test_config import production_config

LONGJING = "420323103211"


@pytest.fixture
def walk(make_app, app):
    """The stand-in and an app configured as `make run` configures it, both served on 127.0.0.1."""
    fake = standin.start()
    dev = make_app(WECHAT_APPID=standin.APPID, WECHAT_SECRET=standin.SECRET, WECHAT_API_BASE=fake.base_url,
                   WECHAT_TEMPLATE_REPORT_UPDATE="DEV-REPORT-UPDATE", WECHAT_TIMEOUT=5)
    server = make_server("127.0.0.1", 0, dev, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.app_url = f"http://127.0.0.1:{server.server_port}"
    yield fake
    server.shutdown()
    server.server_close()
    fake.stop()


def _log_in_on_the_page(fake, code):
    """Type a code on the stand-in's login page; the token and account id it shows."""
    page = requests.post(fake.base_url + "dev/wechat/login", data={"code": code}, timeout=10)
    assert page.status_code == 200, page.text
    token = re.search(r'<pre id="token">([^<]+)</pre>', page.text).group(1)
    return token, int(re.search(r"已登录：账号 (\d+)", page.text).group(1))


def test_a_newcomer_logs_in_binds_an_invite_and_files_a_contact_point_report(walk, county, make_user):
    from PIL import Image
    from pyzbar.pyzbar import decode

    api = walk.app_url + "/api/v1"
    start = requests.get(walk.base_url + "dev/wechat/", timeout=10)
    assert start.status_code == 200 and "以群众身份登录" in start.text
    token, user_id = _log_in_on_the_page(walk, "zhangsan")
    again, same_id = _log_in_on_the_page(walk, "zhangsan")
    assert same_id == user_id and again != token  # the same code is the same resident, a new token each time
    assert _log_in_on_the_page(walk, "lisi")[1] != user_id
    resident = {"Authorization": f"Bearer {token}"}
    me = requests.get(api + "/me", headers=resident, timeout=10).json()
    assert me["id"] == user_id and me["wechat_bound"] is True

    make_user(("admin",), username="walk_admin", password="Walk-admin-2026")
    login = requests.post(api + "/auth/login", json={"username": "walk_admin", "password": "Walk-admin-2026"},
                          timeout=10)
    admin = {"Authorization": f"Bearer {login.json()['token']}"}
    created = requests.post(api + "/admin/contact-points", headers=admin, timeout=10, json={
        "name": "张明华", "type": "contact_point", "layer": "farmer", "region_code": LONGJING,
        "phone": "13871000001"})
    assert created.status_code == 201, created.text
    bound = requests.post(api + "/auth/bind", headers=resident, timeout=10,
                          json={"invite_code": created.json()["invite_code"]})
    assert bound.status_code == 200 and bound.json()["bound"] == "contact_point", bound.text

    report = requests.post(api + "/reports", headers=resident, timeout=10, json={
        "village_code": LONGJING, "kind": "contact_point", "topic": "其他", "anonymous": False,
        "content": "村里招商引资项目的土地流转费用尚未公开，群众都很关心。"})
    assert report.status_code == 201, report.text
    tracking_no = report.json()["tracking_no"]
    mine = requests.get(api + "/me/reports", headers=resident, timeout=10).json()["items"]
    assert [r["tracking_no"] for r in mine] == [tracking_no]

    # the progress notice reaches the stand-in, which shows it on its messages page under the typed code
    deadline = time.monotonic() + 10
    while not walk.messages() and time.monotonic() < deadline:
        time.sleep(0.05)
    messages = requests.get(walk.base_url + "dev/wechat/messages", timeout=10).text
    assert "zhangsan" in messages and tracking_no in messages and "DEV-REPORT-UPDATE" in messages

    code = requests.get(f"{api}/villages/{LONGJING}/wxacode.png", timeout=10)
    assert code.status_code == 200 and code.headers["Content-Type"] == "image/png"
    assert decode(Image.open(io.BytesIO(code.content)))[0].data.decode().startswith("wxacode:")


def test_the_login_page_shows_wechat_and_connection_errors_in_chinese(walk):
    refused = requests.post(walk.base_url + "dev/wechat/login", data={"code": "bad-code"}, timeout=10)
    assert refused.status_code == 400 and "微信登录凭证无效" in refused.text
    empty = requests.post(walk.base_url + "dev/wechat/login", data={"code": " "}, timeout=10)
    assert empty.status_code == 400 and "请输入登录凭证" in empty.text
    walk.app_url = "http://127.0.0.1:9"
    down = requests.post(walk.base_url + "dev/wechat/login", data={"code": "zhangsan"}, timeout=10)
    assert down.status_code == 502 and "无法连接应用" in down.text
    assert requests.get(walk.base_url + "dev/wechat/nowhere", timeout=10).status_code == 404
    assert "还没有收到订阅消息" in requests.get(walk.base_url + "dev/wechat/messages", timeout=10).text


def test_openids_are_stable_per_code():
    assert standin.openid_for("zhangsan") == standin.openid_for("user:zhangsan")
    assert standin.openid_for("zhangsan") != standin.openid_for("lisi")
    assert len(standin.openid_for("zhangsan")) == 28


@pytest.mark.parametrize("overrides, problem", [
    ({"WECHAT_APPID": standin.APPID, "WECHAT_SECRET": "a-real-looking-secret"}, "stand-in's"),
    ({"WECHAT_APPID": "wx0123456789abcdef", "WECHAT_SECRET": standin.SECRET}, "stand-in's"),
    ({"WECHAT_API_BASE": "http://127.0.0.1:5001/"}, "WECHAT_API_BASE"),
    ({"WECHAT_API_BASE": "http://localhost:5001/"}, "WECHAT_API_BASE"),
])
def test_production_refuses_the_stand_in(tmp_path, overrides, problem):
    with pytest.raises(RuntimeError, match="Production configuration refused") as info:
        create_app(production_config(tmp_path, **overrides))
    assert problem in str(info.value)


def test_production_accepts_real_wechat(tmp_path):
    app = create_app(production_config(tmp_path, WECHAT_APPID="wx0123456789abcdef",
                                       WECHAT_SECRET="0123456789abcdef0123456789abcdef",
                                       WECHAT_API_BASE="https://api.weixin.qq.com/"))
    assert app.config["ENV_NAME"] == "production"


def test_the_stand_in_will_not_start_in_production_nor_off_loopback(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(SystemExit, match="仅用于开发环境"):
        standin.main(["--port", "0"])
    with pytest.raises(ValueError):
        standin.start(host="0.0.0.0")
