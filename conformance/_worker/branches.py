"""Branches of the interpreter's own import system that runs reach for the first time in this
process: what guides the fuzzer's search (conformance/_guidance.py on the host).

Watched is importlib's own code (its frozen or source modules, and zipimport), and the code of a
target that is a module (an import hook's adapter, a fake target), whose corners the search then
learns too. With sys.monitoring
(3.12+) each branch taken and each line run is noted once and then switched off, so that a place
costs nothing after its first time; elsewhere a trace function, set only while a case runs, notes
the line-to-line arcs of importlib's frames (a function whose last QUIET_CALLS calls found no new
arc is traced one call in SAMPLE_EVERY after that: hot functions are sampled, cold ones never). A branch is a string, the same in every process of one
interpreter: "module:first line:function:from>to" (byte offsets, or lines; "Lnn" for a line).

Every FORGET_EVERY runs the process forgets what it reported (monitoring: its events switched
back on; a trace function: its arcs reported again, the sampling of hot functions kept), so that
a branch is reported once in each such window in which some run reaches it: the host counts the
windows and so tells rare branches from common ones.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
"""
import os
import sys

__all__ = ["Branches"]

QUIET_CALLS = 32  # trace function: after this many calls of a function that found no new arc...
SAMPLE_EVERY = 8  # ...one call in this many is traced (a new arc starts the count again)
FORGET_EVERY = 64  # runs between two forgettings of what was reported (a window: see above)
_MODULES = ("_frozen_importlib", "_frozen_importlib_external", "importlib", "importlib._bootstrap",
            "importlib._bootstrap_external", "importlib.util", "importlib.machinery", "importlib.abc",
            "zipimport")


class Branches(object):
    """The branches reached since the last take(); started by the first run that asks."""

    def __init__(self):
        self._seen = set()  # every branch this process reached (the trace function's; monitoring switches them off)
        self._window = set()  # ...reported since the last forgetting (the trace function's)
        self._takes = 0
        self._new = []
        self._names = {}  # code -> its part of a branch's name
        self._started = False
        self._tracing = False  # our trace function is set (begin) and must be unset (end)
        self._monitoring = getattr(sys, "monitoring", None)
        self._tool = None
        self._directories = set()
        self._files = set()  # the watched targets' own files
        self._watched = []  # modules watched beside importlib's (watch)
        self._quiet = {}  # trace function: watched code -> its calls since one last found a new arc
        self._calls = 0  # trace function: calls of quiet functions, of which one in SAMPLE_EVERY is traced

    def start(self):
        """Watch importlib from now on (with monitoring: for good; else begin() and end() bracket
        each case)."""
        if self._started:
            return
        self._started = True
        for name in _MODULES:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            if isinstance(path, str):
                self._directories.add(os.path.dirname(os.path.abspath(path)))
        if self._monitoring is not None:
            self._start_monitoring()

    def watch(self, module):
        """Watch `module`'s own code too (a target's), once started."""
        path = getattr(module, "__file__", None)
        if module in self._watched or not isinstance(path, str):
            return
        self._watched.append(module)
        self._files.add(os.path.abspath(path))
        if self._tool is not None:
            self._set_events([module])

    def begin(self):
        """A case starts running in this process. (A trace function of another tool, coverage.py's,
        is left alone: that run reports no branches.)"""
        self._tracing = self._started and self._monitoring is None and sys.gettrace() is None
        if self._tracing:
            sys.settrace(self._trace)

    def end(self):
        """The case has ended."""
        if self._tracing:
            sys.settrace(None)
            self._tracing = False

    def take(self):
        """The branches reached since the last take(), as strings."""
        new, self._new = self._new, []
        self._takes += 1
        if self._takes % FORGET_EVERY == 0:
            self._forget()
        return ["%s:%s>%s" % branch if len(branch) == 3 else "%s:L%s" % branch for branch in new]

    def _forget(self):
        """From now on, report again what is reached (a new window)."""
        if self._tool is not None:
            self._monitoring.restart_events()
        self._window = set()

    # -- where: importlib's code -------------------------------------------------------------
    def _ours(self, filename):
        if filename.startswith("<frozen "):
            return filename.startswith(("<frozen importlib", "<frozen zipimport"))
        return os.path.dirname(filename) in self._directories or filename in self._files

    def _name(self, code):
        name = self._names.get(code)
        if name is None:
            where = code.co_filename
            where = where[len("<frozen "):-1] if where.startswith("<frozen ") else os.path.basename(where)
            name = self._names[code] = "%s:%d:%s" % (where, code.co_firstlineno,
                                                      getattr(code, "co_qualname", code.co_name))
        return name

    # -- sys.monitoring (3.12+) ------------------------------------------------------------------
    def _start_monitoring(self):
        monitoring = self._monitoring
        free = [tool for tool in (3, 4, 2, 1, 0, 5) if monitoring.get_tool(tool) is None]
        if not free:
            return
        self._tool = free[0]
        monitoring.use_tool_id(self._tool, "conformance branches")
        events = monitoring.events
        taken = getattr(events, "BRANCH_LEFT", 0) | getattr(events, "BRANCH_RIGHT", 0)
        if taken:
            monitoring.register_callback(self._tool, events.BRANCH_LEFT, self._branch)
            monitoring.register_callback(self._tool, events.BRANCH_RIGHT, self._branch)
        else:
            taken = events.BRANCH
            monitoring.register_callback(self._tool, events.BRANCH, self._branch)
        monitoring.register_callback(self._tool, events.LINE, self._line)
        self._events = taken | events.LINE
        self._set_events([sys.modules[name] for name in _MODULES if name in sys.modules] + self._watched)

    def _set_events(self, modules):
        for code in self._codes(modules):
            self._monitoring.set_local_events(self._tool, code, self._events)

    def _branch(self, code, offset, destination):
        self._new.append((self._name(code), offset, destination))
        return self._monitoring.DISABLE

    def _line(self, code, line):
        self._new.append((self._name(code), line))
        return self._monitoring.DISABLE

    def _codes(self, modules):
        """The code objects of the watched functions of `modules`, nested ones included."""
        found, seen = [], set()

        def code_of(value, depth):
            if isinstance(value, type) and depth < 3:
                for item in list(vars(value).values()):
                    code_of(item, depth + 1)
                return
            if isinstance(value, property):
                for accessor in (value.fget, value.fset, value.fdel):
                    code_of(accessor, depth)
                return
            code = getattr(getattr(value, "__func__", value), "__code__", None)
            if code is not None and type(code).__name__ == "code":
                walk(code)

        def walk(code):
            if id(code) in seen or not self._ours(code.co_filename):
                return
            seen.add(id(code))
            found.append(code)
            for const in code.co_consts:
                if type(const).__name__ == "code":
                    walk(const)

        for module in modules:
            for value in list(vars(module).values()):
                code_of(value, 0)
        return found

    # -- a trace function (before 3.12) -----------------------------------------------------------
    def _trace(self, frame, event, arg):
        code = frame.f_code
        quiet = self._quiet.get(code)
        if quiet is None:
            if not self._ours(code.co_filename):
                return None
            quiet = self._quiet[code] = 0
        if quiet >= QUIET_CALLS:  # a hot function whose runs found nothing new of late: sampled
            self._calls += 1
            if self._calls % SAMPLE_EVERY:
                return None
        name, seen, window, new, counts = self._name(code), self._seen, self._window, self._new, self._quiet
        last = [0, False]  # the line before (0: the function's entry; an arc to 0: its exit); found anything

        def arcs(frame, event, arg):
            if event == "line":
                arc = (name, last[0], frame.f_lineno)
                last[0] = frame.f_lineno
            elif event == "return":
                arc = (name, last[0], 0)
            else:
                return arcs
            if arc not in window:  # reported again in each window; new to the process: the sampling starts anew
                window.add(arc)
                new.append(arc)
                if arc not in seen:
                    seen.add(arc)
                    last[1] = True
            if event == "return":
                counts[code] = 0 if last[1] else counts[code] + 1
            return arcs

        return arcs
