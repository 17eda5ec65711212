"""The worker protocol: every reply of a real worker is valid against the shipped schema."""
import json
import re
from importlib import resources

import jsonschema
import pytest
from referencing import Registry, Resource

from conformance._case import case_schema, load_cases
from conformance._protocol import PROTOCOL_VERSION, Worker, WorkerError
from conformance._worker import main as worker_main
from tests.conftest import REPO


def _validator():
    protocol = json.loads(resources.files("conformance").joinpath("schemas/protocol.schema.json").read_text())
    registry = Registry().with_resources([
        ("case.schema.json", Resource.from_contents(case_schema())),
        (case_schema()["$id"], Resource.from_contents(case_schema())),
    ])
    return jsonschema.Draft202012Validator(protocol, registry=registry)


@pytest.fixture(scope="module")
def worker(host):
    with Worker(host) as running:
        yield running


def test_the_protocol_version_is_the_schemas_alone(worker):
    # one definition: the hello reply's constant in the schema, which the host, the worker and the
    # MicroPython launcher read; no module writes the number itself
    assert worker.hello["protocol"] == PROTOCOL_VERSION == worker_main.PROTOCOL_VERSION
    _validator().validate(dict(worker.hello))
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(dict(worker.hello, protocol=PROTOCOL_VERSION + 1))
    sources = [path for path in REPO.joinpath("conformance").rglob("*") if path.suffix in (".py", ".mjs")]
    assert [path.name for path in sources if re.search(r"PROTOCOL_VERSION\s*=\s*\d", path.read_text())] == []


def test_hello_is_valid(worker):
    _validator().validate(worker.hello)
    assert worker.hello["isolation"] == "fork"


def test_catalogue_replies_are_valid(worker):
    validator = _validator()
    cases = load_cases()[::10]
    for case in cases:
        request = {"op": "run", "id": 1, "case": case.data, "targets": ["stdlib"], "timeout": 5}
        validator.validate(request)
        results = worker.run(case.data, ["stdlib", "builtin"], 5.0)
        validator.validate({"op": "result", "id": 1, "results": results})
        assert [r["target"] for r in results] == ["stdlib", "builtin"]


def test_invalid_requests_are_rejected_by_the_schema():
    validator = _validator()
    assert not validator.is_valid({"op": "run", "id": 1, "targets": []})
    assert not validator.is_valid({"op": "explode"})


def test_unknown_target_is_an_error_reply(worker):
    with pytest.raises(WorkerError, match="no_such_target_module"):
        worker.run({"id": "x", "steps": [{"op": "invalidate_caches"}]}, ["no_such_target_module"], 5.0)
    assert worker.alive()


def test_unknown_request_op(worker):
    with pytest.raises(WorkerError, match="unknown request op"):
        worker.request({"op": "explode"})


def test_workers_run_in_sessions_of_their_own(worker):
    # Ctrl-C at a terminal goes to the foreground process group: it must reach the host only,
    # which stops the campaign and closes its workers (tests/slow/test_fuzz.py checks the rest).
    import os

    assert os.getsid(worker._process.pid) == worker._process.pid != os.getsid(0)


def test_a_name_that_is_no_string_is_described_in_the_finder_calls(worker):
    """find_loader (3.8-3.11; the host's 3.11) passes a bytes name to the finders as it was given:
    the call is observed, not a worker error on a value JSON cannot hold."""
    case = {"id": "x", "meta_path": [{"finder": "recording", "name": "f"}],
            "steps": [{"op": "find_loader", "name": {"bytes": "a"}}]}
    (result,) = worker.run(case, ["stdlib"], 5.0)
    _validator().validate({"op": "result", "id": 1, "results": [result]})
    assert result["outcome"] == "ok", result.get("detail")
    assert result["steps"][0]["finder_calls"][0] == ["f", "find_spec", {"type": "bytes", "repr": "b'a'"}]
