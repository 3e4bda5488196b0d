#pragma once
// config.json / process.json serialization. The inverse of oci/parse.h:
// parse_config(serialize(s)) == s for every Spec that parse_config() accepted (and for any Spec
// whose strings and enums are in range). Fields at their "unset" value (empty string/array/map,
// nullopt, false for OPTIONAL booleans) are omitted, like Go's omitempty; REQUIRED fields are
// always written. Object keys come out sorted, so the output is stable byte for byte.
// Pure functions; never fail, never throw (barring std::bad_alloc).

#include <nlohmann/json.hpp>
#include <string>

#include "oci/spec.h"

namespace oci {

// The config.json document for `spec`.
nlohmann::json to_json(const Spec& spec);
// The process object (as in config.json's "process" and `exec --process` files).
nlohmann::json to_json(const Process& process);

// to_json() dumped with 2-space indentation and a trailing newline; invalid UTF-8 in strings
// (only possible in specs built in code) is replaced by U+FFFD instead of throwing.
std::string serialize(const Spec& spec);
std::string serialize(const Process& process);

}  // namespace oci
