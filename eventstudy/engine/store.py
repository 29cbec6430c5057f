"""The return panels on disk, as Parquet partitions that a worker reads a chunk's sessions from (pyarrow).

Layout of a store folder::

    store.json                                  every calendar's sessions, tickers, listings and contaminating pairs
    <calendar>/<kind>/block-<n>.parquet         rows n*B .. (n+1)*B - 1 of one array of the panel

``kind`` is one of the panel's arrays over sessions x securities (``returns``, ``market``, ``not_ipo``, ``stale``,
``factor-<k>``). Each file holds the block's rows, one Parquet row per session, as a fixed-size list of the S
securities' float64 values, so values round-trip exactly. A chunk of pairs reads the blocks covering its sessions
(:meth:`PanelStore.slice`) and nothing else: a worker never holds a whole panel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.engine.panels import CalendarPanel, sliced_panel

__all__ = ["BLOCK_ROWS", "PanelStore", "write_store"]

#: Sessions per Parquet file.
BLOCK_ROWS = 128


def _arrays(panel: CalendarPanel) -> dict[str, np.ndarray]:
    arrays = {"returns": panel.returns, "market": panel.market, "not_ipo": panel.not_ipo, "stale": panel.stale}
    if panel.factors is not None:
        arrays |= {f"factor-{k}": panel.factors[:, :, k] for k in range(panel.factors.shape[2])}
    return arrays


def write_store(panels: Mapping[str, CalendarPanel], folder: str | Path) -> PanelStore:
    """Write ``panels`` as a store in ``folder`` (created; it must not hold a store already)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    calendars: dict[str, object] = {}
    for calendar, panel in panels.items():
        arrays = _arrays(panel)
        for kind, values in arrays.items():
            (folder / calendar / kind).mkdir(parents=True, exist_ok=True)
            columns = values.shape[1]
            for block, start in enumerate(range(0, values.shape[0], BLOCK_ROWS)):
                rows = np.ascontiguousarray(values[start : start + BLOCK_ROWS], dtype=np.float64)
                flat = pa.array(rows.ravel(), type=pa.float64())
                table = pa.table({"row": pa.FixedSizeListArray.from_arrays(flat, columns)})
                pq.write_table(table, folder / calendar / kind / f"block-{block:05d}.parquet")
        calendars[calendar] = {
            "index": [day.date().isoformat() for day in panel.index],
            "tickers": panel.tickers,
            "kinds": list(arrays),
            "pair_rows": panel.pair_rows.tolist(),
            "pair_columns": panel.pair_columns.tolist(),
            "path_window": list(panel.path_window),
            "event_rows": panel.event_rows.tolist(),
            "listed_rows": panel.listed_rows.tolist(),
        }
    meta = {"block_rows": BLOCK_ROWS, "calendars": calendars}
    (folder / "store.json").write_text(json.dumps(meta), encoding="utf-8")
    return PanelStore(folder)


class PanelStore:
    """A store written by :func:`write_store` (or by a benchmark's own generator, in the same layout)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.meta = json.loads((self.folder / "store.json").read_text(encoding="utf-8"))

    def index(self, calendar: str) -> pd.DatetimeIndex:
        """Sessions of a calendar's panel."""
        return pd.DatetimeIndex(self.meta["calendars"][calendar]["index"])

    def tickers(self, calendar: str) -> list[str]:
        """Columns of a calendar's panel."""
        return list(self.meta["calendars"][calendar]["tickers"])

    def _rows(self, calendar: str, kind: str, first: int, stop: int) -> np.ndarray:
        import pyarrow.parquet as pq

        size = int(self.meta["block_rows"])
        blocks = range(first // size, (stop - 1) // size + 1)
        parts = []
        for block in blocks:
            column = pq.read_table(self.folder / calendar / kind / f"block-{block:05d}.parquet")["row"]
            values = column.combine_chunks()
            parts.append(values.flatten().to_numpy(zero_copy_only=False).reshape(len(values), -1))
        joined = np.vstack(parts)
        return joined[first - blocks[0] * size : stop - blocks[0] * size]

    def slice(self, calendar: str, first_row: int, stop_row: int, columns: np.ndarray) -> CalendarPanel:
        """Rows ``first_row:stop_row`` and ``columns`` of a calendar's panel, as :meth:`CalendarPanel.slice` gives
        them from the panel in memory."""
        meta = self.meta["calendars"][calendar]
        arrays = {kind: self._rows(calendar, kind, first_row, stop_row)[:, columns] for kind in meta["kinds"]}
        factor_kinds = [kind for kind in meta["kinds"] if kind.startswith("factor-")]
        layout = CalendarPanel(
            index=self.index(calendar),
            tickers=list(meta["tickers"]),
            returns=np.empty((0, 0)),
            market=np.empty((0, 0)),
            factors=None,
            not_ipo=np.empty((0, 0), dtype=bool),
            pair_rows=np.asarray(meta["pair_rows"], dtype=np.int64),
            pair_columns=np.asarray(meta["pair_columns"], dtype=np.int64),
            path_window=(int(meta["path_window"][0]), int(meta["path_window"][1])),
            event_rows=np.asarray(meta["event_rows"], dtype=np.int64),
            listed_rows=np.asarray(meta["listed_rows"], dtype=np.int64),
            stale=np.empty((0, 0), dtype=bool),
        )
        return sliced_panel(
            layout,
            first_row,
            columns,
            index=layout.index[first_row:stop_row],
            returns=arrays["returns"],
            market=arrays["market"],
            factors=np.stack([arrays[kind] for kind in factor_kinds], axis=2) if factor_kinds else None,
            not_ipo=arrays["not_ipo"].astype(bool),
            stale=arrays["stale"].astype(bool),
        )
