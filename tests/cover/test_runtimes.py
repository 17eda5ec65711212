"""Where the WebAssembly runtimes are looked for, and `runtimes install` without Node or npm."""
import shutil

from conformance import _runtimes


def test_a_clone_then_the_per_user_cache_xdg_respected(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first, second = _runtimes.searched()
    assert first.name == "node_modules" and (first.parent / "conformance").is_dir()  # the clone's (or site-packages)
    assert second == tmp_path / "xdg" / "importlib-conformance" / "runtimes" / "node_modules"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _runtimes.cache_dir() == tmp_path / "home" / ".cache" / "importlib-conformance" / "runtimes"


def test_installed_runtimes_in_the_cache_are_found(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_runtimes, "_CHECKOUT", tmp_path / "no-clone")
    package = tmp_path / "importlib-conformance" / "runtimes" / "node_modules" / "pyodide-9"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "9.0.1"}')
    (package / "pyodide-lock.json").write_text('{"info": {"python": "3.19.2"}}')
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)
    (found,) = _runtimes.installed()
    assert (found.kind, found.version, found.python, found.package) == ("pyodide", "9.0.1", (3, 19, 2), package)
    assert found.launcher[:2] == ("/usr/bin/node", str(_runtimes._LAUNCHERS["pyodide"]))


def test_install_without_node_or_npm_is_one_line(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "npm" else "/usr/bin/" + name)
    result = cli("runtimes", "install")
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.err.startswith("error: runtimes install: needs Node.js 18 or later and npm (npm missing)")
    assert not (tmp_path / "importlib-conformance").exists()  # nothing written


def test_an_unknown_runtime_is_a_usage_error(cli):
    result = cli("runtimes", "install", "graalpy")
    assert result.code == 2
    assert result.err.strip() == "error: runtimes: unknown runtime 'graalpy' (known: pyodide, micropython)"
