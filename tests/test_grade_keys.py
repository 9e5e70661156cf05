"""``symnum grade`` keys and answers a new user writes: a .jsonl key's wrt as a JSON list, a
wrt that cannot work (the key's error, refused before any grading, not every student's
``unreadable``), Taylor, tensor and Hessian-vector questions (order, vector, at), and names
glued together in an answer (2xy)."""

from __future__ import annotations

import json

import pytest

from symnum.batch import GradeLimits, Job, grade
from symnum.batch.tables import BatchInputError, read_key


def test_a_jsonl_key_may_list_wrt_and_shapes(tmp_path):
    path = tmp_path / "key.jsonl"
    path.write_text(json.dumps({"question": "q", "expression": "x**2*y", "wrt": ["x", "y"],
                                "what": "gradient"}) + "\n")
    key = read_key(path)["q"]
    assert key.wrt == "x, y"
    assert grade(Job("ann", "q", "[2*x*y, x**2]", key), GradeLimits(10.0, None)).verdict \
        == "correct"


@pytest.mark.parametrize("wrt", ["2x", "x;y"])
def test_a_wrt_that_cannot_work_is_the_keys_error(tmp_path, wrt):
    path = tmp_path / "key.csv"
    path.write_text(f'question,expression,wrt\nq,x**2,"{wrt}"\n')
    with pytest.raises(BatchInputError, match="line 2 .question 'q'.: invalid variable"):
        read_key(path)


def test_taylor_tensor_and_hvp_questions_grade(tmp_path):
    path = tmp_path / "key.csv"
    path.write_text('question,expression,wrt,what,order,vector,at\n'
                    't,exp(x),x,taylor,2,,x=0\nte,x**2*y,"x,y",tensor,2,,\n'
                    'h,x**2*y,"x,y",hvp,,"u, w",\n')
    key, limits = read_key(path), GradeLimits(10.0, None)
    for question, answer, verdict in [("t", "1 + x + x**2/2", "correct"),
                                      ("t", "1 + x + x**2", "incorrect"),
                                      ("te", "[[2*y, 2*x], [2*x, 0]]", "correct"),
                                      ("h", "[2*y*u + 2*x*w, 2*x*u]", "correct")]:
        row = grade(Job("ann", question, answer, key[question]), limits)
        assert row.verdict == verdict, (question, answer, row)
    assert "degree-2" in grade(Job("bo", "t", "1 + x + x**2", key["t"]), limits).hint


def test_names_glued_together_are_unreadable_with_a_hint_and_others_named():
    from symnum.batch.tables import KeyRow

    limits, key = GradeLimits(10.0, None), KeyRow("q", "x**2*y + y**3", "x, y", "gradient")
    glued = grade(Job("bob", "q", "[2xy, x**2 + 3y**2]", key), limits)
    assert (glued.verdict, glued.hint) == \
        ("unreadable", "xy is not a name in the question: write x*y for a product")
    other = grade(Job("cy", "q", "[2*x*y + C, x**2 + 3*y**2]", key), limits)
    assert other.verdict == "incorrect" and other.hint.startswith("C: not in the question; ")
    hvp = KeyRow("h", "x**2*y", "x, y", "hvp")  # the default vector's names are known
    assert grade(Job("d", "h", "[2*y*v_x + 2*x*v_y, 2*x*v_x + 1]", hvp), limits).hint \
        .startswith("at ")


def test_a_scheduler_address_without_a_port_is_one_line(cli, tmp_path):
    pytest.importorskip("distributed")
    done = cli("grade", "examples/grading/answers.csv", "--key", "examples/grading/key.csv",
               "--out", str(tmp_path / "r.csv"), "--scheduler", "notaurl")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--scheduler must be an address like tcp://HOST:PORT" in done.stderr, done.stderr


def test_a_number_too_long_to_read_says_so_not_pythons_advice():
    from symnum.batch.tables import KeyRow

    row = grade(Job("p", "q", "9" * 5000 + "*x", KeyRow("q", "x**2", "x")),
                GradeLimits(10.0, None))
    assert row.verdict == "unreadable" and row.hint == \
        "a number of more than 4300 digits is too long to read", row


def test_a_key_question_nobody_answered_is_in_the_summary_and_the_report():
    from symnum.batch.jobs import Row
    from symnum.batch.report import report_html
    from symnum.batch.summary import summary
    from symnum.batch.tables import KeyRow

    key = {"q1": KeyRow("q1", "x**2", "x"), "q2": KeyRow("q2", "x**5", "x")}
    s = summary([Row("ann", "q1", "correct", 1.0)], key)
    assert [(q.question, q.answered) for q in s.questions] == [("q1", 1), ("q2", 0)]
    assert s.text().splitlines()[-2].split() == ["q2", "-", "-", "nobody", "answered", "it"]
    assert "nobody answered it" in report_html(s)


def test_an_answer_off_by_a_constant_says_by_which():
    from symnum.batch.tables import KeyRow

    row = grade(Job("s", "q", "2*x + 10**-20", KeyRow("q", "x**2", "x")), GradeLimits(10.0, None))
    assert row.verdict == "incorrect"
    assert row.hint.endswith("; the difference (claim − derivative) is the constant "
                             "1/100000000000000000000"), row.hint


def test_an_answer_written_as_an_equation_is_graded_by_its_right_hand_side():
    from symnum.batch.tables import KeyRow

    limits = GradeLimits(10.0, None)
    plain, latex = KeyRow("q", "x**2", "x"), KeyRow("l", "x^2 y", "x,y", "gradient",
                                                    syntax="latex")
    for answer, key, verdict in [("f'(x) = 2x", plain, "correct"),
                                 ("d/dx x^2 = 3x", plain, "incorrect"),
                                 ("2x =", plain, "unreadable"),
                                 (r"\nabla f = \begin{bmatrix} 2xy \\ x^2 \end{bmatrix}", latex,
                                  "correct")]:
        assert grade(Job("s", key.question, answer, key), limits).verdict == verdict, answer
