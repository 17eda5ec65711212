"""Bug reports for divergences: the minimal case (replayable JSON), a standalone repro script
(stdlib only, any interpreter), and a Markdown report."""
from reports._markdown import markdown_report, write_finding
from reports._repro import repro_script
from reports._title import finding_title

__all__ = ["finding_title", "markdown_report", "repro_script", "write_finding"]
