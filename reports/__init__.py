"""Bug reports for divergences: the minimal case (replayable JSON), a standalone repro script
(stdlib only, any interpreter), and a Markdown report."""
from reports._markdown import markdown_report, write_finding
from reports._repro import repro_script

__all__ = ["markdown_report", "repro_script", "write_finding"]
