"""The README and docs/ stay true: every command line they show runs (its subcommand, nox session,
script and options exist; a line without placeholders parses whole), and every relative link
leads to a file (and heading) that exists."""
import ast
import re

import pytest

from conformance._cli import _parser
from tests.conftest import REPO

PAGES = [REPO / "README.md", REPO / "tests" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PREFIXES = ("python -m conformance ", "nox -s ", "pytest --conformance", "python benchmarks/", "check --", "fuzz --")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*(\.\.\.)?$|[\[\]|]|\.\.\.|^<|^\$|my_|OWNER|patched/")


def _commands(text):
    """Command lines of a page: lines of fenced blocks (not YAML), continuation lines of a
    synopsis joined, and inline code spans, that start like one of PREFIXES."""
    found = []
    blocks = re.findall(r"```(\w*)\n(.*?)```", text, re.S)
    for language, block in blocks:
        if language == "yaml":
            continue
        continued = False
        for line in block.splitlines():
            if found and (continued or line.startswith(" ") and line.strip().startswith("[")):
                found[-1] += " " + line.strip().rstrip("\\")
            elif line.strip():
                found.append(line.strip().rstrip("\\"))
            continued = line.rstrip().endswith("\\")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    found += re.findall(r"`([^`\n]+)`", text)
    commands = []
    for line in found:
        line = line.split("  #")[0].strip()
        if line.startswith("pip install nox && "):
            line = line[len("pip install nox && "):]
        if line.startswith(PREFIXES):
            commands.append(line)
    return commands


def _subparsers():
    parser = _parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return parser, action.choices


def _nox_sessions():
    tree = ast.parse((REPO / "noxfile.py").read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any("session" in ast.unparse(d) for d in node.decorator_list)}


def _options_in(path):
    return set(re.findall(r"""["'](--[\w-]+)["']""", path.read_text()))


def _options(tokens):
    return {re.sub(r"[\[\]|,.;)]+$", "", t.lstrip("[")).split("=")[0] for t in tokens if t.lstrip("[").startswith("--")}


def _problem(command):
    """What is wrong with a documented command line, or None."""
    tokens = command.split()
    if command.startswith("nox -s "):
        return None if tokens[2] in _nox_sessions() else "no nox session %s" % tokens[2]
    if command.startswith("pytest "):
        plugin = _options_in(REPO / "conformance" / "_pytest_plugin.py")
        unknown = {o for o in _options(tokens) if o.startswith("--conformance")} - plugin  # others: pytest's, xdist's
        return "unknown pytest options %s" % sorted(unknown) if unknown else None
    if command.startswith("python benchmarks/"):
        script = REPO / tokens[1]
        if not script.exists():
            return "no script %s" % tokens[1]
        unknown = _options(tokens) - _options_in(script)
        return "unknown options %s of %s" % (sorted(unknown), tokens[1]) if unknown else None
    if command.startswith("python -m conformance "):
        tokens = tokens[3:]
    parser, commands = _subparsers()
    if tokens[0] not in commands:
        return "no subcommand %s" % tokens[0]
    known = {s for action in commands[tokens[0]]._actions for s in action.option_strings}
    unknown = _options(tokens) - known
    if unknown:
        return "unknown options %s of %s" % (sorted(unknown), tokens[0])
    # a whole command line without placeholders parses (a mention such as `check --json` is no command line)
    whole = command.startswith("python -m conformance ") and len(tokens) > 1
    if whole and not any(PLACEHOLDER.search(t) for t in tokens):
        try:
            parser.parse_args(tokens)
        except SystemExit:
            return "does not parse"
    return None


def test_every_command_line_shown_runs():
    commands = {(page.name, c) for page in PAGES for c in _commands(page.read_text())}
    assert len(commands) >= 40
    assert {c.split()[3] for _, c in commands if c.startswith("python -m conformance ")} >= {
        "check", "fuzz", "matrix", "coverage", "changes", "record", "interpreters", "spec-map"}
    problems = ["%s: %s: %s" % (page, command, problem)
                for page, command in sorted(commands) if (problem := _problem(command))]
    assert problems == []


@pytest.mark.parametrize("command", [
    "python -m conformance check --target stdlib --no-such-option",
    "python -m conformance chekc --target stdlib",
    "nox -s nosuchsession",
    "pytest --conformance-nosuch 3",
    "python benchmarks/nosuch.py",
    "python benchmarks/fork_cost.py --nosuch 3",
    "python -m conformance fuzz --target stdlib --seconds many",
    "fuzz --target x.py --no-such-option",
])
def test_a_wrong_command_line_is_caught(command):
    assert _problem(command)


def _slug(heading):
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_relative_link_leads_somewhere():
    problems = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"https?:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                problems.append("%s: %s" % (page.name, target))
            elif anchor and file.suffix == ".md":
                headings = {_slug(h) for h in re.findall(r"^#+ (.*)$", file.read_text(), re.M)}
                if anchor not in headings:
                    problems.append("%s: %s (no such heading)" % (page.name, target))
    assert problems == []


def test_the_readme_is_short():
    assert len((REPO / "README.md").read_text().splitlines()) < 150
