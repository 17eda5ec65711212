"""The command line's exit codes for what goes wrong inside the tool itself."""
from conformance import _cli


def test_an_internal_error_has_its_own_exit_code_and_its_traceback(monkeypatch, capsys):
    """A bug of the tool exits 3 with its traceback, never 1 (divergences found: nox -s hooks took a
    crash of the fuzzer's shrinking for findings)."""
    def broken(args):
        raise KeyError("path")

    monkeypatch.setitem(_cli.COMMANDS, "changes", broken)
    assert _cli.main(["changes"]) == _cli.INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError: 'path'" in err and "internal error in `changes`" in err
