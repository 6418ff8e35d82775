"""Inspector and admin: figures for a period with server-made SVG bar charts (by month, topic, layer) and downloads."""

from datetime import date, timedelta

from app.console.access import staff
from app.console.blueprint import bp
from app.console.layout import render
from app.console.nav import NavEntry
from app.console.views_ledger import period_args
from app.triage import exports, stats, stats_sql
from app.triage.case_schemas import StatsQuery

NAV = [NavEntry("统计", "console.stats_page", "stats.view", "监督执纪",
                "按月份、问题类型、界别等统计，图表与 Excel 下载", 50)]
CHART_WIDTH = 520
ROW_HEIGHT = 26
LABEL_WIDTH = 140
COLUMN_AREA = 180
MAX_ROWS = 15


def months(start, end):
    """[(label, first day, last day)] of the calendar months overlapping [start, end], clipped to it."""
    out, first = [], date(start.year, start.month, 1)
    while first <= end:
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append((f"{first.year}年{first.month}月", max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out


def hbars(rows):
    """Geometry of a horizontal bar chart: [{label, value, y, width}], height and the scale's maximum."""
    rows = rows[:MAX_ROWS]
    top = max([r[1] for r in rows] + [1])
    span = CHART_WIDTH - LABEL_WIDTH - 60
    bars = [{"label": label, "value": value, "y": i * ROW_HEIGHT, "width": round(span * value / top, 1)}
            for i, (label, value) in enumerate(rows)]
    return {"bars": bars, "height": max(len(bars), 1) * ROW_HEIGHT + 4, "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "max": top}


def columns(rows):
    """Geometry of a column chart (one column per month): [{label, value, x, y, height}], width and height."""
    top = max([r[1] for r in rows] + [1])
    step = max(28, min(80, (CHART_WIDTH - 20) // max(len(rows), 1)))
    bars = []
    for i, (label, value) in enumerate(rows):
        height = round(COLUMN_AREA * value / top, 1)
        bars.append({"label": label, "short": label.split("年")[1] if "年" in label else label, "value": value,
                     "x": 10 + i * step, "w": step - 8, "y": 20 + COLUMN_AREA - height, "height": height})
    return {"bars": bars, "width": max(CHART_WIDTH, 20 + step * len(rows)), "height": COLUMN_AREA + 60,
            "base": 20 + COLUMN_AREA, "max": top}


def _by_month(user, args, start, end):
    rows = []
    for label, first, last in months(start, end):
        result = stats.compute(user, {**args, "from_": first, "to": last, "by": "kind"})
        rows.append((label, result["total"]["total"]))
    return rows


def _grouped(user, args, by):
    result = stats.compute(user, {**args, "by": by})
    return [(row["label"], row["total"]) for row in result["items"] if row["total"]]


@bp.route("/stats")
def stats_page():
    """The figures table for the chosen grouping, three charts, and the xlsx/csv downloads."""
    user = staff("stats.view")
    raw, args = period_args(StatsQuery())
    result = stats.compute(user, args)
    if args["format"] in ("xlsx", "csv"):
        return exports.stats_download(result, args["format"])
    fixed = {**args, "from_": result["from"], "to": result["to"]}
    charts = [
        ("按月份", "month", columns(_by_month(user, fixed, result["from"], result["to"]))),
        ("按问题类型", "topic", hbars(_grouped(user, fixed, "topic"))),
        ("按联系点界别", "layer", hbars(_grouped(user, fixed, "layer"))),
    ]
    shown = {k: v for k, v in raw.items() if k != "format"}
    shown.update({"from": result["from"].isoformat(), "to": result["to"].isoformat(), "by": result["by"]})
    return render("stats/stats.html", result=result, charts=charts, filters=shown, columns=stats_sql.COLUMNS,
                  groups=list(stats.GROUP_LABELS.items()))
