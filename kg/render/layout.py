"""Precomputed layouts for large views, so the browser draws them with physics off.

vis-network's physics needs a few seconds to stabilise a thousand-node graph in a browser;
a force-directed layout computed here (Fruchterman–Reingold, the algorithm of networkx'
`spring_layout`, vectorised with numpy and seeded, so the same view gets the same picture)
costs about a second and makes the page draw at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

# Above this many nodes the dense n×n arrays get large; such views fall back to browser physics.
MAX_PRECOMPUTED = 4000


def spring_positions(
    node_ids: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    iterations: int = 50,
    seed: int = 7,
    spacing: float = 38.0,
) -> dict[str, tuple[int, int]]:
    """Pixel positions for the nodes: about `spacing` pixels between neighbours."""
    import numpy as np

    n = len(node_ids)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(node_ids)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in edges if u != v}
    src = np.fromiter((i for i, _ in pairs), dtype=np.intp, count=len(pairs))
    dst = np.fromiter((j for _, j in pairs), dtype=np.intp, count=len(pairs))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2), dtype=np.float32)
    k2 = np.float32(1.0 / n)  # k = sqrt(area / n) with area 1
    inv_k = np.float32(math.sqrt(n))
    step = 0.1
    cooling = step / (iterations + 1)
    dx = np.empty((n, n), dtype=np.float32)
    dy = np.empty((n, n), dtype=np.float32)
    d2 = np.empty((n, n), dtype=np.float32)
    for _ in range(iterations):
        x, y = pos[:, 0], pos[:, 1]
        # repulsion between every pair: k²/d along the offset
        np.subtract(x[:, None], x[None, :], out=dx)
        np.subtract(y[:, None], y[None, :], out=dy)
        np.multiply(dx, dx, out=d2)
        d2 += dy * dy
        np.maximum(d2, 1e-4, out=d2)
        np.divide(k2, d2, out=d2)
        disp = np.stack([(dx * d2).sum(axis=1), (dy * d2).sum(axis=1)], axis=1)
        # attraction along the edges: d²/k
        offset = pos[src] - pos[dst]
        pull = offset * (np.sqrt((offset * offset).sum(axis=1)) * inv_k)[:, None]
        np.subtract.at(disp, src, pull)
        np.add.at(disp, dst, pull)
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 0.01, out=length)
        pos += disp * (step / length)[:, None]
        step -= cooling
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max()) or 1.0
    scale = spacing * math.sqrt(n) / extent
    return {
        node: (round(float(x) * scale), round(float(y) * scale))
        for node, (x, y) in zip(node_ids, pos, strict=True)
    }
