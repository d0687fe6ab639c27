"""report.md from the results of one run (the same object as report.json), and the plots beside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench import plots, report_scale
from bench.markdown import table, yes

PLOTS = {"quality": ("quality.png", plots.plot_quality), "load": ("load.png", plots.plot_load),
         "streaming": ("streaming.png", plots.plot_streaming), "scaling": ("scaling.png", plots.plot_scaling),
         "scale": ("scale.png", plots.plot_scale), "throughput": ("throughput.png", plots.plot_throughput)}


def write_plots(results: dict[str, Any], out: Path) -> None:
    for key, (name, plot) in PLOTS.items():
        if key in results:
            plot(results[key], out / name)




def aims(results: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if "floor" in results:
        floor = results["floor"]
        rows.append(["search p95 (c=1) <= 2.5 x raw embedding p50", f"{floor['search_p95_over_embed_p50']} x",
                     yes(floor["aim_met"])])
    if "load" in results:
        load = results["load"]
        chat8 = next((r for r in load["runs"] if r["endpoint"] == "chat" and r["concurrency"] == 8), None)
        top = max(r["concurrency"] for r in load["runs"])
        errors = sum(r["errors"] for r in load["runs"] if r["concurrency"] == top)
        if chat8:
            rows.append(["chat p95 < 150 ms at concurrency 8", f"{chat8['p95_ms']} ms",
                         yes(load["aims"]["chat_p95_c8_under_150ms"])])
        rows.append([f"no errors at concurrency {top}", f"{errors} errors", yes(errors == 0)])
    if "streaming" in results:
        s = results["streaming"]
        rows.append(["the service adds < 20 ms to the first token (relay p95)",
                     f"p50 {s['added_to_first_token_ms']} ms, p95 {s['added_to_first_token_p95_ms']} ms",
                     yes(s["aim_met"])])
    if "ingestion" in results:
        i = results["ingestion"]
        rows.append(["end-to-end indexing / raw embedder > 0.8", f"{i['end_to_end_over_raw']}",
                     yes(i["aims"]["end_to_end_over_raw_above_0.8"])])
        rows.append(["no-change re-run < 2 s", f"{i['no_change_rerun_s']} s", yes(i["aims"]["no_change_rerun_under_2s"])])
    return rows + report_scale.aims(results)


def _quality(q: dict[str, Any]) -> str:
    header = ["form", "n", "out"] + [f"{c} {m}" for c in plots.CHANNELS for m in ("hit@1", "hit@5", "MRR")] + [
        "refusal P", "refusal R", "in-scope refused"]
    rows = []
    for row in q["rows"]:
        cells = [row["form"], row["questions"], row["outside"]]
        cells += [f"{row[f'{c}_{m}']:.2f}" for c in plots.CHANNELS for m in ("hit1", "hit5", "mrr")]
        cells += [f"{row['refusal_precision']:.2f}", f"{row['refusal_recall']:.2f}", f"{row['in_scope_refused']:.2f}"]
        rows.append(cells)
    sample = "" if q["sample_every"] == 1 else f" (one question in {q['sample_every']}: quick mode)"
    return (f"## Quality: the golden set{sample}\n\nRank of the expected procedure among the retrieved ones, for BM25 "
            "only, dense only and the hybrid pipeline, over the same index in the same run; refusals: \"refused\" is "
            "any status but `answered`; precision over all refusals, recall over the out-of-scope set.\n\n"
            + table(header, rows) + "\n\n![quality](quality.png)\n")


def _floor(f: dict[str, Any]) -> str:
    rows = [["raw embedding of one query (this process)", f["embed"]["p50_ms"], f["embed"]["p95_ms"], "1.00"],
            ["`/v1/search`, c=1, interleaved with the above", f["search_c1"]["p50_ms"], f["search_c1"]["p95_ms"],
             f"{f['search_p50_over_embed_p50']} / {f['search_p95_over_embed_p50']}"]]
    if "search_load_c1" in f:
        c1 = f["search_load_c1"]
        rows.append(["`/v1/search`, c=1, from the load generator", c1["p50_ms"], c1["p95_ms"],
                     f"{c1['p50_over_embed_p50']} / {c1['p95_over_embed_p50']}"])
    spread = f["embed"]["p95_ms"] / f["embed"]["p50_ms"]
    return ("## The floor: one query embedding\n\n"
            f"{f['rounds']} rounds, each embedding a golden question with `{f['embedder']}` in the benchmark process, "
            "then searching for it through the service: both measured at the same moments of this machine.\n\n"
            + table(["what", "p50 ms", "p95 ms", "p50 / p95 over embed p50"], rows)
            + f"\n\nThe embedding's own p95 is {spread:.1f} x its p50: the spread this machine added during the run "
            "(about 1.3 x on a quiet one).\n")


def _load(load: dict[str, Any], floor: dict[str, Any] | None) -> str:
    embed = floor["embed"]["p50_ms"] if floor else None
    rows = [[f"/v1/{r['endpoint']}", r["concurrency"], r["requests"], r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"],
             r["errors"], round(r["concurrency"] * embed, 1) if embed else "", r["service_memory"]["peak_mb"]]
            for r in load["runs"]]
    memory = load["memory"]
    mem_rows = [["at rest (after start-up and warm-up)", memory["at_rest"]["rss_mb"], memory["at_rest"]["peak_mb"]]]
    mem_rows += [[f"under {key.removeprefix('under_').replace('_', ' c=').replace('c=c', 'c=')}", v["rss_mb"],
                  v["peak_mb"]] for key, v in memory.items() if key.startswith("under_")]
    return ("## Load\n\n"
            f"Each row: {load['duration_s']:.0f} s recorded after {load['warmup_s']} s of warm-up, from an asyncio + "
            "httpx load generator in its own process (bench/load.py, on the same cores as the service), each client "
            "sending its next request as soon as the last one returned. Chat is extractive, one fresh conversation "
            "per turn, golden questions in every language. Peak memory: the service's VmHWM, reset before each row. "
            "One query embedding already uses every core, so c clients share them: c x the raw embedding p50 (the "
            "floor, above) is about the p50 at c clients on this machine.\n\n"
            + table(["endpoint", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                      "bound: c x embed p50", "peak MiB"], rows)
            + "\n\n![load](load.png)\n" + _service_profile(load.get("service_profile"))
            + "\n## Memory\n\nThe service process (uvicorn, one worker), resident set in MiB.\n\n"
            + table(["when", "RSS MiB", "peak MiB (VmHWM)"], mem_rows) + "\n")


def _service_profile(sampled: dict[str, Any] | None) -> str:
    if not sampled:
        return "\n(py-spy was not available: no sample of the service under load.)\n"
    rows = [[f"`{frame}`", f"{share:.1%}"] for frame, share in sampled["top_self"]]
    return (f"\nWhere the service's threads were during {sampled['during']} (py-spy, {sampled['samples']} samples of "
            f"non-idle threads; full list in [{sampled['file']}]({sampled['file']})):\n\n"
            + table(["frame", "share of samples"], rows) + "\n")


def _streaming(s: dict[str, Any]) -> str:
    labels = {"pre_model": "request sent -> model called (retrieval, gate, SDK)",
              "relay": "model's first chunk -> client's first `delta`",
              "ttft": "request sent -> first `delta`", "model_stream": "model's first -> last chunk",
              "tail": "model's last chunk -> `done`", "full": "request sent -> `done`"}
    rows = [[label, s["service"][k]["p50_ms"], s["service"][k]["p95_ms"], s["sdk_direct"][k]["p50_ms"]]
            for k, label in labels.items()]
    return ("## Streaming\n\n"
            f"The local Mistral-protocol server (tests/mistral_server.py) streams {s['tokens']} tokens, one every "
            f"{s['token_interval_ms']:.0f} ms, to the service's Mistral adapter; {s['requests']} fresh turns "
            f"(share answered in `llm` mode: {s['llm_mode_share']}). The mock and the client share one clock. The "
            "last column is the same mock streamed straight through the Mistral SDK, without the service.\n\n"
            + table(["span", "service p50 ms", "service p95 ms", "SDK alone p50 ms"], rows)
            + f"\n\nWhat the service adds to the first token (relay): p50 {s['added_to_first_token_ms']} ms, p95 "
            f"{s['added_to_first_token_p95_ms']} ms; of which {s['added_beyond_sdk_ms']} ms beyond the SDK's own.\n\n"
            "![streaming](streaming.png)\n")


def _ingestion(i: dict[str, Any], scaling: dict[str, Any] | None) -> str:
    text = ("## Ingestion\n\n"
            + table(["what", "value"], [
                ["corpus", f"{i['procedures']} procedures, {i['files']} files, {i['chunks']} chunks"],
                ["raw embedder (passages/s)", i["raw_passages_per_s"]],
                ["end-to-end indexing (chunks/s)", i["end_to_end_chunks_per_s"]],
                ["end-to-end / raw", i["end_to_end_over_raw"]],
                ["no-change incremental re-run (s)", i["no_change_rerun_s"]],
            ]) + "\n")
    if scaling:
        rows = [[f"{r['copies']}x", r["files"], r["chunks"], r["index_s"], r["index_chunks_per_s"], r["keyword_build_s"],
                 r["search"]["p50_ms"], r["dense_only"]["p50_ms"], r["bm25_only"]["p50_ms"]] for r in scaling["rows"]]
        growth = "; ".join(f"{k}: {v['reads']} (exponent {v['exponent']})" for k, v in scaling["growth"].items())
        text += ("\n### Against index size\n\n" f"Method: {scaling['method']}.\n\n"
                 + table(["copies", "files", "chunks", "index s", "chunks/s", "keyword build s", "search p50 ms",
                           "dense p50 ms", "BM25 p50 ms"], rows)
                 + f"\n\nGrowth from the smallest to the largest index (value ~ chunks^exponent): {growth}.\n\n"
                 "![scaling](scaling.png)\n")
    return text


def _profile(p: dict[str, Any]) -> str:
    labels = {"chat_turn": "one chat turn (AnswerPipeline.run)", "dense_query": "ChromaIndex.query (k=40)",
              "detect_intents": "detect_intents"}
    rows = [[label, p["fixes"][k]["before"]["p50_ms"], p["fixes"][k]["after"]["p50_ms"],
             p["fixes"][k]["after_over_before_p50"]] for k, label in labels.items()]
    return ("## Profile and fix\n\n"
            f"pyinstrument over the same {p['profiled_turns']} chat turns in process, one profile after the other: "
            f"[before](profile-chat-before.txt) ({p['profile_before_s']} s), [after](profile-chat.txt) "
            f"({p['profile_after_s']} s); read them for where the time goes, not for the ratio. The ratios are in the "
            "table: before and after run side by side, interleaved, in one process (bench/profile.py keeps the old "
            "code).\n\n"
            + table(["path", "before p50 ms", "after p50 ms", "after / before"], rows) + "\n")



def _rebuild(r: dict[str, Any]) -> str:
    """Chat while a full re-index runs (issue 14), beside the idle figure from the same run."""
    rows = [["idle", r["idle"]["p50_ms"], r["idle"]["p95_ms"]],
            ["during a full rebuild", r["during_full_rebuild"]["p50_ms"], r["during_full_rebuild"]["p95_ms"]]]
    return ("## Chat during a full re-index\n\nIn-process chat turns over the same embedder and index while a full "
            f"rebuild of {r['rebuild'].get('chunks', '?')} chunks runs ({r['rebuild'].get('seconds', '?')} s). "
            f"p95 ratio **{r['p95_ratio']}** (aim: at most 3; {'met' if r['aim_met'] else 'not met'}).\n\n"
            + table(["chat", "p50 ms", "p95 ms"], rows) + "\n")


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    m = meta["machine"]
    parts = [
        "# Sahla benchmark report\n",
        f"`python -m bench{' --quick' if meta['mode'] == 'quick' else ''}` on {meta['started_at']}, commit "
        f"{m['commit']}, {m['cpus']} CPUs, Python {m['python']}; load average {' '.join(m['load_average'])} at the "
        f"start, {' '.join(meta.get('load_average_end', []))} at the end; {meta['seconds']} s in all. Sections: "
        f"{', '.join(meta['sections'])}.\n",
        "Read the ratios first: every figure is measured side by side with its reference in the same run, because "
        "absolute times on a shared machine move with its load. Latencies are client-side wall-clock milliseconds, "
        "nearest-rank percentiles.\n",
    ]
    aim_rows = aims(results)
    if aim_rows:
        parts.append("## Aims\n\n" + table(["aim", "measured", "met"], aim_rows) + "\n")
    if "quality" in results:
        parts.append(_quality(results["quality"]))
    if "floor" in results:
        parts.append(_floor(results["floor"]))
    if "load" in results:
        parts.append(_load(results["load"], results.get("floor")))
    if "streaming" in results:
        parts.append(_streaming(results["streaming"]))
    if "ingestion" in results:
        parts.append(_ingestion(results["ingestion"], results.get("scaling")))
    if "profile" in results:
        parts.append(_profile(results["profile"]))
    if "throughput" in results:
        parts.append(report_scale.throughput(results["throughput"]))
    if "rebuild" in results:
        parts.append(_rebuild(results["rebuild"]))
    if "scale" in results:
        parts.append(report_scale.scale(results["scale"]))
    return "\n".join(parts)



def main(argv: list[str] | None = None) -> int:
    """`python -m bench.report [bench/report.json]`: render report.md and the plots again from a run's JSON, e.g.
    after a change of wording here, without measuring again."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "bench/report.json")
    results = json.loads(path.read_text(encoding="utf-8"))
    write_plots(results, path.parent)
    (path.parent / "report.md").write_text(render(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
