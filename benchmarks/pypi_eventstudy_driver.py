"""Run the PyPI package ``eventstudy==0.1a12`` (Lemaire) on given pairs; called by ``speed.py`` in its own venv.

That package and ours share the import name ``eventstudy``, so this script runs under the interpreter of a separate
virtual environment (``python -m venv /tmp/venv-pypi-es && /tmp/venv-pypi-es/bin/pip install eventstudy==0.1a12``)
and must not import anything from this repository. It reads returns from a CSV file (column ``date`` and one column
per series) with ``Single.import_returns``, runs ``Single.market_model`` for every (security, event date) pair and
writes the abnormal returns, their cumulative sums, the residual variances and degrees of freedom to an ``.npz``
file; it prints one JSON line with its timings.

Window mapping (see ``Single._get_parameters`` of that package): for an event on row ``i`` it takes rows
``i - (-w0 + buffer + size) .. i + w1``, fits OLS on the first ``size`` of them and returns the residuals of the
last ``w1 - w0 + 1``. Its estimation window is therefore days ``w0 - buffer - size .. w0 - buffer - 1`` relative to
day 0, so our ``(T0, T1)`` estimation window with AR path ``(w0, w1)`` is ``size = T1 - T0 + 1`` and
``buffer = w0 - T1 - 1``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main(argv: list[str] | None = None) -> None:
    """Run the PyPI market model on the pairs of a JSON file and save its outputs.

    Parameters
    ----------
    argv
        Command-line arguments: ``returns_csv pairs_json output_npz --market NAME --window W0 W1 --estimation-size N
        --buffer-size N``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("returns_csv")
    parser.add_argument("pairs_json", help="list of [security column, event date YYYY-MM-DD]")
    parser.add_argument("output_npz")
    parser.add_argument("--market", required=True)
    parser.add_argument("--window", type=int, nargs=2, required=True)
    parser.add_argument("--estimation-size", type=int, required=True)
    parser.add_argument("--buffer-size", type=int, required=True)
    args = parser.parse_args(argv)

    import eventstudy as pypi_eventstudy  # the PyPI package: this interpreter's venv has no other

    with open(args.pairs_json, encoding="utf-8") as handle:
        pairs = json.load(handle)
    started = time.perf_counter()
    pypi_eventstudy.Single.import_returns(args.returns_csv)
    imported = time.perf_counter()
    events = [
        pypi_eventstudy.Single.market_model(
            security_ticker=security,
            market_ticker=args.market,
            event_date=np.datetime64(date),
            event_window=tuple(args.window),
            estimation_size=args.estimation_size,
            buffer_size=args.buffer_size,
        )
        for security, date in pairs
    ]
    finished = time.perf_counter()
    np.savez(
        args.output_npz,
        ar=np.array([event.AR for event in events]),
        car=np.array([event.CAR for event in events]),
        variance=np.array([event.var_AR[0] for event in events]),
        dof=np.array([event.df for event in events]),
    )
    timings = {
        "version": pypi_eventstudy.__version__,
        "import_seconds": imported - started,
        "fit_seconds": finished - imported,
        "pairs": len(events),
    }
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
