"""Shared fixtures. Tests never touch the network; the price cache goes to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy import EventStudy, EventStudyResults, SnapshotSource, load_events

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = Path(__file__).resolve().parent / "data" / "reference"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the price cache at a fresh folder so no test reads or writes the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def shared_prices() -> Path:
    """``../shared/prices`` beside the repository (skips where it is absent)."""
    folder = SHARED / "prices"
    if not folder.is_dir():
        pytest.skip("../shared/prices is not beside this checkout")
    return folder


@pytest.fixture(scope="session")
def reference_study() -> EventStudy:
    """The study of ``tests/data/reference`` (the events of the first version, on the packaged snapshot), with GARCH
    ARs beside the OLS ones for NVDA (as ``eventstudy run`` does for the timeline securities of study.toml)."""
    return EventStudy(load_events(REFERENCE / "events.csv"), prices=SnapshotSource(), garch_tickers=["NVDA"])


@pytest.fixture(scope="session")
def reference_results(reference_study: EventStudy) -> EventStudyResults:
    """That study run once per test session, in one chunk, in this process."""
    return reference_study.run()
