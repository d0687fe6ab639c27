"""The report's PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CHANNELS = ("bm25", "dense", "hybrid")
METRICS = (("hit1", "hit@1"), ("hit5", "hit@5"), ("mrr", "MRR"))


def plot_quality(quality: dict[str, Any], path: Path) -> None:
    """One bar chart per language form: hit@1, hit@5 and MRR for each channel."""
    rows = quality["rows"]
    figure, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.4), sharey=True)
    width = 0.26
    for axis, row in zip(axes, rows, strict=True):
        for n, channel in enumerate(CHANNELS):
            values = [row[f"{channel}_{key}"] for key, _ in METRICS]
            positions = [m + (n - 1) * width for m in range(len(METRICS))]
            axis.bar(positions, values, width, label=channel)
        axis.set_xticks(range(len(METRICS)), [label for _, label in METRICS])
        axis.set_title(f"{row['form']} (n={row['questions']})")
        axis.set_ylim(0, 1.05)
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("score")
    axes[-1].legend(loc="lower right", fontsize=8)
    figure.suptitle("Golden set: the cited procedure's rank, per language form")
    _save(figure, path)


def plot_load(load: dict[str, Any], path: Path) -> None:
    """Latency percentiles and throughput against concurrency, for search and chat."""
    figure, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for n, endpoint in enumerate(("search", "chat")):
        runs = sorted((r for r in load["runs"] if r["endpoint"] == endpoint), key=lambda r: r["concurrency"])
        levels = [r["concurrency"] for r in runs]
        for key, style in (("p50_ms", "o-"), ("p95_ms", "s--"), ("p99_ms", "^:")):
            axes[n].plot(levels, [r[key] for r in runs], style, label=key.removesuffix("_ms"))
        axes[n].set_title(f"/v1/{endpoint}: latency")
        axes[n].set_xscale("log", base=2)
        axes[n].set_xticks(levels, [str(c) for c in levels])
        axes[n].set_xlabel("concurrent clients")
        axes[n].set_ylabel("ms")
        axes[n].grid(alpha=0.3)
        axes[n].legend()
        axes[2].plot(levels, [r["rps"] for r in runs], "o-", label=endpoint)
    axes[2].set_title("throughput")
    axes[2].set_xscale("log", base=2)
    axes[2].set_xticks(levels, [str(c) for c in levels])
    axes[2].set_xlabel("concurrent clients")
    axes[2].set_ylabel("requests / s")
    axes[2].grid(alpha=0.3)
    axes[2].legend()
    _save(figure, path)


def plot_streaming(streaming: dict[str, Any], path: Path) -> None:
    """p50 of each span, through the service and straight through the SDK."""
    spans = ("pre_model", "relay", "ttft", "tail", "full")
    figure, axis = plt.subplots(figsize=(8, 3.4))
    for n, (source, label) in enumerate((("service", "through the service"), ("sdk_direct", "SDK straight to mock"))):
        values = [streaming[source][s]["p50_ms"] for s in spans]
        positions = [m + (n - 0.5) * 0.38 for m in range(len(spans))]
        bars = axis.bar(positions, values, 0.38, label=label)
        axis.bar_label(bars, fmt="%.0f", fontsize=7)
    axis.set_xticks(range(len(spans)), ["before model", "first-token relay", "time to 1st delta", "after last token",
                                       "full answer"])
    axis.set_yscale("log")
    axis.set_ylabel("ms (p50, log)")
    axis.set_title(f"Streaming: {streaming['tokens']} tokens, one every {streaming['token_interval_ms']:.0f} ms")
    axis.legend()
    _save(figure, path)


def plot_scaling(scaling: dict[str, Any], path: Path) -> None:
    rows = scaling["rows"]
    chunks = [r["chunks"] for r in rows]
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    axes[0].plot(chunks, [r["index_s"] for r in rows], "o-", label="index time")
    axes[0].plot(chunks, [r["keyword_build_s"] for r in rows], "s--", label="keyword index build (first query)")
    axes[0].set_ylabel("s")
    axes[0].set_title("Indexing against size")
    for key, label in (("search", "hybrid"), ("dense_only", "dense only"), ("bm25_only", "BM25 only")):
        axes[1].plot(chunks, [r[key]["p50_ms"] for r in rows], "o-", label=label)
    axes[1].set_ylabel("search p50, ms (query vector precomputed)")
    axes[1].set_title("Search against size")
    axes[0].set_yscale("log")
    axes[1].set_ylim(bottom=0)
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("chunks in the index")
        axis.set_xticks(chunks, [f"{c}\n({r['copies']}x)" for c, r in zip(chunks, rows, strict=True)])
        axis.minorticks_off()
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    _save(figure, path)


def plot_scale(scale: dict[str, Any], path: Path) -> None:
    """Each scale figure against the chunks in the index: index time, keyword view, search, quality."""
    rows = scale["rows"]
    chunks = [r["chunks"] for r in rows]
    figure, axes = plt.subplots(1, 4, figsize=(18, 3.8))
    axes[0].plot(chunks, [r["index_s_all_embedded"] for r in rows], "o-", label="full index, every chunk embedded")
    axes[0].plot(chunks, [r["index_s"] - r["embed_s"] for r in rows], "s--", label="full index less embedding")
    axes[0].set_ylabel("s")
    axes[0].set_title("Full index time")
    axes[1].plot(chunks, [r["keyword_build_s"] for r in rows], "o-", label="build, s")
    axes[1].plot(chunks, [r["keyword_view_mb"] / 100 for r in rows], "s--", label="memory, 100 MiB")
    axes[1].set_title("Keyword view (BM25 and records)")
    for key, label in (("search_c1", "c=1"), ("search_c8", "c=8")):
        axes[2].plot(chunks, [r[key]["p50_ms"] for r in rows], "o-", label=f"p50 {label}")
        axes[2].plot(chunks, [r[key]["p95_ms"] for r in rows], "s--", label=f"p95 {label}")
    axes[2].set_ylabel("ms (query vector precomputed)")
    axes[2].set_title("Search")
    rated = [r for r in rows if "quality" in r]
    for key, label in (("right_procedure", "right procedure (in scope)"),
                       ("off_topic_answered", "off-topic answered"),
                       ("not_held_answered_from_corpus", "unheld answered from corpus")):
        axes[3].plot([r["chunks"] for r in rated], [r["quality"][key] for r in rated], "o-", label=label)
    axes[3].set_ylim(0, 1.05)
    axes[3].set_title("Golden set, test half")
    for axis in axes:
        axis.set_xlabel("chunks in the index")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    _save(figure, path)


def plot_throughput(throughput: dict[str, Any], path: Path) -> None:
    rows = throughput["rows"]
    clients = [r["concurrency"] for r in rows]
    figure, axis = plt.subplots(figsize=(6, 3.8))
    axis.plot(clients, [r["raw_queries_per_s"] for r in rows], "o-", label="raw embedder, queries/s (c threads)")
    axis.plot(clients, [r["chat_turns_per_s"] for r in rows], "s-", label="service, chat turns/s (c clients)")
    axis.set_xscale("log")
    axis.set_xticks(clients, [str(c) for c in clients])
    axis.minorticks_off()
    axis.set_xlabel("concurrency")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title("One replica against its embedder, same run")
    _save(figure, path)


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
