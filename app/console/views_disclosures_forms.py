"""Disclosure editor forms: HTML form rows <-> content per kind, yuan <-> fen, and service errors -> inputs.

Input names: finance `opening_balance`, `line-<i>-<field>`; power `item-<i>-<field>`, `item-<i>-step-<j>-<field>`;
funds `program`, `description`, `recipient-<i>-<field>`; affairs/party `body`, `entry-<i>-<field>`,
`attachment-<i>` (+ `attachment-<i>-remove`). Blank rows are dropped; `origin` lists remember which form row
each content line came from, so an error on `lines.3.date` is shown next to the right input.
"""

from app.disclosures.finance_cells import CellError, read_amount, read_signed_amount
from app.disclosures.periods import DEFAULT_SCHEDULE, period_of, previous_period
from app.disclosures.public_view import format_fen

TABLE_MAX = 1000  # rows a table editor reads; longer ledgers are maintained by file import
LINE_FIELDS = ("date", "voucher_no", "direction", "subject", "amount", "counterparty", "note")
ITEM_FIELDS = ("item_no", "name", "category", "basis", "responsible_post", "supervision_phone")
STEP_FIELDS = ("name", "actor", "time_limit_days")
RECIPIENT_FIELDS = ("name", "id_number", "amount")
ENTRY_FIELDS = ("label", "value")
BLANK = {"finance": 5, "funds": 5, "text": 3, "items": 1, "steps": 2}
MORE = 10
# content key -> (form prefix, {content field: form field})
LIST_PREFIX = {"lines": ("line", {"amount_fen": "amount"}), "recipients": ("recipient", {"amount_fen": "amount"}),
               "items": ("item", {}), "entries": ("entry", {})}


def fen_text(fen):
    """Fen as an editable yuan amount without separators: 123456 -> "1234.56"."""
    return format_fen(fen).replace(",", "") if fen is not None else ""


def default_period(kind, today):
    """The period usually drafted now: last month for finance, last quarter for the others."""
    return previous_period(period_of(today, DEFAULT_SCHEDULE.get(kind, "quarter"))).label


def _s(value):
    return (value or "").strip()


def _groups(form, prefix, names, limit=TABLE_MAX):
    """[(i, {name: value})] of inputs `prefix-<i>-<name>`, in index order."""
    indices = set()
    for key in form:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit() and parts[2] in names:
            if int(parts[1]) < limit:
                indices.add(int(parts[1]))
    return [(i, {name: form.get(f"{prefix}-{i}-{name}", "") for name in names}) for i in sorted(indices)]


def _blank(row, names):
    return not any(_s(row.get(name)) for name in names)


def _money(text, errors, key, signed=False):
    try:
        return (read_signed_amount if signed else read_amount)(_s(text))
    except CellError as err:
        errors[key] = [str(err)]
        return None


def _int(text, errors, key, message):
    text = _s(text)
    if not text:
        return None
    if not text.isdigit() or len(text) > 4:
        errors[key] = [message]
        return None
    return int(text)


class Parsed:
    """A form read back: the content to send, the rows to re-display, conversion errors and row origins."""

    def __init__(self):
        self.content, self.rows, self.errors, self.origin = {}, {}, {}, {}


def parse_finance(form):
    """Finance form -> Parsed (amounts in yuan converted to fen; blank lines dropped)."""
    parsed = Parsed()
    opening = _s(form.get("opening_balance"))
    parsed.rows["opening_balance"] = opening
    fen = _money(opening or "0", parsed.errors, "opening_balance", signed=True)
    lines, origin, shown = [], [], []
    for _, row in _groups(form, "line", LINE_FIELDS):
        shown.append(row)
        if _blank(row, LINE_FIELDS):
            continue
        amount = _money(row["amount"], parsed.errors, f"line-{len(shown) - 1}-amount")
        lines.append({"date": _s(row["date"]), "voucher_no": _s(row["voucher_no"]),
                      "direction": _s(row["direction"]), "subject": _s(row["subject"]), "amount_fen": amount,
                      "counterparty": _s(row["counterparty"]), "note": _s(row["note"])})
        origin.append(len(shown) - 1)
    parsed.content = {"opening_balance_fen": fen, "lines": lines}
    parsed.rows["lines"], parsed.origin["lines"] = shown, origin
    return parsed


def parse_power(form):
    """Power form -> Parsed: items with their steps; an item without any text is dropped."""
    parsed = Parsed()
    items, origin, shown, step_origin = [], [], [], {}
    for i, row in _groups(form, "item", ITEM_FIELDS, 200):
        steps_shown = [step for _, step in _step_groups(form, i)]
        index = len(shown)
        shown.append({**row, "steps": steps_shown})
        kept = [(j, step) for j, step in enumerate(steps_shown) if not _blank(step, STEP_FIELDS)]
        if form.get(f"item-{i}-remove") == "1":
            shown.pop()
            continue
        if _blank(row, ITEM_FIELDS[1:]) and not kept:
            continue
        number = _int(row["item_no"], parsed.errors, f"item-{index}-item_no", "事项编号应为整数")
        steps = []
        for j, step in kept:
            days = _int(step["time_limit_days"], parsed.errors, f"item-{index}-step-{j}-time_limit_days",
                        "办理时限应为 0 到 365 之间的整数天数")
            steps.append({"name": _s(step["name"]), "actor": _s(step["actor"]), "time_limit_days": days})
        step_origin[len(items)] = [j for j, _ in kept]
        items.append({"item_no": number, "name": _s(row["name"]), "category": _s(row["category"]),
                      "basis": (row["basis"] or "").strip(), "responsible_post": _s(row["responsible_post"]),
                      "supervision_phone": _s(row["supervision_phone"]), "steps": steps})
        origin.append(index)
    parsed.content = {"items": items}
    parsed.rows["items"], parsed.origin["items"], parsed.origin["steps"] = shown, origin, step_origin
    return parsed


def _step_groups(form, item_index):
    prefix = f"item-{item_index}-step-"
    indices = set()
    for key in form:
        if key.startswith(prefix):
            parts = key[len(prefix):].split("-")
            if len(parts) == 2 and parts[0].isdigit() and parts[1] in STEP_FIELDS and int(parts[0]) < 30:
                indices.add(int(parts[0]))
    return [(j, {name: form.get(f"{prefix}{j}-{name}", "") for name in STEP_FIELDS}) for j in sorted(indices)]


def parse_funds(form):
    """Funds form -> Parsed: programme, description and recipients (amounts in yuan)."""
    parsed = Parsed()
    parsed.rows.update(program=_s(form.get("program")), description=(form.get("description") or "").strip())
    people, origin, shown = [], [], []
    for _, row in _groups(form, "recipient", RECIPIENT_FIELDS):
        shown.append(row)
        if _blank(row, RECIPIENT_FIELDS):
            continue
        amount = _money(row["amount"], parsed.errors, f"recipient-{len(shown) - 1}-amount")
        people.append({"name": _s(row["name"]), "id_number": _s(row["id_number"]).upper(), "amount_fen": amount})
        origin.append(len(shown) - 1)
    parsed.content = {"program": parsed.rows["program"], "description": parsed.rows["description"],
                      "recipients": people}
    parsed.rows["recipients"], parsed.origin["recipients"] = shown, origin
    return parsed


def parse_text(form):
    """Affairs/party form -> Parsed: body, item table and the attachments kept."""
    parsed = Parsed()
    body = (form.get("body") or "").strip()
    entries, origin, shown = [], [], []
    for _, row in _groups(form, "entry", ENTRY_FIELDS, 200):
        shown.append(row)
        if _blank(row, ENTRY_FIELDS):
            continue
        entries.append({"label": _s(row["label"]), "value": (row["value"] or "").strip()})
        origin.append(len(shown) - 1)
    kept = [_s(form.get(f"attachment-{i}")) for i in range(20)
            if _s(form.get(f"attachment-{i}")) and form.get(f"attachment-{i}-remove") != "1"]
    parsed.content = {"body": body, "items": entries, "attachment_ids": kept}
    parsed.rows.update(body=body, entries=shown, attachment_ids=kept)
    parsed.origin["entries"] = origin
    return parsed


PARSERS = {"finance": parse_finance, "power": parse_power, "funds": parse_funds, "affairs": parse_text,
           "party": parse_text}


def rows_of(kind, content):
    """Form rows for a stored (or staff-rendered) content."""
    if kind == "finance":
        return {"opening_balance": fen_text(content.get("opening_balance_fen", 0)), "lines": [
            {**{f: line.get(f) or "" for f in LINE_FIELDS if f != "amount"}, "amount": fen_text(line["amount_fen"])}
            for line in content.get("lines", [])]}
    if kind == "power":
        return {"items": [{**{f: "" if item.get(f) is None else str(item.get(f)) for f in ITEM_FIELDS},
                           "steps": [{f: "" if s.get(f) is None else str(s.get(f)) for f in STEP_FIELDS}
                                     for s in item.get("steps", [])]} for item in content.get("items", [])]}
    if kind == "funds":
        return {"program": content.get("program", ""), "description": content.get("description", ""),
                "recipients": [{"name": p["name"], "id_number": p["id_number"], "amount": fen_text(p["amount_fen"])}
                               for p in content.get("recipients", [])]}
    return {"body": content.get("body", ""), "attachment_ids": list(content.get("attachment_ids", [])),
            "entries": [{"label": e["label"], "value": e["value"]} for e in content.get("items", [])]}


def pad(kind, rows, more=0):
    """Rows plus the blank lines the editor offers for additions (more: extra ones asked for)."""
    rows = dict(rows)
    blank = lambda names: dict.fromkeys(names, "")  # noqa: E731
    if kind == "finance":
        rows["lines"] = list(rows.get("lines", [])) + [blank(LINE_FIELDS) for _ in range(BLANK["finance"] + more)]
    elif kind == "funds":
        rows["recipients"] = list(rows.get("recipients", [])) + [
            blank(RECIPIENT_FIELDS) for _ in range(BLANK["funds"] + more)]
    elif kind == "power":
        items = [{**item, "steps": list(item["steps"]) + [blank(STEP_FIELDS) for _ in range(BLANK["steps"])]}
                 for item in rows.get("items", [])]
        extra = BLANK["items"] + (1 if more else 0)
        rows["items"] = items + [{**blank(ITEM_FIELDS), "steps": [blank(STEP_FIELDS) for _ in range(3)]}
                                 for _ in range(extra)]
    else:
        rows["entries"] = list(rows.get("entries", [])) + [blank(ENTRY_FIELDS) for _ in range(BLANK["text"] + more)]
    return rows


def place_errors(kind, errors, origin):
    """Service field errors (`lines.3.amount_fen`) renamed to the form's input names (`line-5-amount`)."""
    placed = {}
    for key, messages in (errors or {}).items():
        placed[_input_name(kind, key, origin)] = messages if isinstance(messages, list) else [str(messages)]
    return placed


def _input_name(kind, key, origin):
    parts = key.split(".")
    if key == "opening_balance_fen":
        return "opening_balance"
    source = "entries" if kind in ("affairs", "party") and parts[0] == "items" else parts[0]
    if source not in LIST_PREFIX or len(parts) < 3 or not parts[1].isdigit():
        return key
    index = int(parts[1])
    rows = origin.get(source, [])
    row = rows[index] if index < len(rows) else index
    prefix, renames = LIST_PREFIX[source]
    if source == "items" and kind == "power" and parts[2] == "steps" and len(parts) == 5 and parts[3].isdigit():
        steps = origin.get("steps", {}).get(index, [])
        step = int(parts[3])
        return f"item-{row}-step-{steps[step] if step < len(steps) else step}-{parts[4]}"
    return f"{prefix}-{row}-{renames.get(parts[2], parts[2])}"

