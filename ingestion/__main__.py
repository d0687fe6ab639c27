"""`python -m ingestion index [PATH] [--full]` and `python -m ingestion status`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.embedders import build_embedder
from core.index_store import ChromaIndex, IndexStoreError, connect
from core.settings import Settings
from ingestion.pipeline import IndexOptions, IndexReport, run_index
from ingestion.status import index_status

# Outside a terminal (CI logs, pipes) rich would fall back to 80 columns and truncate the summary.
console = Console(width=None if sys.stdout.isatty() else 130)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description="Build and inspect the Sahla index.")
    commands = parser.add_subparsers(dest="command", required=True)
    index_cmd = commands.add_parser("index", help="index a folder (incremental unless --full)")
    index_cmd.add_argument("paths", nargs="*", type=Path, help="folders or files (default: the corpus folder)")
    index_cmd.add_argument("--full", action="store_true", help="re-embed everything into a fresh index")
    commands.add_parser("status", help="show what the index holds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    settings = Settings()
    try:
        if args.command == "status":
            return _status(settings)
        return _index(settings, args.paths or [settings.corpus_dir], args.full)
    except (IndexStoreError, FileNotFoundError) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2


def _index(settings: Settings, paths: list[Path], full: bool) -> int:
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    options = IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                           settings.embed_batch_size)
    with Progress(TextColumn("[bold]embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("embed", total=None)
        report = run_index(paths, embedder, index, options, full=full,
                           on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    _print_report(report, embedder.name)
    return 1 if report.failed else 0


def _print_report(report: IndexReport, embedder_name: str) -> None:
    table = Table(title=f"Index summary ({embedder_name})")
    for column in ("added", "updated", "deleted", "unchanged", "failed", "chunks embedded", "chunks in index",
                   "time"):
        table.add_column(column, justify="right", no_wrap=True)
    c = report.counts
    table.add_row(str(c["added"]), str(c["updated"]), str(c["deleted"]), str(c["unchanged"]), str(c["failed"]),
                  str(report.chunks_embedded), str(report.chunks_total), f"{report.seconds:.2f} s")
    console.print(table)
    if not report.switched:
        console.print("no change: the active index was left as it is")
    for source, reason in sorted(report.failed.items()):
        console.print(f"[red]failed[/] {source}: {reason}")


def _status(settings: Settings) -> int:
    status = index_status(settings)
    table = Table(title="Sahla index")
    table.add_column("key")
    table.add_column("value")
    for key, value in status.items():
        table.add_row(key, str(value))
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
