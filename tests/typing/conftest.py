"""Print the typing harness's numbers (catch rates, timings) at the end of the pytest run."""

from __future__ import annotations

from pytest import TerminalReporter


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    from .test_typing import SUMMARY

    if SUMMARY:
        terminalreporter.section("typing")
        for line in SUMMARY:
            terminalreporter.write_line(line)
