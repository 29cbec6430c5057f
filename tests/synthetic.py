"""Synthetic markets with known answers, for tests only (never for results users see)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.calendars import sessions


def write_market(
    folder: Path,
    securities: int = 20,
    days: int = 400,
    start: str = "2022-01-03",
    injected: dict[int, float] | None = None,
    seed: int = 1,
    noise: float = 0.015,
) -> tuple[Path, Path, pd.DatetimeIndex]:
    """Write prices of ``securities`` US stocks and an index ``MKT`` whose returns follow a market model.

    ``injected`` maps a session position to an abnormal return added to every stock on that day.
    Returns the price folder, the universe file and the sessions.
    """
    rng = np.random.default_rng(seed)
    days_index = sessions("XNYS", start)[:days]
    market = rng.normal(0.0004, 0.01, days)
    betas = np.linspace(0.6, 1.6, securities)
    returns = 0.0002 + betas * market[:, np.newaxis] + rng.normal(0, noise, (days, securities))
    for position, value in (injected or {}).items():
        returns[position] += value
    prices = folder / "prices"
    prices.mkdir(parents=True)
    series = {"MKT": market} | {f"S{i:02d}": returns[:, i] for i in range(securities)}
    for ticker, values in series.items():
        values = values.copy()
        values[0] = 0.0
        close = 100 * np.cumprod(1 + values)
        frame = pd.DataFrame({"date": days_index.strftime("%Y-%m-%d"), "adj_close": close, "close": close})
        frame.to_csv(prices / f"{ticker}.csv", index=False)
    universe = folder / "universe.csv"
    rows = ["ticker,name,exchange,currency,group,benchmark,factor", "MKT,Market,XNYS,USD,benchmarks,,"]
    rows += [f"S{i:02d},Stock {i},XNYS,USD,{'A' if i % 2 else 'B'},MKT," for i in range(securities)]
    universe.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return prices, universe, days_index
