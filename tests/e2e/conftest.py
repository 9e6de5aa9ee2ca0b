"""The browser test's measurements, printed in pytest's summary (no goal is asserted: the machine is shared)."""
from __future__ import annotations

import pytest

_TIMINGS: dict[str, str] = {}


@pytest.fixture(scope="session")
def e2e_timings() -> dict[str, str]:
    return _TIMINGS


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS:
        terminalreporter.section("browser timings")
        for name, value in _TIMINGS.items():
            terminalreporter.write_line(f"{name}: {value}")
