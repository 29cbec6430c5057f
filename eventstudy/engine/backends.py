"""Where the chunks of a study are computed: in this process, or on a Dask cluster (``pip install 'eventstudy[dask]'``).

A backend maps one function over the chunks, with arguments shared by every call. :class:`InProcess` calls it in a
loop; :class:`DaskBackend` submits one task per chunk to a ``dask.distributed`` cluster (a local one started for the
run, or the scheduler at an address), sending the shared arguments to every worker once. The chunk function is the
same in both, so are the results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from eventstudy.spec import BACKENDS

__all__ = ["Backend", "DaskBackend", "InProcess", "make_backend"]

Result = TypeVar("Result")


class Backend(Protocol):
    """Computes ``function(item, **shared)`` for every item, results in the order of the items."""

    def map(self, function: Callable[..., Result], items: Sequence[Any], shared: Mapping[str, Any]) -> list[Result]: ...

    def close(self) -> None:
        """Release what the backend started."""
        ...


class InProcess:
    """Every chunk in this process, one after the other."""

    def map(self, function: Callable[..., Result], items: Sequence[Any], shared: Mapping[str, Any]) -> list[Result]:
        return [function(item, **shared) for item in items]

    def close(self) -> None:
        return None


class DaskBackend:
    """Every chunk a task on a Dask cluster.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); without it a local cluster is started for the run.
    workers
        Worker processes of the local cluster (default: one per core), one thread each: the numerical work is numpy,
        which releases the GIL, but one thread per process keeps each worker's memory to one chunk at a time.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The ``dask.distributed.Client`` (connected on first use)."""
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as exc:  # the optional extra is not installed
                raise RuntimeError("the Dask backend needs dask.distributed: pip install 'eventstudy[dask]'") from exc
            if self.scheduler is not None:
                self._client = Client(self.scheduler)
            else:
                cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
                self._client = Client(cluster)
        return self._client

    def map(self, function: Callable[..., Result], items: Sequence[Any], shared: Mapping[str, Any]) -> list[Result]:
        return list(self.imap(function, items, shared))

    def imap(
        self, function: Callable[..., Result], items: Sequence[Any], shared: Mapping[str, Any]
    ) -> Iterator[Result]:
        """The results one at a time, in the order of the items, each task released once its result is fetched: a
        caller that folds the results as they come holds one of them, not all (``benchmarks/dask_scale.py``)."""
        client = self.client
        scattered = {name: client.scatter(value, broadcast=True) for name, value in shared.items()}
        futures = deque(client.submit(function, item, **scattered, pure=False) for item in items)
        while futures:
            yield futures.popleft().result()

    def close(self) -> None:
        if self._client is not None:
            cluster = self._client.cluster if self.scheduler is None else None
            self._client.close()
            if cluster is not None:
                cluster.close()
            self._client = None


def make_backend(name: str, scheduler: str | None = None, workers: int | None = None) -> Backend:
    """The backend called ``name`` (:data:`eventstudy.spec.BACKENDS`)."""
    if name == "in-process":
        return InProcess()
    if name == "dask":
        return DaskBackend(scheduler, workers)
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {name!r}")
