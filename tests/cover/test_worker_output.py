"""The worker's scratch directory: what a run leaves there never becomes another run's result."""
import json
import sys

from conformance._worker import main as worker_main


def test_a_run_process_that_dies_at_once_is_a_crash_not_the_last_runs_output(tmp_path, monkeypatch):
    # In subprocess isolation the run's lines go to <scratch>/output. A process that dies before
    # it opens that file (killed as it starts, say) must not be credited with what is left there.
    monkeypatch.setattr(worker_main, "_SCRATCH", str(tmp_path))
    monkeypatch.setattr(worker_main, "_OWN_SCRATCH", True)
    stale = [["step", {"op": "import_module", "outcome": "returned"}], ["final", {}], ["outcome", "ok"]]
    (tmp_path / "output").write_text("".join(json.dumps(line) + "\n" for line in stale))
    monkeypatch.setattr(sys, "executable", "/bin/false")  # dies at once, exit status 1
    result = {"target": "stdlib", "outcome": None, "detail": None, "steps": [], "final": None}
    case_dir = tmp_path / "1"
    case_dir.mkdir()
    worker_main._run_subprocess({"id": "c", "steps": []}, "stdlib", str(case_dir), 5.0, result)
    assert (result["outcome"], result["detail"], result["steps"]) == ("crash", "exited with code 1", [])
