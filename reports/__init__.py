"""Bug reports for divergences: the minimal case (replayable JSON), a standalone repro script
(stdlib only, any interpreter), and a Markdown report."""
from ._markdown import markdown_report, write_finding
from ._repro import repro_script
from ._title import finding_title

__all__ = ["finding_title", "markdown_report", "repro_script", "write_finding"]
