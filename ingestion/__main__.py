"""`python -m ingestion index [PATH] [--full]`, `python -m ingestion import FILE.jsonl [--prune]`,
`python -m ingestion sources add|list|remove|sync` and `python -m ingestion status`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.examples import ExampleBanks
from assistant.sentence_vectors import warm_index
from core.embedders import build_embedder
from core.index_store import ChromaIndex, IndexStoreError, connect
from core.settings import Settings
from ingestion import sources_cli
from ingestion.catalogue import parse_catalogue
from ingestion.importing import ApplyResult, apply_entries, index_stored_sources
from ingestion.pipeline import IndexOptions, IndexReport, ProgressCallback, run_index
from ingestion.status import index_status
from storage.database import Database
from storage.documents import DocumentStore
from storage.jobs import JobConflictError, JobStore

# Outside a terminal (CI logs, pipes) rich would fall back to 80 columns and truncate the summary.
console = Console(width=None if sys.stdout.isatty() else 130)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description="Build and inspect the Sahla index.")
    commands = parser.add_subparsers(dest="command", required=True)
    index_cmd = commands.add_parser("index", help="index a folder (incremental unless --full)")
    index_cmd.add_argument("paths", nargs="*", type=Path, help="folders or files (default: the corpus folder)")
    index_cmd.add_argument("--full", action="store_true", help="re-embed everything into a fresh index")
    import_cmd = commands.add_parser("import", help="import a catalogue file (JSON Lines, see docs/catalogue.md)")
    import_cmd.add_argument("file", type=Path, help="one JSON object per procedure and language")
    import_cmd.add_argument("--prune", action="store_true",
                            help="remove this source's procedures that the file no longer lists")
    import_cmd.add_argument("--source", default="catalogue", help="name of the catalogue (default: catalogue)")
    commands.add_parser("status", help="show what the index holds")
    sources_cli.add_parser(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    settings = Settings()
    try:
        if args.command == "status":
            return _status(settings)
        if args.command == "import":
            return _import(settings, args.file, args.prune, args.source)
        if args.command == "sources":
            return sources_cli.run(args, settings, console)
        return _index(settings, args.paths, args.full)
    except (IndexStoreError, FileNotFoundError, ValueError) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2


def _index(settings: Settings, paths: list[Path], full: bool) -> int:
    """Named folders alone; by default the corpus plus what the database stores (uploads, catalogue entries,
    removals), as the service's re-index does, so that a command-line run does not drop them."""
    embedder = build_embedder(settings)
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    options = _options(settings)
    with _progress() as on_progress:
        if paths:
            report = run_index(paths, embedder, index, options, full=full, on_progress=on_progress)
        else:
            database = _database(settings)
            try:
                report = index_stored_sources(settings.corpus_dir, settings.data_dir / "uploads",
                                              DocumentStore(database), embedder, index, options, full=full,
                                              on_progress=on_progress)
            finally:
                database.close()
    _print_report(report, embedder.name)
    # The gate's example bank and the records' sentence vectors embedded now, beside the index, so that the service
    # starts without doing it and no citizen waits for them.
    ExampleBanks(embedder, settings.data_dir).warm()
    with console.status("embedding the records' sentences for the answers"):
        embedded = warm_index(embedder, index, settings.data_dir)
    if embedded:
        console.print(f"sentence vectors: {embedded} records embedded")
    return 1 if report.failed else 0


def _import(settings: Settings, path: Path, prune: bool, source: str) -> int:
    """Bad lines are named and skipped; the valid ones are stored and indexed (only the changed ones embedded)."""
    parsed = parse_catalogue(path.read_bytes(), source)
    for number, reason in parsed.errors:
        console.print(f"[red]line {number}[/]: {reason}")
    if not parsed.entries:
        console.print(f"[bold red]error:[/] no line of {path} could be imported")
        return 1
    database = _database(settings)
    jobs = JobStore(database, timedelta(seconds=settings.job_stale_seconds))
    try:
        job_id = jobs.start("import")
    except JobConflictError:
        console.print("[bold red]error:[/] an index job is already running; try again when it has finished")
        database.close()
        return 2
    try:
        documents = DocumentStore(database)
        applied = apply_entries(documents, source, parsed.entries, prune)
        embedder = build_embedder(settings)
        index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
        with _progress(lambda done, total: jobs.progress(job_id, done, total)) as on_progress:
            report = index_stored_sources(settings.corpus_dir, settings.data_dir / "uploads", documents, embedder,
                                          index, _options(settings), on_progress=on_progress)
    except BaseException:
        jobs.finish(job_id, "failed", {}, [{"source": str(path), "message": "the import stopped; the previous "
                                                                            "index keeps answering"}])
        database.close()
        raise
    errors = [{"source": f"{path.name}:{n}", "message": reason} for n, reason in parsed.errors]
    errors += [{"source": key, "message": reason} for key, reason in sorted(report.failed.items())]
    jobs.finish(job_id, "partial" if errors else "succeeded", report.counts, errors)
    database.close()
    _print_import(applied, len(parsed.errors), prune)
    _print_report(report, embedder.name)
    return 1 if errors else 0


def _options(settings: Settings) -> IndexOptions:
    return IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                        settings.embed_batch_size)


def _database(settings: Settings) -> Database:
    database = Database(settings.sqlalchemy_url)
    database.migrate()
    return database


@contextmanager
def _progress(also: ProgressCallback | None = None) -> Iterator[ProgressCallback]:
    with Progress(TextColumn("[bold]embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("embed", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            if also is not None:
                also(done, total)  # the job's progress is also its heartbeat

        yield update


def _print_import(applied: ApplyResult, bad_lines: int, prune: bool) -> None:
    table = Table(title="Catalogue import")
    for column in ("added", "changed", "unchanged", "removed", "missing, kept", "bad lines"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_row(str(len(applied.added)), str(len(applied.changed)), str(len(applied.unchanged)),
                  str(len(applied.removed)), str(len(applied.kept_missing)), str(bad_lines))
    console.print(table)
    for name in applied.removed:
        console.print(f"removed {name}")
    if applied.kept_missing and not prune:
        console.print(f"{len(applied.kept_missing)} procedures are no longer in the file and were kept; "
                      "run with --prune to remove them")


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
