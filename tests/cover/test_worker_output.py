"""The worker's scratch directory: what a run leaves there never becomes another run's result."""
import json
import sys

from conformance._worker.isolation import Isolation
from conformance._worker.scratch import Scratch
from conformance._worker.startup import Startup


def test_a_run_process_that_dies_at_once_is_a_crash_not_the_last_runs_output(tmp_path, monkeypatch):
    # In subprocess isolation the run's lines go to <scratch>/output. A process that dies before
    # it opens that file (killed as it starts, say) must not be credited with what is left there.
    isolation = Isolation("subprocess", Scratch(str(tmp_path)), Startup())
    stale = [["step", {"op": "import_module", "outcome": "returned"}], ["final", {}], ["outcome", "ok"]]
    (tmp_path / "output").write_text("".join(json.dumps(line) + "\n" for line in stale))
    monkeypatch.setattr(sys, "executable", "/bin/false")  # dies at once, exit status 1
    result = {"target": "stdlib", "outcome": None, "detail": None, "steps": [], "final": None}
    case_dir = tmp_path / "1"
    case_dir.mkdir()
    isolation.run({"id": "c", "steps": []}, [(None, str(case_dir), result)], 5.0)
    assert (result["outcome"], result["detail"], result["steps"]) == ("crash", "exited with code 1", [])
