"""Per-sequence work on a Dask cluster (the optional ``tracklens[dask]`` extra).

The tasks are the same pure functions the local process pool runs; results come back in task
order and are combined by the caller exactly as a local run, so a cluster run is bit-equal to a
local one.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from .errors import InputError

LOCAL = "local"


def run_on_dask(address: str, worker: Callable[..., Any], tasks: list[tuple]) -> Iterator[Any]:
    """Yield ``worker(*task)`` for each task, in order, computed on the cluster at ``address``
    (``local`` starts a LocalCluster on loopback for the duration)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask", "Dask is not installed.", "pip install 'tracklens[dask]'") from None
    cluster = LocalCluster(host="127.0.0.1", processes=True, dashboard_address=None) if address == LOCAL else None
    try:
        try:
            client = Client(cluster if cluster is not None else address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(address, f"cannot reach the Dask scheduler ({exc}).",
                             "Check the address (tcp://host:8786) or use --dask local.") from None
        with client:
            futures = [client.submit(worker, *task, pure=False) for task in tasks]
            for fut in futures:
                yield fut.result()
    finally:
        if cluster is not None:
            cluster.close()
