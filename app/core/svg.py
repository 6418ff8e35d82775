"""The one server-side chart helper: SVG markup built here, no script and no CDN. Funnels now; lines, radar, org
charts and flowcharts add a function each on the same `Canvas` (text escaped, optional links per shape)."""

from markupsafe import Markup, escape

FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\""
PALETTE = ("#1f5fa8", "#2f77c2", "#4a8fd6", "#6aa6e0", "#8fbde9", "#b3d3f1", "#d1e4f6")


class Canvas:
    """An SVG drawing: shapes appended in order, rendered as one <svg> with a title for screen readers."""

    def __init__(self, width, height, title):
        self.width, self.height, self.title, self.parts = width, height, title, []

    def rect(self, x, y, w, h, fill, href=None, label=None):
        """A rectangle, optionally a link (with a tooltip)."""
        tip = f"<title>{escape(label)}</title>" if label else ""
        shape = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" fill="{fill}">{tip}</rect>'
        self.parts.append(self._link(shape, href))

    def polygon(self, points, fill, href=None, label=None):
        """A polygon through [(x, y)], optionally a link."""
        tip = f"<title>{escape(label)}</title>" if label else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(self._link(f'<polygon points="{path}" fill="{fill}">{tip}</polygon>', href))

    def text(self, x, y, value, *, anchor="middle", fill="#1b1b1b", size=13, bold=False, href=None):
        """A line of text (escaped)."""
        weight = ' font-weight="600"' if bold else ""
        node = (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{weight} {FONT}>'
                f"{escape(value)}</text>")
        self.parts.append(self._link(node, href))

    @staticmethod
    def _link(node, href):
        return f'<a href="{escape(href)}">{node}</a>' if href else node

    def render(self):
        """The <svg> element as safe markup."""
        return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                      f'width="{self.width}" height="{self.height}" role="img" aria-label="{escape(self.title)}">'
                      f"<title>{escape(self.title)}</title>{''.join(self.parts)}</svg>")


def funnel(steps, *, title, width=560, step_height=46, gap=6, min_share=0.18):
    """A funnel of [{label, value, note?, href?}]: one trapezoid per step, its width by its value relative to the
    first step (at least min_share of the width so labels fit); each step links to href when given."""
    canvas = Canvas(width, len(steps) * (step_height + gap) + gap, title)
    top = max([s["value"] or 0 for s in steps] + [1])
    area = width - 220
    widths = [area * max(min_share, (s["value"] or 0) / top) for s in steps]
    for i, step in enumerate(steps):
        y = gap + i * (step_height + gap)
        upper = widths[i]
        lower = widths[i + 1] if i + 1 < len(widths) else upper * 0.85
        lower = min(lower, upper)
        cx = area / 2 + 10
        points = [(cx - upper / 2, y), (cx + upper / 2, y), (cx + lower / 2, y + step_height),
                  (cx - lower / 2, y + step_height)]
        label = f"{step['label']}：{step['value']}"
        canvas.polygon(points, PALETTE[i % len(PALETTE)], step.get("href"), label)
        canvas.text(cx, y + step_height / 2 + 5, str(step["value"]), fill="#ffffff", size=15, bold=True,
                    href=step.get("href"))
        canvas.text(area + 24, y + step_height / 2 - 2, step["label"], anchor="start", bold=True, href=step.get("href"))
        if step.get("note"):
            canvas.text(area + 24, y + step_height / 2 + 15, step["note"], anchor="start", fill="#5a5a5a", size=11)
    return canvas.render()
