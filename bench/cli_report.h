#pragma once
// Output of grove-bench cli/exec/lib/floor: the table, the JSON document and the sweep plot.
// Pure formatting: no syscalls.

#include <string>

#include "bench/cli_bench.h"

namespace grove::bench {

// One block per (workers, variant, op): a row per contender with containers per 60 s (median of
// the rounds [min-max]), p50/p99 latency in ms, median CPU ms and peak RSS MiB per container, and
// the ratios measured in the same run: "grove x" = grove's rate / the row's rate, "floor x" =
// the floor's rate / the row's rate (how many floors the row costs). Preceded by kernel, load and
// parameters; followed by n/a, FAILED and note lines.
std::string format_cli_table(const CliBenchConfig& cfg, const CliBenchResult& res);

// {"mode","kernel","load_before","load_after","count","rounds","workers":[..],"notes":[..],
//  "cells":[{"contender","variant","op","workers","per_60s":{median,min,max},"p50_ms","p99_ms",
//  "cpu_ms","peak_rss_kib","grove_x","floor_x"}|{..,"na"}|{..,"failed"}]}.
std::string format_cli_json(const CliBenchConfig& cfg, const CliBenchResult& res);

// A hand-written SVG: one panel per (variant, op), containers per 60 s against the worker
// count, one line per contender. Meaningful when cfg.workers has more than one value.
std::string format_cli_svg(const CliBenchConfig& cfg, const CliBenchResult& res);

}  // namespace grove::bench
