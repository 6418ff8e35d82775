"""What readers see of a disclosure's content: computed totals, display strings, masked personal data.

render_content(kind, content, audience) is for reading ("public": subsidy recipients masked; "staff": in full).
ledger_content(kind, content, key) is what the hash chain covers: the stored content with each recipient's name
and ID number replaced by their masked forms plus a keyed digest of the real values, so the chain can be
recomputed from public data while a silent edit of a real name still changes the hash.
"""

import hashlib
import hmac

from app.disclosures.canonical import canonical_json
from app.security.masking import mask_id_number, mask_name

AUDIENCES = ("public", "staff")
DIRECTION_LABELS = {"income": "收入", "expense": "支出"}


def format_fen(fen):
    """Integer fen as yuan with thousands separators: 123456 -> "1,234.56", -5 -> "-0.05"."""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{rest:02d}"


def money(fen):
    """The API's money shape: {"fen": 12345, "display": "123.45"}."""
    return {"fen": int(fen), "display": format_fen(fen)}


def finance_totals(content):
    """Income and expense totals and the closing balance of a finance content, in fen."""
    income = sum(line["amount_fen"] for line in content["lines"] if line["direction"] == "income")
    expense = sum(line["amount_fen"] for line in content["lines"] if line["direction"] == "expense")
    return {"income_total_fen": income, "expense_total_fen": expense,
            "closing_balance_fen": content["opening_balance_fen"] + income - expense}


def _finance(content):
    balance = content["opening_balance_fen"]
    lines = []
    for line in content["lines"]:
        balance += line["amount_fen"] if line["direction"] == "income" else -line["amount_fen"]
        lines.append({**line, "direction_label": DIRECTION_LABELS[line["direction"]],
                      "amount": money(line["amount_fen"]), "balance": money(balance)})
    totals = finance_totals(content)
    opening = content["opening_balance_fen"]
    return {"opening_balance_fen": opening, "opening_balance": money(opening), "lines": lines,
            "line_count": len(lines), **totals,
            "income_total": money(totals["income_total_fen"]), "expense_total": money(totals["expense_total_fen"]),
            "closing_balance": money(totals["closing_balance_fen"])}


def _funds(content, audience):
    recipients = []
    for person in content["recipients"]:
        shown = person if audience == "staff" else {
            **person, "name": mask_name(person["name"]), "id_number": mask_id_number(person["id_number"])}
        recipients.append({**shown, "amount": money(person["amount_fen"])})
    total = sum(person["amount_fen"] for person in content["recipients"])
    return {"program": content["program"], "description": content.get("description", ""),
            "recipients": recipients, "recipient_count": len(recipients), "total_fen": total, "total": money(total),
            "masked": audience != "staff"}


def _power(content):
    items = []
    for item in content["items"]:
        days = [s["time_limit_days"] for s in item["steps"] if s.get("time_limit_days") is not None]
        items.append({**item, "step_count": len(item["steps"]), "total_time_limit_days": sum(days) if days else None})
    return {"items": items, "item_count": len(items)}


def _text(content, attachments):
    paragraphs = [p for p in content["body"].split("\n") if p.strip()]
    listed = [attachments.get(upload_id, {"id": upload_id}) for upload_id in content.get("attachment_ids", [])]
    return {"body": content["body"], "paragraphs": paragraphs, "items": content.get("items", []),
            "attachment_ids": list(content.get("attachment_ids", [])), "attachments": listed}


def render_content(kind, content, audience="public", attachments=None):
    """Content as readers see it; `attachments` maps upload ids to {id, mime, size} for affairs and party."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    if kind == "finance":
        return _finance(content)
    if kind == "funds":
        return _funds(content, audience)
    if kind == "power":
        return _power(content)
    if kind in ("affairs", "party"):
        return _text(content, attachments or {})
    raise ValueError(kind)


def recipient_digest(key, name, id_number):
    """HMAC-SHA256 (hex) of a recipient's real name and ID number under the version's blinding key."""
    message = canonical_json([name, id_number])
    return hmac.new(key.encode("ascii"), message, hashlib.sha256).hexdigest()


def ledger_content(kind, content, key=None):
    """The content as the hash chain covers it (public, masked, with digests of what is masked)."""
    if kind != "funds":
        return content
    if not key:
        raise ValueError("a funds disclosure needs its blinding key")
    recipients = [{"name": mask_name(p["name"]), "id_number": mask_id_number(p["id_number"]),
                   "amount_fen": p["amount_fen"], "digest": recipient_digest(key, p["name"], p["id_number"])}
                  for p in content["recipients"]]
    return {**content, "recipients": recipients}
