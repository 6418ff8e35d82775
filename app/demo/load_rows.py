"""Rows of synthetic reports for `flask demo load`: each report's lifecycle, timeline, assignment and deadline."""

from datetime import UTC, timedelta

from app.contacts.layers import LAYERS
from app.reports.topics import DEFAULT_TOPICS

KINDS = (("suggestion", 35), ("question", 20), ("help", 10), ("tipoff", 20), ("contact_point", 15))
CHANNELS = (("miniprogram", 55), ("h5", 20), ("letter", 10), ("phone", 10), ("visit", 5))
TOPIC_WEIGHTS = (8, 14, 4, 18, 10, 12, 10, 4, 12, 8)
DISPOSITIONS = ("talk_inquiry", "preliminary_verification", "hold_pending", "close_out")
TEXTS = (
    "村里修路的钱花了多少没有公开，希望公布明细。", "低保名额评定没有开会公示，群众有意见。",
    "村集体土地流转费用去向不明。", "惠农补贴发放名单与实际不符。", "村干部办事拖拉，群众多次反映无人理睬。",
    "新建水渠质量差，刚完工就开裂。", "化肥价格比邻村高出不少。", "村务公开栏很久没有更新。",
    "村里欠施工队的工程款一直没付。", "建议在村口安装路灯，晚上出行不安全。",
)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CST = timedelta(hours=8)


def _b32(n, width=6):
    out = []
    for _ in range(width):
        n, r = divmod(n, 32)
        out.append(CROCKFORD[r])
    return "".join(reversed(out))


def _cst_date(moment):
    return (moment.astimezone(UTC) + CST).date()


class ReportFactory:
    """Makes batches of report rows with consistent timelines; ids continue from `next_ids`."""

    def __init__(self, rng, villages, units_by_county, now, next_ids):
        from app.reports.models import Report, TimelineEvent
        from app.triage.models import Assignment

        self.rng, self.villages, self.units, self.now = rng, villages, units_by_county, now
        self.report_id, self.event_id = next_ids[Report], next_ids[TimelineEvent]
        self.assignment_id = next_ids[Assignment]
        weights = [rng.random() ** 3 + 0.02 for _ in villages]  # some villages write far more than others
        self.cum_villages = [sum(weights[:1])]
        for w in weights[1:]:
            self.cum_villages.append(self.cum_villages[-1] + w)
        self.layers = list(LAYERS)

    def batch(self, size):
        """{"reports", "events", "assignments", "deadlines"}: lists of column dicts for `size` reports."""
        rng = self.rng
        out = {"reports": [], "events": [], "assignments": [], "deadlines": []}
        villages = rng.choices(self.villages, cum_weights=self.cum_villages, k=size)
        kinds = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS], k=size)
        channels = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS], k=size)
        topics = rng.choices(DEFAULT_TOPICS, TOPIC_WEIGHTS, k=size)
        for village, kind, channel, topic in zip(villages, kinds, channels, topics, strict=True):
            self._one(out, village, kind, channel, topic)
        return out

    def _one(self, out, village, kind, channel, topic):
        rng, rid = self.rng, self.report_id
        self.report_id += 1
        day = rng.randrange(365)
        received = (self.now - timedelta(days=day + 1)).replace(hour=rng.randrange(23, 38) % 24,
                                                                minute=rng.randrange(60), microsecond=0)
        events = [("submitted", received, None, "received", "public", None)]
        status, disposition, milestones = self._life(rid, received, kind, village, out, events)
        out["reports"].append({
            "id": rid, "tracking_no": f"JB{_cst_date(received):%Y%m%d}-{_b32(rid)}", "kind": kind,
            "topic": topic, "content": f"{TEXTS[rid % len(TEXTS)]}（模拟数据 {rid}）",
            "channel": "miniprogram" if kind == "contact_point" else channel, "village_code": village,
            "township_code": village[:9] + "000", "county_code": village[:6] + "000000", "status": status,
            "disposition": disposition, "received_at": received, "status_changed_at": events[-1][1],
            "anonymous": kind == "tipoff" and rng.random() < 0.7 or rng.random() < 0.3,
            "contact_layer": rng.choice(self.layers) if kind == "contact_point" else None, "flagged": False})
        for action, at, source, target, visibility, note in events:
            out["events"].append({"id": self.event_id, "report_id": rid, "at": at, "action": action,
                                  "from_status": source, "to_status": target, "visibility": visibility,
                                  "note": note, "actor_label": "纪委监委" if action != "submitted" else None})
            self.event_id += 1
        if status != "received":
            out["deadlines"].append({"report_id": rid, **milestones, "updated_at": events[-1][1]})

    def _life(self, rid, received, kind, village, out, events):
        """Walk a report through its states up to now; returns (status, disposition, deadline columns)."""
        rng, now = self.rng, self.now
        decided = received + timedelta(days=min(rng.expovariate(1 / 4), 30), hours=rng.randrange(1, 9))
        none = {"stage": None, "due_on": None, "accepted_on": None, "concluded_on": None}
        if decided > now:
            return "received", None, none
        fate = rng.random()
        if fate < 0.08:
            events.append(("refuse", decided, "received", "not_accepted", "public", "不属于本机关受理范围"))
            return "not_accepted", None, none
        if fate < 0.13:
            events.append(("merge", decided, "received", "merged", "public", "已与同类问题合并办理"))
            return "merged", None, none
        disposition = rng.choice(DISPOSITIONS) if kind == "tipoff" else None
        events.append(("accept", decided, "received", "accepted", "public", "您反映的问题已受理"))
        accepted_on = _cst_date(decided)
        state = {"stage": "conclude", "due_on": accepted_on + timedelta(days=90), "accepted_on": accepted_on,
                 "concluded_on": None}
        if rng.random() < 0.03:
            held = decided + timedelta(days=rng.uniform(1, 5))
            if held <= now:
                events.append(("hold", held, "accepted", "on_hold", "internal", None))
                return "on_hold", disposition, {**state, "stage": None, "due_on": None}
        status, last = "accepted", decided
        if rng.random() < 0.45:
            status, last = self._assign(rid, village, last, out, events, state)
            if status == "assigned":
                return status, disposition, state
        concluded = last + timedelta(days=rng.expovariate(1 / 20))
        if concluded > now:
            return status, disposition, state
        events.append(("conclude", concluded, status, "concluded", "public", "经调查核实，已督促整改到位"))
        state = {**state, "stage": None, "due_on": None, "concluded_on": _cst_date(concluded)}
        closed = concluded + timedelta(days=rng.uniform(3, 30))
        if rng.random() < 0.7 and closed <= now:
            events.append(("close", closed, "concluded", "closed", "internal", None))
            return "closed", disposition, state
        return "concluded", disposition, state

    def _assign(self, rid, village, accepted, out, events, state):
        rng = self.rng
        units = self.units.get(village[:6] + "000000")
        assigned = accepted + timedelta(days=rng.uniform(0, 3))
        if not units or assigned > self.now:
            return "accepted", accepted
        due = _cst_date(assigned) + timedelta(days=15)
        answered = assigned + timedelta(days=rng.expovariate(1 / 10))
        done = answered <= self.now
        rectified = rng.random() < 0.8
        out["assignments"].append({
            "id": self.assignment_id, "report_id": rid, "unit_id": rng.choice(units), "due_date": due,
            "assigned_at": assigned, "answered_at": answered if done else None,
            "answer": ("已核实并整改" if rectified else "正在整改") if done else None,
            "rectified": rectified if done else None, "note": None})
        self.assignment_id += 1
        events.append(("assign", assigned, "accepted", "assigned", "internal", None))
        if not done:
            if due < state["due_on"]:
                state.update(stage="assignment", due_on=due)
            return "assigned", assigned
        events.append(("respond", answered, "assigned", "responded", "internal", None))
        return "responded", answered
