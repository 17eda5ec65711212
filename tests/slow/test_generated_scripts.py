"""Every script a finding ships (finding.py, repro.py) compiles and runs on the oldest and the newest
CPython, whatever shape the finding has: names that are Python keywords' prefixes (`b`, `rb`, `f`)
or hold quotes, values with quotes, backslashes, percent signs and newlines, modules present or
absent at the end, exceptions, results, attributes. A generated script that does not compile (or
dies with a traceback) would read as "the bug reproduces"."""
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance._compare import Difference, Divergence
from conformance._findings import Finding
from conformance._interpreters import Interpreter, resolve
from conformance.reports import repro_script
from conformance.reports._short import short_script
from tests.conftest import TARGETS

pytestmark = pytest.mark.slow

NAMES = st.sampled_from(["a", "b", "rb", "f", "u", "br", "pkg", "pkg.sub", "x_y", "é"])
TEXT = st.lists(st.sampled_from(list("ab'\"\\%{}\n é") + ["%s", "%r", "'''", '"""', "\\'"]), max_size=6).map("".join)
VALUES = st.one_of(TEXT, st.none(), st.integers(-3, 3), st.booleans(), st.lists(TEXT, max_size=2))
TITLE = 'a title with \'quotes\', """three""", a \\ backslash and \\N{...}'
KINDS = st.sampled_from(["ImportError", "ModuleNotFoundError", "ValueError", "TypeError", "KeyError"])


@st.composite
def findings(draw):
    """A finding of a plain case (a target that is a module, files, sys.path, the five functions
    and edits), with differences at any field a plain script checks."""
    names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    files = {"r0/%s.py" % name.replace(".", "/"): [draw(st.sampled_from(["x = 1", "__executed__(__name__)",
                                                                         "raise ValueError('it''s')"]))]
             for name in names}
    files.update({"r0/%s/__init__.py" % name.split(".")[0]: [] for name in names if "." in name})
    calls = st.one_of(
        NAMES.map(lambda name: {"op": "import_module", "name": name}),
        st.tuples(NAMES, st.lists(NAMES, max_size=2)).map(
            lambda pair: {"op": "__import__", "name": pair[0], "fromlist": {"tuple": pair[1]}}),
        st.just({"op": "invalidate_caches"}),
        st.tuples(NAMES, TEXT).map(lambda pair: {"op": "write", "path": "r0/%s.py" % pair[0].split(".")[0],
                                                 "source": ["x = %r" % pair[1]]}),
        NAMES.map(lambda name: {"op": "del_module", "name": name}))
    steps = draw(st.lists(calls, min_size=1, max_size=3))
    case = {"id": "fuzz.shape", "files": files, "sys_path": ["r0"], "steps": steps}
    first = draw(st.integers(0, len(steps) - 1))
    kinds = (draw(KINDS), draw(KINDS))
    raised = draw(st.booleans())
    observed = []
    for kind, message in zip(kinds, (draw(TEXT), draw(TEXT))):
        step = ({"op": steps[first]["op"], "outcome": "raised", "exception": {"type": kind, "message": message}}
                if raised else {"op": steps[first]["op"], "outcome": "returned", "result": {}})
        observed.append({"outcome": "ok", "steps": [{"op": s["op"], "outcome": "done"} for s in steps[:first]]
                         + [step], "final": {}})
    fields = (["exception.type", "exception.message"] if raised else
              ["result.__name__", "result.__file__", "result.__loader__", "result.__spec__.loader",
               "result.__spec__.origin", "result.kind", "result.value", "result.type", "executed"])
    paths = ["steps[%d].%s" % (first, field) for field in draw(st.lists(st.sampled_from(fields), min_size=1,
                                                                            max_size=3, unique=True))]
    for name in draw(st.lists(NAMES, max_size=2, unique=True)):
        paths.append(draw(st.sampled_from(["final.modules.%s" % name, "final.modules.%s.attrs.%s" % (name, name),
                                           "final.modules.%s.id" % name])))
    differences = [Difference(path, draw(VALUES), draw(st.one_of(VALUES, st.just("<absent>")))) for path in paths]
    divergence = Divergence(case["id"], "cpython 3.11.7", differences, observed[0], observed[1])
    interpreter = Interpreter("/usr/bin/python3", "cpython", (3, 11, 7))
    return Finding(("import_module", tuple(paths), kinds), case, divergence, [interpreter])


def _runs_cleanly(python, script, tmp_path, *args):
    path = tmp_path / "script.py"
    path.write_text(script, encoding="utf-8")
    compiled = subprocess.run([python, "-c", "import sys; compile(open(sys.argv[1], 'rb').read(), 'script', 'exec')",
                               str(path)], capture_output=True, text=True, timeout=60)
    assert compiled.returncode == 0, (compiled.stderr[-2000:], script)
    done = subprocess.run([python, "-X", "utf8", str(path), *args], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    # exit 1 only with the differences said (finding.py), never through an error of its own
    assert done.returncode in (0, 1) and "Error" not in done.stderr, (args, done.stderr[-2000:], script)
    assert done.returncode == 0 or "DIFFERS:" in done.stdout, (args, done.stdout[-2000:], script)


@pytest.fixture(scope="module")
def pythons():
    return [resolve("3.8").path, resolve("3.13").path]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(finding=findings())
def test_every_generated_script_compiles_and_runs(pythons, tmp_path_factory, finding):
    tmp_path = tmp_path_factory.mktemp("script")
    target = str(TARGETS / "control.py")
    short = short_script(finding, target, "stdlib")
    for python in pythons:
        if short is not None:
            _runs_cleanly(python, short, tmp_path)
            _runs_cleanly(python, short, tmp_path, "--without-target")
        _runs_cleanly(python, repro_script(finding.case, TITLE), tmp_path, "stdlib")


def test_finding_py_reads_results_as_observations_describe_them(pythons, tmp_path):
    """A loader returned where the target returns None: `type` is "loader" and `value` absent in
    the observation, so the stdlib alone passes finding.py and the target's None fails it (a real
    finding of editables' redirecting finder, whose find_loader returned None)."""
    case = {"id": "fuzz.loader", "files": {"r0/a.py": []}, "sys_path": ["r0"],
            "steps": [{"op": "import_module", "name": "a"}, {"op": "getattr", "module": "a", "attr": "__loader__"}]}
    mine = {"op": "getattr", "outcome": "done", "result": {"type": "NoneType", "value": None}}
    theirs = {"op": "getattr", "outcome": "done", "result": {"type": "loader", "kind": "SourceFileLoader"}}
    first = {"op": "import_module", "outcome": "returned"}
    divergence = Divergence(case["id"], "cpython 3.11.7",
                            [Difference("steps[1].result.type", "NoneType", "loader"),
                             Difference("steps[1].result.value", None, "<absent>")],
                            {"outcome": "ok", "steps": [first, mine], "final": {}},
                            {"outcome": "ok", "steps": [first, theirs], "final": {}})
    finding = Finding(("getattr", ("steps[].result.type",), (None, None)), case, divergence,
                      [Interpreter("/usr/bin/python3", "cpython", (3, 11, 7))])
    script = tmp_path / "finding.py"
    script.write_text(short_script(finding, str(TARGETS / "control.py"), "stdlib"))
    for python in pythons:
        alone = subprocess.run([python, str(script), "--without-target"], capture_output=True, text=True, cwd=tmp_path)
        assert alone.returncode == 0, alone.stdout + alone.stderr
