"""Compile ``../shared/prices`` into the package's offline snapshot, deterministically.

Usage: ``python scripts/build_snapshot.py [--prices DIR]``

Every universe ticker's file is validated (standard layout, ascending unique dates, positive ``adj_close``), and
its rows are copied as they are (same text values) into ``eventstudy/data/prices.csv.gz`` (gzip with a fixed
timestamp, so the same input gives the same bytes). ``eventstudy/data/provenance.json`` records per ticker the source
file, range, rows, SHA-256 and the provenance document named in ``SOURCES.md``; those documents are copied into
``eventstudy/data/provenance/``. A price file that no universe ticker claims is an error, so nothing is left out
unnoticed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import sys
from pathlib import Path

from eventstudy.prices.base import PRICE_COLUMNS, file_stem, read_price_csv
from eventstudy.prices.snapshot import PROVENANCE_FILE, SNAPSHOT_FILE
from eventstudy.universe import load_universe

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "eventstudy" / "data"
DEFAULT_PRICES = REPO.parent / "shared" / "prices"
TABLE_ROW = re.compile(r"^\|\s*([^|\s]+)\s*\|\s*([^|]+?)\s*\|.*\|\s*(SOURCES[^|\s]*\.md)\s*\|\s*$")


def provenance_documents(prices: Path) -> dict[str, tuple[str, str]]:
    """Map each file stem listed in ``SOURCES.md`` to (security description, provenance document)."""
    documents = {}
    for line in (prices / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            documents[match.group(1)] = (match.group(2), match.group(3))
    return documents


def build(prices: Path, target_dir: Path = DATA) -> dict[str, dict[str, object]]:
    """Write the snapshot and provenance of the price files in ``prices`` into ``target_dir``; return the provenance."""
    universe = load_universe(DATA / "universe.csv")
    documents = provenance_documents(prices)
    stems = {file_stem(ticker): ticker for ticker in universe.tickers}
    unclaimed = sorted(p.stem for p in prices.glob("*.csv") if p.stem not in stems)
    if unclaimed:
        sys.exit(f"price files with no universe ticker: {unclaimed}; add them to eventstudy/data/universe.csv")

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ticker", "date", *PRICE_COLUMNS])
    series: dict[str, dict[str, object]] = {}
    for stem, ticker in sorted(stems.items()):
        path = prices / f"{stem}.csv"
        if not path.exists():
            continue
        frame = read_price_csv(path, ticker)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            writer.writerow([ticker, row["date"], *(row.get(column, "") for column in PRICE_COLUMNS)])
        description, document = documents.get(stem, ("", ""))
        series[ticker] = {
            "file": path.name,
            "security": description,
            "first": frame.index[0].date().isoformat(),
            "last": frame.index[-1].date().isoformat(),
            "rows": len(frame),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "provenance": document,
        }

    with (
        (target_dir / SNAPSHOT_FILE).open("wb") as raw,
        gzip.GzipFile(filename="prices.csv", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(out.getvalue().encode("utf-8"))
    provenance = {
        "description": "Real daily prices compiled from shared/prices; see provenance/ for sources and commits.",
        "series": series,
    }
    (target_dir / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    documents_dir = target_dir / "provenance"
    documents_dir.mkdir(exist_ok=True)
    for document in sorted(prices.glob("SOURCES*.md")):
        shutil.copyfile(document, documents_dir / document.name)
    return series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES, help="folder of price CSVs and SOURCES.md")
    args = parser.parse_args()
    series = build(args.prices)
    print(f"snapshot: {len(series)} series, {sum(s['rows'] for s in series.values())} rows -> {DATA / SNAPSHOT_FILE}")


if __name__ == "__main__":
    main()
