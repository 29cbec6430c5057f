"""Shared fixtures. Tests never touch the network; the price cache goes to a temporary folder.

The real study of the repository's ``events.csv`` is computed once per test session (:func:`real_results`) and
written once as a report with its claims (:func:`real_report`), as ``eventstudy run events.csv --offline`` would
with an empty cache; tests that need the real numbers or pages share them (the suite stays fast).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eventstudy import EventStudy, EventStudyResults, SnapshotSource, load_events
from eventstudy.claims import ClaimsResult, check_claims, load_claims
from eventstudy.claims.reference import load_reference_data
from eventstudy.claims.report import ClaimsExtension
from eventstudy.report import load_report_config, write_report

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


@pytest.fixture(scope="session")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventStudyResults]:
    """The real study as ``eventstudy run events.csv --offline`` runs it: on the offline price chain with an empty
    cache (so the packaged snapshot), with GARCH ARs beside the OLS ones for the timeline securities of
    ``study.toml`` (NVDA, TSM, ASML); computed once per session."""
    garch = load_report_config(REPO / "study.toml").timeline or ()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache")))
        yield EventStudy(load_events(REPO / "events.csv"), garch_tickers=garch).run()


@pytest.fixture(scope="session")
def real_claims(real_results: EventStudyResults) -> ClaimsResult:
    """The claims of ``claims.csv`` checked against the real study."""
    events = real_results.spec.events
    claims = load_claims(REPO / "claims.csv", events)
    reference = load_reference_data(REPO)
    return check_claims(claims, events, results=real_results, source_file=REPO / "claims.csv", reference=reference)


@pytest.fixture(scope="session")
def real_report(
    real_results: EventStudyResults, real_claims: ClaimsResult, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """``index.html`` of the report of the real study with its claims and ``study.toml``, written once per session
    (as ``eventstudy run events.csv --offline`` writes it)."""
    return write_report(
        real_results,
        tmp_path_factory.mktemp("real-report") / "reports",
        metadata={"input_sha256": "test"},
        extensions=[ClaimsExtension(real_claims)],
        config=load_report_config(REPO / "study.toml"),
    )
