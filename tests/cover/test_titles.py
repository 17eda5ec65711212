"""Finding titles say what differs and where it comes from: what each side did (a returned
module by name), the first difference that is not a consequence of another, what the module
concerned is in the case, and final-state fields as Python says them."""
from conformance._compare import Difference, Divergence
from conformance._findings import Finding
from conformance.reports._title import finding_title


def _finding(case, differences, mine, theirs):
    observed = [{"outcome": "ok", "detail": None, "steps": steps, "final": {}} for steps in (mine, theirs)]
    return Finding(("x", (), (None, None)), case, Divergence(case["id"], "cpython 3.12.1", differences, *observed), [])


MODULE_B = {"type": "module", "__name__": "b"}
REFUSED = {"outcome": "raised", "exception": {"type": "ModuleNotFoundError", "message": "No module named 'b'"}}


def test_a_refused_import_names_the_module_and_what_it_is():
    namespace = {"id": "n", "dirs": ["r0", "r0/b"], "sys_path": ["r0"], "steps": [{"op": "import_module", "name": "b"}]}
    finding = _finding(namespace, [Difference("steps[0].outcome", "raised", "returned")],
                       [REFUSED], [{"outcome": "returned", "result": MODULE_B}])
    assert finding_title(finding, "/x/hook.py", "stdlib") == (
        'import_module(name=b) (b: a namespace package portion, r0/b) raises ModuleNotFoundError("No module named '
        '\'b\'") with hook.py, where stdlib returns module "b"')
    written = {"id": "w", "files": {}, "sys_path": ["r0"],
               "steps": [{"op": "write", "path": "r0/b.py", "source": []}, {"op": "import_module", "name": "b"}]}
    finding = _finding(written, [Difference("steps[1].outcome", "raised", "returned")],
                       [{"outcome": "returned"}, REFUSED], [{"outcome": "returned"}, {"outcome": "returned",
                                                                                       "result": MODULE_B}])
    assert "(b: a source module, written by step 0) raises ModuleNotFoundError" in finding_title(finding, "h", "stdlib")
    served = {"id": "s", "meta_path": [{"finder": "recording", "name": "f", "names": ["b"]}],
              "steps": [{"op": "import_module", "name": "b"}]}
    finding = _finding(served, [Difference("steps[0].outcome", "raised", "returned")],
                       [REFUSED], [{"outcome": "returned", "result": MODULE_B}])
    assert "(b: served by the case's recording meta-path finder f)" in finding_title(finding, "h", "stdlib")
    hooked = {"id": "p", "path_hooks": [{"hook": "legacy_find_module", "entry": "old", "name": "h", "modules": {"b": []}}],
              "sys_path": ["old"], "steps": [{"op": "import_module", "name": "b"}]}
    finding = _finding(hooked, [Difference("steps[0].outcome", "raised", "returned")],
                       [REFUSED], [{"outcome": "returned", "result": MODULE_B}])
    assert "(b: served by the case's legacy_find_module path hook h for old)" in finding_title(finding, "h", "stdlib")


def test_the_difference_shown_is_not_a_consequence_of_another():
    case = {"id": "c", "files": {"r0/p/__init__.py": [], "r0/p/b.py": []}, "sys_path": ["r0"],
            "steps": [{"op": "import_module", "name": "p.b"}]}
    differences = [Difference("steps[0].executed", ["p", "p.b"], ["p.b", "p"]),
                   Difference("steps[0].result.__spec__.loader", "HookLoader", "SourceFileLoader")]
    same = {"outcome": "returned", "result": {"type": "module", "__name__": "p.b"}}
    title = finding_title(_finding(case, differences, [same], [same]), "h.py", "stdlib")
    assert title == ('import_module(name=p.b) (p.b: a source module, r0/p/b.py) returns module "p.b", '
                     'but its result.__spec__.loader is HookLoader with h.py, SourceFileLoader with stdlib')


def test_final_state_fields_are_said_as_python_says_them():
    case = {"id": "f", "sys_path": ["r0", "missing"], "steps": [{"op": "invalidate_caches"}]}
    difference = Difference("final.path_importer_cache.<case>/missing", None, "<absent>")
    title = finding_title(_finding(case, [difference], [{}], [{}]), "m.py", "stdlib")
    assert title == "After invalidate_caches(), sys.path_importer_cache['<case>/missing'] is null with m.py, " \
                    "absent with stdlib"
