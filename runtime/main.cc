// The grove binary: everything lives in grove-cli so tests can drive it in-process.

#include <iostream>

#include "runtime/cli.h"

int main(int argc, char** argv) { return grove::cli::run(argc, argv, std::cout, std::cerr); }
