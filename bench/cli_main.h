#pragma once
// Entry point of grove-bench cli / exec / lib / floor (cli_bench.h): parses the mode's flags,
// runs the benchmark and prints the table (or --json), writing the sweep SVG when --workers
// lists more than one count (or --svg is given). Returns the exit status: 0 every cell ran or
// was n/a, 1 a cell failed or setup failed, 2 a usage error (with `usage` on stderr).

namespace grove::bench {

int run_cli_mode(int argc, char** argv, const char* usage);

}  // namespace grove::bench
