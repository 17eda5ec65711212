"""Version changes: one key per change, from recordings and from cross-version findings alike."""
from conformance._case import Case, load_cases
from conformance._changes import change_key, changes_from_recordings, render_changes
from conformance._cli import CHANGES_FILE, main
from conformance._compare import field_differences


def _obs(step=None, final=None):
    return {"outcome": "ok", "detail": None, "steps": [step or {"op": "import_module", "outcome": "returned"}],
            "final": final or {}}


def _group(versions, obs):
    return {"pythons": list(versions), "recorded_on": [v + ".0" for v in versions], **obs}


def _raising(kind, message="no"):
    return _obs({"op": "import_module", "outcome": "raised", "exception": {"type": kind, "message": message}})


def _warning(category, message):
    return _obs({"op": "find_loader", "outcome": "returned", "warnings": [[category, message]]})


def _key(boundary, older, newer):
    return change_key(boundary, older, newer, list(field_differences("", older, newer)))


def test_an_exception_type_change_is_keyed_by_the_older_sides_exception_and_the_newer_family():
    assert _key("3.9.18", _raising("ValueError"), _raising("ImportError")) == ("3.9", "raises", "ValueError", "ImportError")
    assert _key("3.9", _raising("ValueError", "x"), _raising("ModuleNotFoundError", "y")) == \
        ("3.9", "raises", "ValueError", "ImportError")  # ImportError and ModuleNotFoundError: one family
    # one older type, two changes at one boundary (3.15: a load_module() loader's KeyError became the
    # AttributeError for exec_module; a namespace path's KeyError a ModuleNotFoundError)
    assert _key("3.15", _raising("KeyError"), _raising("AttributeError")) != \
        _key("3.15", _raising("KeyError"), _raising("ModuleNotFoundError"))
    assert _key("3.12", _obs(), _raising("AttributeError"))[2:] == (None, "AttributeError")  # raises where it returned
    chained = [_raising("KeyError"), _raising("KeyError")]  # the same change, seen in a context chain
    chained[0]["steps"][0]["exception"]["chain"] = [["context", "KeyError"], ["context", "ValueError"]]
    chained[1]["steps"][0]["exception"]["chain"] = [["context", "KeyError"], ["context", "ImportError"]]
    assert _key("3.9", *chained) == _key("3.9", _raising("ValueError"), _raising("ImportError"))
    chained[1]["steps"][0]["exception"]["chain"] = [["context", "KeyError"]]  # no longer raised at all
    assert _key("3.9", *chained) == ("3.9", "raises", "ValueError", None)
    # an extra warning is the change, whatever warnings both sides give
    shared = ["ImportWarning", "can't resolve package from __spec__ or __package__"]
    extra = ["ImportWarning", "_LegacyPathEntryFinder.find_spec() not found; falling back to find_module()"]
    alone = ["ImportWarning", "_LegacyFinder.find_spec() not found; falling back to find_module()"]
    def warned(*warnings):
        return _obs({"op": "find_loader", "outcome": "returned", "warnings": list(warnings)})

    assert _key("3.10", warned(shared), warned(shared, extra)) == _key("3.10", warned(), warned(alone))
    # a number where another case has a quoted name is the same message
    numbers = [_key("3.12", warned(["ImportWarning", "__package__ != __spec__.parent (%s != 'a')" % given]),
                    warned(["DeprecationWarning", "__package__ != __spec__.parent (%s != 'a')" % given]))
               for given in ("5", "''")]
    assert numbers[0] == numbers[1]


def test_other_changes_are_keyed_by_the_first_field_and_the_shape_of_its_values():
    old_words = _key("3.10", _warning("DeprecationWarning", "Deprecated since 3.4."),
                     _warning("DeprecationWarning", "slated for removal in 3.12"))
    new_warning = _key("3.10", _obs(), _warning("ImportWarning", "'_Finder'.find_spec() not found"))
    assert old_words[:3] == ("3.10", "field", "steps[].warnings") and old_words != new_warning
    # the same exception in other words: one change whatever the message (a new parser's wording)
    syntax = [_key("3.10", _raising("SyntaxError", old), _raising("SyntaxError", new))
              for old, new in (("unexpected EOF while parsing (syn.py, line 2)", "'(' was never closed (syn.py, line 1)"),
                               ("invalid syntax (2d.py, line 1)", "invalid decimal literal (2d.py, line 1)"))]
    assert syntax[0] == syntax[1] == ("3.10", "message", "SyntaxError")
    # paths below the case directory, quoted names and numbers do not make two changes of one
    cached = [_key("3.10", _obs({"op": "import_module", "result": {"__cached__": None}}),
                   _obs({"op": "import_module", "result": {"__cached__": path}}))
              for path in ("<case>/r0.zip/__pycache__/p.<tag>.pyc", "<case>/r0.zip/c/__pycache__/__init__.<tag>.pyc")]
    assert cached[0] == cached[1] == ("3.10", "field", "steps[].result.__cached__", "NoneType", "<path>")


def test_changes_from_recordings_list_each_change_once_with_its_cases():
    def case(case_id, *groups):
        return Case({"id": case_id, "description": "d " + case_id, "steps": []}, None, list(groups))

    cases = [case("a", _group(["3.8"], _raising("ValueError")), _group(["3.9", "3.10"], _raising("ImportError"))),
             case("b", _group(["3.8"], _raising("ValueError", "b")), _group(["3.9"], _raising("ImportError", "b"))),
             case("c", _group(["3.8", "3.9"], _warning("W", "x")), _group(["3.10"], _warning("W", "y")),
                  _group(["3.11"], _warning("W", "z"))),
             case("same", _group(["3.8", "3.9", "3.10"], _obs()))]
    changes = changes_from_recordings(cases)
    assert [(c.boundary, c.cases) for c in changes] == [("3.9", ["a", "b"]), ("3.10", ["c"]), ("3.11", ["c"])]
    assert changes[0].before == ["3.8"] and changes[0].after == ["3.9", "3.10"]
    text = render_changes(changes, "test")
    assert "## New in 3.9" in text and "## New in 3.11" in text and text.rstrip().endswith("3 changes.")
    assert changes[1].matches(changes[1]) and not changes[1].matches(changes[2])
    # a campaign over 3.8 and 3.13 only: its change lies somewhere after 3.8, by 3.13
    wide = changes_from_recordings([case("w", _group(["3.8"], _raising("ValueError")),
                                         _group(["3.13"], _raising("ImportError")))])[0]
    assert wide.heading == "New after 3.8, by 3.13" and changes[0].heading == "New in 3.9"
    assert wide.matches(changes[0]) and changes[0].matches(wide) and not wide.matches(changes[2])


def test_the_catalogues_change_list_is_up_to_date_and_checked(capsys, tmp_path):
    assert main(["changes", "--check"]) == 0, "run: python -m conformance changes"
    stale = tmp_path / "changes.md"
    stale.write_text("old\n")
    assert main(["changes", "--check", "--markdown", str(stale)]) == 1
    changes = changes_from_recordings(load_cases())
    assert len(changes) >= 15 and {c.boundary for c in changes} >= {"3.9", "3.10", "3.11", "3.12", "3.13"}
    assert CHANGES_FILE.read_text().count("\n- **") == len(changes)
    # and the pages that give the number give this one
    readme = (CHANGES_FILE.parent.parent / "README.md").read_text()
    case_format = (CHANGES_FILE.parent / "case-format.md").read_text()
    assert "%d changes of behaviour" % len(changes) in readme and "%d changes, from" % len(changes) in case_format


def test_a_function_one_version_has_not_is_a_change_of_its_own():
    """fuzz --across: find_loader returns on 3.11 and is unsupported from 3.12 (the judge counts
    such a run as run, its step unsupported): one change, whatever the step returned before."""
    from conformance._changes import VersionChange
    from conformance._judges import _gone_is_shown

    called = _obs({"op": "find_loader", "outcome": "returned", "executed": [], "result": {"type": "NoneType"}})
    gone = {"outcome": "unsupported", "detail": None, "steps": [{"op": "find_loader", "outcome": "unsupported"}],
            "final": {}}
    assert _gone_is_shown(gone)["outcome"] == "ok" and _gone_is_shown(called) is called
    lazy = {"outcome": "unsupported", "detail": None, "steps": [], "final": {}}  # no lazy imports: not a step
    assert _gone_is_shown(lazy)["outcome"] == "unsupported"
    key = _key("3.12", called, _gone_is_shown(gone))
    assert key == ("3.12", "gone", "find_loader") and key == _key("3.12", _raising("ValueError"), _gone_is_shown(gone))
    assert "importlib.find_loader is gone" in VersionChange(key, ["3.11"], ["3.12"]).what
