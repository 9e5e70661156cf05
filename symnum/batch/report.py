"""``symnum grade --report report.html``: a grading run's :class:`~.summary.Summary` as one
self-contained HTML page (no script, no font or style from elsewhere; plots drawn by
matplotlib as inline SVG): per-question correct rates, the most common wrong answers with
their hints, per-student totals. The page is the Jinja2 template ``templates/report.html``;
every text from the files is escaped.

>>> from symnum.batch.jobs import Row
>>> from symnum.batch.summary import summary
>>> from symnum.batch.tables import KeyRow
>>> s = summary([Row("ann", "q1", "correct", 1.0), Row("<script>", "q1", "incorrect")],
...             {"q1": KeyRow("q1", "x**3", "x")})
>>> page = report_html(s, plots=False)
>>> "&lt;script&gt;" in page and "<script" not in page and "http" not in page
True
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from .summary import Summary

# Each verdict's colour, in the plots and the page (colour-blind safe: Okabe-Ito).
COLOURS = {"correct": "#009E73", "incorrect": "#D55E00", "unreadable": "#CC79A7",
           "gave up": "#999999"}
MISTAKES_SHOWN = 3  # per question in the overview table
WIDTH = 10.0  # inches of a plot: drawn at the page's width, its text at the page's size
STUDENTS_PLOTTED = 8  # fewer students: their table says it all, no histogram


def report_html(summary: Summary, title: str = "Grading report", source: str = "",
                plots: bool = True) -> str:
    """The page for ``summary``; ``source`` says where the rows come from (file names);
    ``plots=False`` leaves the matplotlib figures out."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("symnum.batch", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pct"] = lambda x: f"{x:.0%}"
    env.filters["num"] = lambda x: f"{x:.3g}"
    figures = {"questions": _verdicts_plot(summary), "students": _totals_plot(summary)} \
        if plots else {}
    return env.get_template("report.html").render(
        title=title, source=source, s=summary, counts=summary.counts(), colours=COLOURS,
        figures=figures, mistakes_shown=MISTAKES_SHOWN, mean=_mean(summary))


def write_report(summary: Summary, path: str | Path, title: str = "Grading report",
                 source: str = "") -> Path:
    """Write the page to ``path`` (a temp file, then renamed: never half a page); the path."""
    path = Path(path)
    text = report_html(summary, title, source)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def _mean(summary: Summary) -> float | None:
    totals = [s.share for s in summary.students]
    return sum(totals) / len(totals) if totals else None


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure


def _svg(figure: Any) -> str:
    """The figure as SVG markup for inline use: text kept as text, the same bytes each time."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "symnum",
                                "font.family": "sans-serif"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return re.sub(r"^.*?(?=<svg)", "", text, count=1, flags=re.S)  # no XML prolog, no DOCTYPE


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors="#333333", labelsize=9)


def _verdicts_plot(summary: Summary) -> str | None:
    """Per question, its answers split by verdict: one horizontal bar each."""
    questions = summary.questions
    if not questions:
        return None
    figure = _figure(WIDTH, 1.0 + 0.3 * len(questions))
    ax = figure.add_subplot()
    names = [q.question for q in questions][::-1]
    left = [0.0] * len(names)
    for verdict, colour in COLOURS.items():
        widths = [dict(q.counts).get(verdict, 0) for q in questions][::-1]
        if not any(widths):
            continue
        ax.barh(names, widths, left=left, color=colour, label=verdict, height=0.68)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlabel("answers", fontsize=9)
    ax.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=9,
              handlelength=1.0, borderaxespad=0.2)
    _style(ax)
    ax.set_xlim(0, max(left) or 1)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _svg(figure)


def _totals_plot(summary: Summary) -> str | None:
    """How the students' totals spread: a histogram of the share of the possible points."""
    shares = [100 * s.share for s in summary.students]
    if len(shares) < STUDENTS_PLOTTED:
        return None
    figure = _figure(WIDTH, 2.6)
    ax = figure.add_subplot()
    bins = list(range(0, 101, 10))
    ax.hist(shares, bins=bins, color="#0072B2", edgecolor="white", linewidth=1)
    ax.set_xlim(0, 100)
    ax.set_xticks(bins, [f"{b}%" for b in bins])
    ax.set_xlabel("total, as a share of the possible points", fontsize=9)
    ax.set_ylabel("students", fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax)
    return _svg(figure)
