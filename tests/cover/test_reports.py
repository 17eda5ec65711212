"""Reports: repro scripts for every catalogue case are valid Python 3.8; Markdown has its parts."""
import ast

from conformance._case import load_cases
from conformance._compare import Difference, Divergence
from conformance._fuzz import Finding
from conformance._interpreters import Interpreter
from reports import markdown_report, repro_script


def test_repro_scripts_of_all_catalogue_cases_parse_as_python_38():
    for case in load_cases():
        source = repro_script(case.data)
        ast.parse(source, case.id, feature_version=(3, 8))


def test_markdown_report_sections():
    case = {"id": "fuzz.x", "files": {"r0/a.py": ["__executed__(__name__)"]}, "sys_path": ["r0"],
            "steps": [{"op": "import_module", "name": ".a"}]}
    divergence = Divergence("fuzz.x", "cpython 3.11.7",
                            [Difference("steps[0].exception.type", "ValueError", "TypeError")])
    finding = Finding(("import_module", ("steps[].exception.type",), ("ValueError", "TypeError")),
                      case, divergence, [Interpreter("/usr/bin/python3", "cpython", (3, 11, 7))])
    text = markdown_report(finding, "mutant.py", "stdlib")
    for part in ("# import_module: steps[].exception.type differs", "## Files", "`r0/a.py`:",
                 "## Steps", "0. `import_module(name='.a')`", "| `steps[0].exception.type` | ValueError | TypeError |",
                 "## Reproduce", "## Seed sentences involved", "import_module.3"):
        assert part in text, part
