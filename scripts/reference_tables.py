"""Write the tidy tables of the real study at full precision (the reference of ``tests/test_reference.py``).

    python scripts/reference_tables.py tests/data/reference

runs ``EventStudy(load_events(<folder>/events.csv)).run()`` on the packaged snapshot and writes ``<table>.csv.gz``
with 17 significant digits into the folder. Only for a change that is meant to move the numbers: say so in its
commit message.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eventstudy import EventStudy, SnapshotSource, load_events
from eventstudy.results import TABLES


def main(folder: Path) -> None:
    results = EventStudy(load_events(folder / "events.csv"), prices=SnapshotSource()).run()
    for name in TABLES:
        table = getattr(results, name)
        table.to_csv(folder / f"{name}.csv.gz", index=False, float_format="%.17g", lineterminator="\n")
        print(f"{name}: {len(table)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
