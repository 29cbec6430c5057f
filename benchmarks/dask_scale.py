"""Dask at scale: the chunk computation of a large synthetic study, read from a Parquet panel store, on a local
``dask.distributed`` cluster; wall time, CPU and every worker's peak memory.

The study: ``--securities`` synthetic US stocks (four groups, an index ``MKT`` as every stock's benchmark) x
``--events`` events, one every ``--spacing`` XNYS sessions (each event is its own cluster of overlapping windows), the
market model on (-250, -11), placebo off, no baskets and a small set of event windows (``--windows``, default (0,0)
and (-1,+1)); every test of the study runs. Returns follow a market model with a known abnormal return ``--inject``
added on day 0 of every other event, so the run shows that it measured something: the mean CAR(0,0) of the injected
and of the other events is printed. Synthetic data only measures; no number of it is shown anywhere else.

The steps, each timed (wall; CPU of this process and of the workers):

1. **plan** (this process): the study's pairs (:func:`eventstudy.engine.plan_pairs`), their samples
   (:func:`eventstudy.inference.sample_layout`) and chunks (:func:`eventstudy.engine.chunks.plan_chunks`, the default
   memory budget), as the pipeline does;
2. **store**: the panel of returns written in the Parquet layout of :mod:`eventstudy.engine.store` by
   :func:`~eventstudy.engine.store.write_store` itself (the panel is sessions x securities, a few hundred MB at 10M
   pairs: no table over pairs is built);
3. **first pass** (workers): :func:`eventstudy.inference.chunk_statistics` on every chunk, each worker reading its
   chunk's sessions from the store; each task keeps what the benchmark reduces (the additive partial sums, and per
   pair only the CAR, its variance, sigma, the degrees of freedom and whether the pair is estimable), so that 10M
   pairs' AR paths are not gathered into this process; the size of what the pipeline would gather is printed;
4. **second pass** (workers): the GRANK sums (:func:`eventstudy.inference.chunk_grank`) given every sample's scale
   (:func:`eventstudy.inference.grank_scales`), as the pipeline does with several chunks.

The tables and the tests over the reduced sums (the pipeline's last step) are not run here: they need every pair's
arrays in one process (``benchmarks/whole_run.py`` measures them to 90,000 pairs).

Memory: the resident set size high-water mark (``ru_maxrss``) of each worker process, read with ``client.run`` when
the cluster is up and after the passes, and of this process. CPU: ``resource.getrusage`` of each worker (``client.run``)
and of this process. The figures are measured at the size run; the script then extrapolates them linearly in the
pairs to ``--extrapolate`` pairs (default 10M and 100M), labelled as extrapolated: CPU per pair from this run, wall
time at the same efficiency per worker, per-worker memory as the measured peak plus the arrays every worker receives
per pair (the pair plan and sample ids, broadcast to each) times the added pairs.

``python benchmarks/dask_scale.py`` (2,000 x 500 = 1M pairs, the default) takes about 7.5 minutes on 2 shared
cores; ``--help`` lists the options (``--scheduler tcp://host:8786`` runs on a cluster whose workers see
``--store-dir``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from eventstudy import CsvDirectorySource, Event, EventStudy, load_universe
from eventstudy.calendars import sessions
from eventstudy.engine import PairPlan, plan_pairs
from eventstudy.engine.backends import DaskBackend
from eventstudy.engine.chunks import plan_chunks
from eventstudy.engine.panels import UNKNOWN_LISTING, CalendarPanel, panel_sessions
from eventstudy.engine.store import PanelStore, write_store
from eventstudy.inference import chunk_grank, chunk_statistics, grank_scales, sample_layout
from eventstudy.spec import Window

CALENDAR = "XNYS"
GROUPS = ("chips", "cloud", "software", "internet")
GB = 1024**3


def write_universe(folder: Path, securities: int) -> Path:
    """A universe file of ``securities`` XNYS stocks in four groups, each measured against the index ``MKT``."""
    rows = ["ticker,name,exchange,currency,group,benchmark", "MKT,Market index,XNYS,USD,benchmarks,"]
    rows += [f"S{i:05d},Stock {i},XNYS,USD,{GROUPS[i % len(GROUPS)]},MKT" for i in range(securities)]
    path = folder / "universe.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def synthetic_study(folder: Path, securities: int, events: int, spacing: int, windows: list[Window]) -> EventStudy:
    """The study: ``events`` events every ``spacing`` sessions, after a year of estimation history."""
    days = sessions(CALENDAR, "2010-01-04")
    rows = 300 + spacing * np.arange(events)
    if rows[-1] + 20 >= len(days):
        raise SystemExit(f"{events} events every {spacing} sessions do not fit in the {len(days)} {CALENDAR} sessions")
    chosen = [
        Event(id=f"e{number:05d}", date=str(days[row].date()), title=f"Synthetic {number}", actor="nobody")
        for number, row in enumerate(rows)
    ]
    (folder / "no-prices").mkdir()  # the chunks read the panel store, never prices
    return EventStudy(
        chosen,
        universe=load_universe(write_universe(folder, securities)),
        prices=CsvDirectorySource(folder / "no-prices"),
        event_windows=windows,
        baskets=[],
        placebo_replications=0,
    )


def write_panel_store(study: EventStudy, plan: PairPlan, folder: Path, inject: float, seed: int) -> PanelStore:
    """The study's panel of synthetic market-model returns, written with :func:`write_store`."""
    index = panel_sessions(study, CALENDAR, plan.day_zero)
    positions = list(dict.fromkeys(plan.security.tolist()))
    tickers = [plan.securities[position].ticker for position in positions]
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.01, len(index))
    alpha = rng.normal(0.0, 0.0003, len(tickers))
    beta = rng.uniform(0.5, 1.5, len(tickers))
    sigma = rng.uniform(0.01, 0.03, len(tickers))
    returns = np.empty((len(index), len(tickers)))
    for start in range(0, len(index), 256):  # row blocks: no (D, S) temporaries besides the result
        rows = slice(start, start + 256)
        noise = rng.standard_normal((len(market[rows]), len(tickers)))
        returns[rows] = alpha + np.outer(market[rows], beta) + sigma * noise
    event_rows = np.unique(index.get_indexer(np.unique(plan.day_zero)))
    returns[event_rows[::2]] += inject  # every other event: a known abnormal return on day 0 for every stock
    shape = returns.shape
    panel = CalendarPanel(
        index=index,
        tickers=tickers,
        returns=returns,
        market=np.broadcast_to(market[:, np.newaxis], shape),
        factors=None,
        not_ipo=np.broadcast_to(True, shape),
        pair_rows=np.array([], dtype=np.int64),
        pair_columns=np.array([], dtype=np.int64),
        path_window=study.path_window,
        event_rows=event_rows,
        listed_rows=np.full(len(tickers), UNKNOWN_LISTING),
        stale=np.broadcast_to(False, shape),
    )
    return write_store({CALENDAR: panel}, folder)


def compact_statistics(positions: np.ndarray, **shared: Any) -> dict[str, Any]:
    """:func:`chunk_statistics` on a worker, keeping the partial sums and the few per-pair values the second pass and
    this benchmark need; ``full_bytes`` is what the pipeline would gather of the chunk."""
    result = chunk_statistics(positions, **shared)
    arrays, pairs = result.pairs.arrays, result.pairs
    kept = [getattr(arrays, name) for name in ("ar", "ar_variance", "car_path", "car_path_variance", "returns")]
    kept += [arrays.benchmark, arrays.normal, arrays.rows, pairs.path_dates, arrays.car, arrays.car_variance]
    return {
        "positions": positions,
        "partials": result.partials,
        "car": arrays.car,
        "car_variance": arrays.car_variance,
        "sigma": arrays.fit.sigma,
        "dof": arrays.fit.dof,
        "estimable": pairs.estimable,
        "full_bytes": sum(value.nbytes for value in kept) + result.sq_p_value.nbytes,
        "partials_bytes": array_bytes(result.partials),
    }


def array_bytes(value: Any) -> int:
    """Bytes of the arrays in ``value`` (arrays, tuples and dataclasses of them)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return sum(array_bytes(item) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        return sum(array_bytes(getattr(value, name)) for name in value.__dataclass_fields__)
    return 0


def resident_mb() -> float:
    """The resident set size of this process now (MB; Linux), beside the peak that :func:`worker_usage` gives."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_usage() -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MB) of the calling process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


class Timer:
    """Wall and CPU seconds of each step: this process's and the workers' (``client.run``)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, float]] = []
        self.client: Any = None

    def workers_cpu(self) -> float:
        return 0.0 if self.client is None else sum(cpu for cpu, _ in self.client.run(worker_usage).values())

    def step(self, name: str, action: Any) -> Any:
        wall, here, there = time.perf_counter(), worker_usage()[0], self.workers_cpu()
        value = action()
        spent = (time.perf_counter() - wall, worker_usage()[0] - here, self.workers_cpu() - there)
        self.rows.append((name, *spent, resident_mb()))
        return value


def shared_bytes(plan: PairPlan, ids: np.ndarray) -> int:
    """Bytes of the per-pair arrays every worker receives (the plan's columns and the sample ids)."""
    columns = [plan.event, plan.security, plan.benchmark, plan.day_zero, plan.day_zero_last, plan.extension]
    return sum(column.nbytes for column in [*columns, plan.calendar, ids])


def window(text: str) -> Window:
    first, _, last = text.strip("()").partition(",")
    return int(first), int(last)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--securities", type=int, default=2000, help="synthetic stocks (default 2000)")
    parser.add_argument("--events", type=int, default=500, help="events, every stock in each (default 500)")
    parser.add_argument("--spacing", type=int, default=4, help="sessions between events (default 4)")
    parser.add_argument("--windows", nargs="+", type=window, default=[(0, 0), (-1, 1)], help="event windows")
    parser.add_argument("--workers", type=int, default=2, help="local cluster workers (default 2)")
    parser.add_argument("--scheduler", help="address of a running scheduler instead of a local cluster")
    parser.add_argument("--store-dir", help="folder for the store and study files (default: a temporary one)")
    parser.add_argument("--inject", type=float, default=0.01, help="abnormal return on day 0 of every other event")
    parser.add_argument("--extrapolate", type=int, nargs="*", default=[10_000_000, 100_000_000], help="pairs")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="eventstudy-dask-bench-", dir=args.store_dir) as name:
        folder = Path(name)
        timer = Timer()
        study = synthetic_study(folder, args.securities, args.events, args.spacing, args.windows)

        def plan_everything() -> tuple[PairPlan, Any, list[np.ndarray], PanelStore]:
            plan, _ = plan_pairs(study)
            layout = sample_layout(plan.keys())
            store = write_panel_store(study, plan, folder / "store", args.inject, args.seed)
            index = {CALENDAR: SimpleNamespace(index=store.index(CALENDAR))}  # all plan_chunks reads of a panel
            return plan, layout, plan_chunks(plan, index, study, study.memory_budget), store  # type: ignore[arg-type]

        plan, layout, chunks, store = timer.step("plan pairs, samples, chunks; write the store", plan_everything)
        count = len(plan)
        sizes = [chunk.size for chunk in chunks]
        store_bytes = sum(path.stat().st_size for path in store.folder.rglob("*") if path.is_file())
        print(
            f"{args.securities:,} securities x {args.events:,} events = {count:,} pairs, windows "
            f"{', '.join(map(str, args.windows))}, {len(chunks)} chunks of {min(sizes):,}..{max(sizes):,} pairs "
            f"(memory budget {study.memory_budget / GB:.0f} GiB); store {store_bytes / GB:.2f} GB "
            f"({len(store.index(CALENDAR)):,} sessions x {len(store.tickers(CALENDAR)):,} securities)"
        )
        backend = DaskBackend(args.scheduler, args.workers)
        try:
            timer.client = backend.client
            idle = {address: rss for address, (_, rss) in backend.client.run(worker_usage).items()}
            shared = {
                "spec": study,
                "panels": store,
                "plan": plan,
                "ids": layout.members.ids,
                "size": layout.members.size,
                "reach": int(plan.extension.max(initial=0)),
            }

            def first_pass() -> tuple[list[dict[str, Any]], tuple[Any, ...]]:
                # The partial sums added in chunk order, as the pipeline adds them, but as they arrive: 10M pairs'
                # partials held together would not fit here (the pipeline's gathering is measured by whole_run.py).
                kept, total = [], ()
                for result in backend.imap(compact_statistics, chunks, shared | {"complete": len(chunks) == 1}):
                    partials = result.pop("partials")
                    total = tuple(a + b for a, b in zip(total, partials, strict=True)) if total else partials
                    # Copies: a received array is a view into the buffer of its whole message, partial sums included.
                    kept.append(
                        {
                            key: np.array(value) if isinstance(value, np.ndarray) else value
                            for key, value in result.items()
                        }
                    )
                return kept, total

            first, _ = timer.step("first pass: fit and summarize every chunk", first_pass)

            def scales() -> list[np.ndarray]:
                def placed(name: str) -> np.ndarray:
                    values = first[0][name]
                    out = np.full((count, *values.shape[1:]), np.nan)
                    for result in first:
                        out[result["positions"]] = result[name]
                    return out

                arrays = SimpleNamespace(
                    car=placed("car"),
                    car_variance=placed("car_variance"),
                    fit=SimpleNamespace(sigma=placed("sigma"), dof=placed("dof")),
                )
                computed = SimpleNamespace(arrays=arrays, estimable=placed("estimable").astype(bool))
                return grank_scales(computed, layout, study)  # type: ignore[arg-type]

            if len(chunks) > 1:  # one chunk sums GRANK in its first pass, as in the pipeline
                grank_scale_values = timer.step("GRANK scales of every sample (this process)", scales)

                def second_pass() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
                    # Added in chunk order as they arrive, like the first pass's sums (the pipeline gathers them).
                    total: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
                    for sums in backend.imap(chunk_grank, chunks, shared | {"scales": grank_scale_values}):
                        total = (
                            tuple((a[0] + b[0], a[1] + b[1]) for a, b in zip(total, sums, strict=True))
                            if total
                            else sums
                        )
                    return total

                timer.step("second pass: GRANK sums of every chunk", second_pass)
            peaks = {address: rss for address, (_, rss) in backend.client.run(worker_usage).items()}
        finally:
            backend.close()

    here_peak = worker_usage()[1]
    print(f"{'step':<52} {'wall':>9} {'CPU here':>9} {'CPU workers':>12} {'memory here after':>18}")
    for name, wall, here, there, resident in timer.rows:
        print(f"{name:<52} {wall:8.1f}s {here:8.1f}s {there:11.1f}s {resident:15,.0f} MB")
    wall = sum(row[1] for row in timer.rows)
    passes = [row for row in timer.rows if "pass" in row[0]]
    pass_wall, pass_cpu = sum(row[1] for row in passes), sum(row[3] for row in passes)
    cpu_total = sum(row[2] + row[3] for row in timer.rows)
    print(f"total: wall {wall:.1f} s, CPU {cpu_total:.1f} s (this process and workers)")
    print(f"  the two passes on the workers: wall {pass_wall:.1f} s, worker CPU {pass_cpu:.1f} s")
    for address in sorted(peaks):
        print(f"  worker {address}: peak memory {peaks[address]:,.0f} MB (at start {idle[address]:,.0f} MB)")
    print(f"  this process: peak memory {here_peak:,.0f} MB")
    full = sum(result["full_bytes"] for result in first)
    print(
        f"  what the pipeline would gather of the chunks (AR paths, CARs): {full / GB:.2f} GB "
        f"({full / count:,.0f} bytes per pair)"
    )
    partials = [result["partials_bytes"] for result in first]
    print(
        f"  partial sums each chunk returns (dense over all {layout.members.size:,} samples): "
        f"{max(partials) / 2**20:,.0f} MB, added here as they arrive (the pipeline gathers every chunk first: "
        f"{sum(partials) / GB:.2f} GB)"
    )
    injected = np.unique(plan.day_zero, return_inverse=True)[1] % 2 == 0  # as write_panel_store injects
    car = np.full(count, np.nan)
    for result in first:
        car[result["positions"]] = result["car"][:, 0]
    print(
        f"  mean CAR{args.windows[0]}: events with {args.inject:+.2%} injected {np.nanmean(car[injected]):+.4%}, "
        f"others {np.nanmean(car[~injected]):+.4%}"
    )

    per_worker = shared_bytes(plan, layout.members.ids) / count
    workers = len(peaks)
    for target in (target for target in args.extrapolate if target > count):
        scale = target / count
        worker_peak = max(peaks.values()) + (target - count) * per_worker / 2**20
        print(
            f"extrapolated to {target:,} pairs (linear in the pairs, from this run): worker CPU "
            f"{pass_cpu * scale / 3600:.1f} h, the two passes {pass_wall * scale / 60:,.0f} min wall on {workers} "
            f"workers; per-worker peak {worker_peak / 1024:.1f} GB (measured {max(peaks.values()):,.0f} MB "
            f"+ {per_worker:.0f} bytes per added pair of plan and sample ids); gathered AR paths "
            f"{full * scale / GB:,.0f} GB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
