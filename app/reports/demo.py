"""Demo reports for 龙井村 and 罗家坡村, filed through the real submission path (idempotent by retry key)."""

import sqlalchemy as sa

from app.extensions import db
from app.regions.models import Region

LONGJING, LUOJIAPO = "420323103211", "420323102203"
DEMO_SCOPE_ADDRESS = "demo-seed"
REPORTS = [
    ("demo-1", {"village_code": LONGJING, "kind": "tipoff", "topic": "强农惠农政策落实", "anonymous": True,
                "content": "村里今年的低保名额评定没有开村民代表会议，有一户家里有小车的也评上了，请核查。"}),
    ("demo-2", {"village_code": LONGJING, "kind": "question", "topic": "党务政务村务公开", "anonymous": False,
                "reporter": {"name": "陈德明", "phone": "13907191234"},
                "content": "三月份财务公开里的“办公费”支出比去年多了不少，想问一下主要用在了哪些地方？"}),
    ("demo-3", {"village_code": LONGJING, "kind": "suggestion", "topic": "工程质量", "anonymous": True,
                "content": "村委会门前到二组的水泥路去年才修好，现在已经有好几处开裂，建议尽快请施工方返修。"}),
    ("demo-4", {"village_code": LUOJIAPO, "kind": "help", "topic": "其他", "anonymous": False,
                "reporter": {"name": "罗秀英", "phone": "0719-4231234"},
                "content": "家里老人行动不便，想请村里的党员帮忙代办一下医保缴费，有事随时约。"}),
    ("demo-5", {"village_code": LUOJIAPO, "kind": "tipoff", "topic": "土地纠纷", "anonymous": True,
                "target": {"person_name": "罗某某", "person_post": "村委会委员"},
                "content": "三组的集体林地被个人圈占种了茶叶，村里一直没有说法，请纪委调查处理。"}),
]


def seed_reports(echo=print):
    """File the demo reports once (same village and text counts as filed); print new anonymous receipt codes."""
    from app.reports.models import Report
    from app.reports.receipts import format_receipt
    from app.reports.service import load_submission, submit_report

    if db.session.get(Region, LONGJING) is None:
        echo("演示反映：未找到演示村，跳过")
        return
    created = 0
    for key, data in REPORTS:
        exists = db.session.scalar(sa.select(Report.id).where(Report.village_code == data["village_code"],
                                                             Report.content == data["content"]))
        if exists:
            continue
        report, receipt, new = submit_report(load_submission({"channel": "h5", **data}), client_key=DEMO_SCOPE_ADDRESS,
                                             idempotency_key=key)
        created += int(new)
        if receipt:
            echo(f"演示反映 {report.tracking_no} 的回执码：{format_receipt(receipt)}")
    echo(f"演示反映：新增 {created} 条")
