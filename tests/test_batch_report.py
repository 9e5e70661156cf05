"""The end of a grading run: the summary (symnum/batch/summary.py) and the HTML report
(symnum/batch/report.py), from rows made here (no grading: the verdicts are given)."""

from __future__ import annotations

import re

from symnum.batch.jobs import Row
from symnum.batch.report import report_html, write_report
from symnum.batch.store import Store
from symnum.batch.summary import MISTAKES, summary
from symnum.batch.tables import KeyRow, Points
from symnum.check.diagnose import HINT_KINDS

KEY = {"chain": KeyRow("chain", "sin(x**2)", "x", "derivative", points=Points(2.0)),
       "grad": KeyRow("grad", "x**2*y", "x,y", "gradient")}
CHAIN = ("a chain-rule factor is missing: in sin(x**2), the derivative of the inner x**2 "
         "(2*x) is not multiplied in")
SIGN = "the sign is wrong: the claim is minus the derivative"
ROWS = [Row("ann", "chain", "correct", 2.0), Row("ann", "grad", "correct", 1.0),
        Row("bob", "chain", "incorrect", 1.0, CHAIN), Row("bob", "grad", "unreadable", 0.0,
                                                            "invalid syntax at column 3"),
        Row("cy", "chain", "incorrect", 0.0, CHAIN), Row("cy", "grad", "incorrect", 0.0, SIGN),
        Row("<i>dee</i>", "chain", "gave up", 0.0, "gave up after 20 s")]
ANSWERS = {("bob", "chain"): "cos(x**2)", ("cy", "chain"): "cos( x**2 )",
           ("bob", "grad"): "[2*x*y,", ("cy", "grad"): "[-2*x*y, -x**2]",
           ("<i>dee</i>", "chain"): "x**(10**9)"}


def test_every_kind_of_hint_has_a_name_in_the_summary():
    assert list(MISTAKES) == list(HINT_KINDS)


def test_questions_count_verdicts_mistakes_and_the_same_wrong_answer_once():
    s = summary(ROWS, KEY, ANSWERS)
    chain, grad = s.questions
    assert (chain.answered, chain.correct, chain.rate, chain.points) == (4, 1, 0.25, 0.75)
    assert dict(chain.counts) == {"correct": 1, "incorrect": 2, "gave up": 1}
    assert chain.mistakes == (("chain-rule factor missing", 2), ("gave up", 1))
    top = chain.wrong[0]  # spaces aside, bob and cy wrote the same
    assert (top.answer, top.count, top.students, top.hint) == ("cos(x**2)", 2, ("bob", "cy"),
                                                                CHAIN)
    assert [w.verdict for w in grad.wrong] == ["unreadable", "incorrect"]
    totals = {t.student: (t.points, t.possible) for t in s.students}
    assert totals == {"ann": (3.0, 3.0), "bob": (1.0, 3.0), "cy": (0.0, 3.0),
                      "<i>dee</i>": (0.0, 3.0)}
    lines = s.text().splitlines()
    assert lines[0] == ("7 answers from 4 students to 2 questions: 2 correct, 3 incorrect, "
                        "1 unreadable, 1 gave up")
    assert re.match(r"chain +1/4 +25% +0\.75/2 +chain-rule factor missing \(2\)$", lines[2])
    assert lines[-1] == ("students' totals (of 3): mean 1 (33%), median 0.5, lowest 0, "
                         "highest 3")
    assert summary(ROWS, KEY).questions[0].wrong[0].answer == ""  # no answers: by hint


def test_the_report_is_one_self_contained_page_with_the_rates_answers_hints_and_totals(tmp_path):
    page = write_report(summary(ROWS, KEY, ANSWERS), tmp_path / "report.html",
                        source="answers.csv").read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # the verdicts by question; too few students for a histogram
    assert not re.search(r"<script|<link|<img|@import|(src|href)=\"?https?:|url\((?!#)", page)
    text = re.sub(r"\s+", " ", re.sub(r"<svg.*?</svg>|<style>.*?</style>|<[^>]+>", " ", page,
                                      flags=re.S))
    for shown in ("derivative of sin(x**2) in x", "gradient of x**2*y in x, y", "25%",
                  "0.75 / 2", "chain-rule factor missing (2)", "cos(x**2) 2 incorrect",
                  CHAIN + " bob, cy", "[2*x*y, 1 unreadable invalid syntax at column 3",
                  "ann 3 / 3 100% 2 0 0 0", "&lt;i&gt;dee&lt;/i&gt; 0 / 3 0% 0 0 0 1"):
        assert shown in text, shown
    assert "<i>dee" not in page
    many = [Row(f"s{i}", "chain", "correct" if i % 3 else "incorrect", 2.0 * (i % 3 > 0), SIGN)
            for i in range(9)]
    assert report_html(summary(many, KEY)).count("<svg") == 2  # and the totals' histogram


def test_grade_prints_the_summary_and_writes_the_report(cli, tmp_path):
    answers, key, out = tmp_path / "answers.csv", tmp_path / "key.csv", tmp_path / "out.csv"
    answers.write_text("student,question,answer\nann,q,3*x**2\nbob,q,-3*x**2\n")
    key.write_text("question,expression,wrt,what\nq,x**3,x,derivative\n")
    from symnum.batch.grading import jobs_of
    jobs, _ = jobs_of(answers, key)
    with Store(out) as store:  # graded already: the run reads them, grades nothing
        store.add(Row("ann", "q", "correct", 1.0, "", 0.1, jobs[0].digest))
        store.add(Row("bob", "q", "incorrect", 0.0, SIGN, 0.1, jobs[1].digest))
    proc = cli("grade", str(answers), "--key", str(key), "--out", str(out), "--quiet",
               "--report", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("graded 0 answers") and "wrong sign (1)" in lines[2]
    assert lines[-1] == f"report → {tmp_path / 'r.html'}"
    assert "-3*x**2" in (tmp_path / "r.html").read_text(encoding="utf-8")
    bad = cli("grade", str(answers), "--key", str(key), "--out", str(out),
              "--report", str(tmp_path / "nowhere" / "r.html"))
    assert bad.returncode == 2 and "the folder of" in bad.stderr
