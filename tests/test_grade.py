"""``symnum grade``: a generated set with known truth (the truth from SymPy's diff directly,
right answers rewritten in other equivalent forms, wrong ones classic mistakes) graded with
no wrong verdict; the same verdicts on a Dask cluster (two worker processes started here);
SIGKILL in the middle and resume; a key edit regrades only its question; bad files; answers
that would stall a run."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy

from symnum.batch import GradeLimits, Job, KeyRow, Pool, Store, grade
from symnum.batch.jobs import Row
from symnum.check.diagnose import HINT_KINDS, hint_kind
from symnum.cli.arguments import GRADE_EPILOG

ROOT = Path(__file__).resolve().parents[1]
x, y = sympy.symbols("x y")


def _text(value) -> str:
    return str(value.tolist() if isinstance(value, sympy.MatrixBase) else value)


def _questions() -> dict[str, tuple]:
    """question → (f, wrt, what, the true result, [(answer, verdict, hint kinds)])."""
    f1, f2, f3, f4 = sympy.sin(x**2), x**2 * sympy.exp(x), x * y**2 + sympy.log(x), x**3 * y
    d1, d2 = sympy.diff(f1, x), sympy.diff(f2, x)
    g3 = sympy.Matrix([sympy.diff(f3, v) for v in (x, y)])
    h4 = sympy.hessian(f4, (x, y))
    return {
        "q1": (f1, "x", "derivative", d1, [
            (_text(d1), "correct", None),
            (_text(sympy.expand_trig(d1.rewrite(sympy.exp))), "correct", None),
            (_text(-d1), "incorrect", {"sign", "trig"}),  # -2x·cos(x²): "sin' is +cos"
            (_text(sympy.cos(x**2)), "incorrect", {"chain"}),
            ("2*x*cos(x**2", "unreadable", None)]),
        "q2": (f2, "x", "derivative", d2, [
            (_text(sympy.factor(d2)), "correct", None),
            (_text(3 * d2), "incorrect", {"constant"}),
            (_text(2 * x * sympy.exp(x)), "incorrect", "product")]),
        "q3": (f3, "x,y", "gradient", g3, [
            (_text([sympy.together(e) for e in g3]), "correct", None),
            (_text(list(reversed(list(g3)))), "incorrect", {"entries"}),
            ("[1, 2, 3]", "unreadable", None)]),
        "q4": (f4, "x,y", "hessian", h4, [
            (_text(h4.applyfunc(sympy.factor)), "correct", None),
            (_text(-h4), "incorrect", {"sign"})]),
    }


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    """The key, the answers and the truth, written to files."""
    folder = tmp_path_factory.mktemp("grade")
    truth = {}
    with (folder / "key.csv").open("w", newline="") as k, \
            (folder / "answers.csv").open("w", newline="") as a:
        keys, answers = csv.writer(k), csv.writer(a)
        keys.writerow(["question", "expression", "wrt", "what", "points"])
        answers.writerow(["student", "question", "answer"])
        questions = _questions()
        for question, (f, wrt, what, _, cases) in questions.items():
            keys.writerow([question, str(f), wrt, what, "2; sign=1"])
            for n, (answer, verdict, kind) in enumerate(cases):
                answers.writerow([f"s{n}", question, answer])
                truth[(f"s{n}", question)] = (verdict, kind)
        answers.writerow(["twin", "q1", questions["q1"][4][0][0]])
        truth[("twin", "q1")] = ("correct", None)  # the same answer as s0's: graded once
    return folder, truth


def _rows(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = [(r["student"], r["question"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "a pair twice in the results"
    return {(r["student"], r["question"]): r for r in rows}


def _grade(cli, folder: Path, out: Path, *extra: str):
    return cli("grade", str(folder / "answers.csv"), "--key", str(folder / "key.csv"),
               "--out", str(out), "--quiet", *extra)


@pytest.fixture(scope="module")
def local(cli, known):
    folder, _ = known
    done = _grade(cli, folder, folder / "local.csv", "--workers", "2")
    assert done.returncode == 0, done.stderr
    return done, _rows(folder / "local.csv")


def test_a_generated_set_with_known_truth_gets_no_wrong_verdict(known, local):
    _, truth = known
    done, rows = local
    assert set(rows) == set(truth)
    wrong = {pair: (rows[pair]["verdict"], rows[pair]["hint"], want)
             for pair, want in truth.items()
             if rows[pair]["verdict"] != want[0]
             or want[1] is not None and hint_kind(rows[pair]["hint"]) not in want[1]}
    assert not wrong
    assert rows[("twin", "q1")]["seconds"] == rows[("s0", "q1")]["seconds"]  # graded once
    for row in rows.values():  # points: 2 when right, 1 for a sign slip
        assert float(row["points"]) == (2 if row["verdict"] == "correct" else
                                        1 if hint_kind(row["hint"]) == "sign" else 0)
    assert f"graded {len(truth)} answers" in done.stdout and "→" in done.stdout


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:  # any free port
        yield cluster.scheduler_address


def _verdicts(rows: dict) -> dict:
    return {pair: (r["verdict"], r["points"], r["hint"], r["digest"]) for pair, r in rows.items()}


def test_a_dask_cluster_gives_the_local_verdicts(cli, known, local, dask_scheduler):
    folder, _ = known
    done = _grade(cli, folder, folder / "dask.csv", "--scheduler", dask_scheduler)
    assert done.returncode == 0, done.stderr
    assert _verdicts(_rows(folder / "dask.csv")) == _verdicts(local[1])


@pytest.mark.process
def test_sigkill_in_the_middle_then_the_same_command_resumes(cli, known, local):
    folder, truth = known
    out = folder / "killed.csv"
    argv = [sys.executable, "-m", "symnum", "grade", str(folder / "answers.csv"), "--key",
            str(folder / "key.csv"), "--out", str(out), "--quiet"]
    for _ in range(3):  # a fast machine may grade the whole set before the kill lands
        out.unlink(missing_ok=True)
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                if out.exists() and out.read_bytes().count(b"\n") >= 2:  # header and a row
                    break
                time.sleep(0.005)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait()
        if 0 < out.read_bytes().count(b"\n") - 1 < len(truth):
            break
    else:  # every run finished first: keep what a kill after the first row leaves
        lines = out.read_bytes().splitlines(keepends=True)
        out.write_bytes(b"".join(lines[:2]))
    before = out.read_bytes()
    assert 0 < before.count(b"\n") - 1 < len(truth), "not killed in the middle"
    with out.open("ab") as handle:  # and a row torn by the kill
        handle.write(b"s9,q1,corr")
    resumed = _grade(cli, folder, out)
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes().startswith(before)  # finished rows kept, byte for byte
    assert _verdicts(_rows(out)) == _verdicts(local[1])


def test_an_edited_key_row_regrades_only_its_question(cli, known, local):
    folder, truth = known
    edited = folder / "edited"
    edited.mkdir()
    (edited / "answers.csv").write_bytes((folder / "answers.csv").read_bytes())
    key = (folder / "key.csv").read_text().replace("x**2*exp(x),x,derivative,2; sign=1",
                                                   "x**2*exp(x),x,derivative,4")
    (edited / "key.csv").write_text(key)
    out = edited / "results.csv"
    out.write_bytes((folder / "local.csv").read_bytes())
    done = _grade(cli, edited, out)
    assert done.returncode == 0, done.stderr
    q2 = sum(q == "q2" for _, q in truth)
    assert f"graded {q2} answers" in done.stdout, done.stdout
    rows = _rows(out)
    for pair, row in rows.items():
        if pair[1] == "q2":
            assert float(row["points"]) == (4 if row["verdict"] == "correct" else 0)
        else:
            assert row == local[1][pair]


@pytest.mark.parametrize(("answers", "key", "extra", "message"), [
    ("student,question\nann,q1\n", None, (), "no 'answer' column"),
    ("student,question,answer\nann,q9,2*x\n", None, (), "question 'q9' is not in the key"),
    ("student,question,answer\nann,q1,2*x\nann,q1,2\n", None, (), "already on line 2"),
    ('{"student": "ann"\n', None, (), "line 1: not JSON"),
    (None, "question,expression,what\nq1,x**2,slope\n", (), "unknown what 'slope'"),
    (None, "question,expression\nq1,x**2 +\n", (), "question 'q1'): the expression does not"),
    (None, "question,expression,points\nq1,x**2,2; wrong=1\n", (), "unknown kind 'wrong'"),
    (None, None, ("--memory", "3"), "--memory must be a size"),
    (None, "question,expression,pionts\nq1,x**2,2\n", (), "unknown column 'pionts'"),
    (None, None, ("--workers", "2", "--scheduler", "tcp://h:1"), "--workers is for local"),
])
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, answers, key, extra, message):
    suffix = ".jsonl" if answers and answers.startswith("{") else ".csv"
    (tmp_path / f"a{suffix}").write_text(answers or "student,question,answer\nann,q1,2*x\n")
    (tmp_path / "k.csv").write_text(key or "question,expression\nq1,x**2\n")
    done = cli("grade", str(tmp_path / f"a{suffix}"), "--key", str(tmp_path / "k.csv"),
               "--out", str(tmp_path / "r.csv"), *extra)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "r.csv").exists()


def test_a_results_file_of_something_else_is_refused(cli, tmp_path):
    (tmp_path / "r.csv").write_text("name,score\nann,3\n")
    done = cli("grade", "examples/grading/answers.csv", "--key", "examples/grading/key.csv",
               "--out", str(tmp_path / "r.csv"))
    assert done.returncode == 2 and "not a results file of symnum grade" in done.stderr
    assert (tmp_path / "r.csv").read_text() == "name,score\nann,3\n"


def test_without_dask_the_scheduler_option_says_what_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    done = cli("grade", "examples/grading/answers.csv", "--key", "examples/grading/key.csv",
               "--out", str(tmp_path / "r.csv"), "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 2 and "install symnum[dask]" in done.stderr


def test_pathological_answers_end_within_their_limits():
    key = KeyRow("q", "x**3", "x")
    huge = "+".join(f"x**{i % 50}*sin(x + {i})" for i in range(6000))  # about 100 kB
    limits = GradeLimits(1.0, None)
    for answer, verdicts in [(huge, {"gave up", "unreadable"}),
                             ("(" * 300 + "x" + ")" * 300, {"unreadable"}),
                             ("x**(10**9)", {"incorrect", "gave up", "unreadable"}),
                             ("exp(exp(exp(x)))**99", {"incorrect", "gave up", "unreadable"})]:
        started = time.monotonic()
        row = grade(Job("s", "q", answer, key), limits)
        assert row.verdict in verdicts, (answer[:30], row)
        assert time.monotonic() - started < 1.0 + 2.0  # the limit and the retry interval


FAKE_WORKER = """\
import json, os, sys, time
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    if job["answer"] == "hang":  # native code that no signal interrupts
        time.sleep(60)
    if job["answer"] == "die":
        os._exit(3)
    print(json.dumps({"student": job["student"], "question": job["question"],
                      "verdict": "correct", "digest": "d"}), flush=True)
"""


def test_a_stuck_or_dead_worker_is_replaced_and_its_answer_gives_up(tmp_path):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)

    class Fake(Pool):
        command = (sys.executable, str(script))

    key = KeyRow("q", "x**2", "x")
    answers = ["ok", "hang", "ok", "die", "ok", "ok"]
    started = time.monotonic()
    with Fake(2, GradeLimits(0.3, None), grace=0.2) as pool:
        rows = list(pool.run(Job(f"s{i}", "q", a, key) for i, a in enumerate(answers)))
        assert len(pool.workers) == 2 and all(w.process.poll() is None for w in pool.workers)
    assert time.monotonic() - started < 20
    verdicts = {r.student: (r.verdict, r.hint) for r in rows}
    assert len(rows) == len(answers) == len(verdicts)
    assert verdicts["s1"] == ("gave up", "gave up after 0.3 s (the limit per answer; "
                                         "--timeout allows more)")
    assert verdicts["s3"][0] == "gave up" and "stopped" in verdicts["s3"][1]
    assert {verdicts[s][0] for s in ("s0", "s2", "s4", "s5")} == {"correct"}


def test_a_worker_that_cannot_start_stops_the_run(tmp_path):
    from symnum.core.errors import SymnumError

    class Broken(Pool):
        command = (sys.executable, "-c", "import sys; sys.exit('no symnum here')")

    with Broken(1, GradeLimits(1, None)) as pool, \
            pytest.raises(SymnumError, match="could not start a grading worker: no symnum"):
        list(pool.run([Job("s", "q", "2*x", KeyRow("q", "x**2", "x"))]))


def test_the_store_cuts_a_torn_line_and_keeps_one_row_per_pair(tmp_path):
    path = tmp_path / "r.jsonl"
    with Store(path) as store:
        store.add(Row("ann", "q1", "incorrect", 0, "sign", 0.1, "aaaa"))
        store.add(Row("ben", "q1", "correct", 1, "", 0.1, "bbbb"))
    path.write_bytes(path.read_bytes() + b'{"student": "cy", "quest')
    with Store(path) as store:
        assert store.done == {("ann", "q1"): "aaaa", ("ben", "q1"): "bbbb"}
        store.add(Row("ann", "q1", "correct", 1, "", 0.1, "cccc"))  # regraded
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and '"ben"' in lines[0] and '"cccc"' in lines[1]
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl"]


def test_the_progress_line_only_on_a_terminal():
    import io

    from symnum.batch.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, piped = Terminal(), io.StringIO()
    for stream, quiet in ((shown, False), (piped, False), (Terminal(), True)):
        progress = Progress(2, quiet, stream)
        progress.advance(2)
        progress.close()
    assert "\rgraded 2/2 (100%)" in shown.getvalue() and piped.getvalue() == ""


def test_the_help_names_every_kind_of_hint_partial_credit_can_use():
    listed = GRADE_EPILOG.split("Kinds: ", 1)[1].split(".", 1)[0]
    assert [k.strip() for k in listed.replace("\n", " ").split(",")] == list(HINT_KINDS)


def test_the_examples_grade_as_a_teacher_expects(tmp_path, cli):
    done = cli("grade", "examples/grading/answers.csv", "--key", "examples/grading/key.csv",
               "--out", str(tmp_path / "r.jsonl"), "--workers", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    rows = {(r.student, r.question): r for r in Store(tmp_path / "r.jsonl").rows()}
    assert {r.verdict for (s, _), r in rows.items() if s == "ann"} == {"correct"}
    assert rows[("ben", "chain")].points == 1 and hint_kind(rows[("ben", "chain")].hint) \
        == "chain"
    assert rows[("dan", "hessian")].verdict == "unreadable"
    assert os.path.getsize(tmp_path / "r.jsonl") > 0


def test_retry_grades_again_only_what_gave_up(cli, known, local):
    folder, _ = known
    out = folder / "retry.csv"
    text = (folder / "local.csv").read_text()
    line = next(r for r in text.splitlines() if r.startswith("s0,q2,correct,2,"))
    out.write_text(text.replace(line, line.replace(",correct,2,", ",gave up,0,")))
    assert "graded 0 answers" in _grade(cli, folder, out).stdout
    assert "graded 1 answer " in _grade(cli, folder, out, "--retry").stdout
    assert _verdicts(_rows(out)) == _verdicts(local[1])


def test_a_spreadsheet_export_reads_byte_order_mark_extra_columns_and_all(tmp_path):
    from symnum.batch import read_answers

    path = tmp_path / "export.csv"
    path.write_bytes("student,question,answer,submitted\r\nann,q1,2*x,9:00\r\n".encode(
        "utf-8-sig"))
    assert [(a.student, a.question, a.answer) for a in read_answers(path)] == \
        [("ann", "q1", "2*x")]
