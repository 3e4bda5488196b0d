// config.json top level: ociVersion, root, mounts, hooks, annotations and the opaque
// non-Linux platform sections. process/linux live in parse_process.cc / parse_linux.cc.

#include "oci/parse.h"

#include <string>

#include "libcontainer/base/strings.h"
#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace oci {
namespace {

// Reads one run of decimal digits starting at `*pos`; false when there is none.
bool read_number(std::string_view s, size_t* pos, long long* out) {
  size_t start = *pos;
  while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') ++*pos;
  if (*pos == start || *pos - start > 9) return false;
  return grove::parse_int64(s.substr(start, *pos - start), out);
}

// SemVer 2.0.0 MAJOR.MINOR.PATCH with an optional "-pre.release" and/or "+build" suffix.
// grove reads every 1.x config up to the 1.3 it targets (1.0.0-rc5, 1.0.2-dev, 1.3.0+dev ...).
bool supported_version(std::string_view v) {
  size_t pos = 0;
  long long major = 0, minor = 0, patch = 0;
  if (!read_number(v, &pos, &major) || pos >= v.size() || v[pos++] != '.') return false;
  if (!read_number(v, &pos, &minor) || pos >= v.size() || v[pos++] != '.') return false;
  if (!read_number(v, &pos, &patch)) return false;
  if (pos < v.size()) {
    if (v[pos] != '-' && v[pos] != '+') return false;
    if (pos + 1 == v.size()) return false;
    for (char c : v.substr(pos + 1)) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                c == '.' || c == '-' || c == '+';
      if (!ok) return false;
    }
  }
  return major == 1 && minor <= 3;
}

grove::Status decode_version(const Fields& f, std::string* out) {
  GROVE_TRY(f.req("ociVersion", out));
  if (!supported_version(*out)) {
    return bad_field(f.at("ociVersion"), "unsupported version " + grove::q(*out));
  }
  return grove::ok();
}

grove::Status decode_root(const Json& v, const std::string& ptr, Root* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("path", &out->path));
  if (out->path.empty()) return bad_field(f.at("path"), "must not be empty");
  return f.opt("readonly", &out->readonly);
}

grove::Status decode_annotations(const Fields& f, std::map<std::string, std::string>* out) {
  GROVE_TRY(f.opt("annotations", out));
  // config.md: "Keys MUST NOT be an empty string."
  if (out->count("") != 0) return bad_field(f.at("annotations") + "/", "key must not be empty");
  return grove::ok();
}

// Windows, Solaris, VM, z/OS and FreeBSD sections: grove does not run them, but keeps them
// verbatim (objects only) so that tools round-tripping a config through grove lose nothing.
grove::Status decode_opaque(const Fields& f, std::string_view key, std::optional<Json>* out) {
  const Json* v = f.find(key);
  if (v == nullptr) return grove::ok();
  if (!v->is_object()) return bad_type(f.at(key), "object", *v);
  *out = *v;
  return grove::ok();
}

grove::Status decode_spec(const Json& doc, Spec* spec) {
  if (!doc.is_object())
    return grove::Error::invalid("config.json: expected object, got " +
                                 std::string(doc.type_name()));
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(doc, ""));
  GROVE_TRY(decode_version(f, &spec->oci_version));
  const Json* root = f.find("root");
  if (root == nullptr) return f.missing("root");  // config.md: REQUIRED on non-Windows
  Root r;
  GROVE_TRY(decode_root(*root, f.at("root"), &r));
  spec->root = std::move(r);
  GROVE_TRY(f.opt("process", &spec->process));
  GROVE_TRY(f.opt("hostname", &spec->hostname));
  GROVE_TRY(f.opt("domainname", &spec->domainname));
  GROVE_TRY(f.opt("mounts", &spec->mounts));
  GROVE_TRY(f.opt("hooks", &spec->hooks));
  GROVE_TRY(decode_annotations(f, &spec->annotations));
  GROVE_TRY(f.opt("linux", &spec->linux));
  GROVE_TRY(decode_opaque(f, "solaris", &spec->solaris));
  GROVE_TRY(decode_opaque(f, "windows", &spec->windows));
  GROVE_TRY(decode_opaque(f, "vm", &spec->vm));
  GROVE_TRY(decode_opaque(f, "zos", &spec->zos));
  return decode_opaque(f, "freebsd", &spec->freebsd);
}

// A document holding one config.json object (process.json, a resources file): same decoder,
// pointers relative to the document, `what` naming it in errors.
template <typename T>
grove::Result<T> parse_fragment(std::string_view json, const char* what) {
  GROVE_ASSIGN_OR_RETURN(Json doc, parse_json_text(json, what));
  if (!doc.is_object()) {
    return grove::Error::invalid(std::string(what) + ": expected object, got " +
                                 std::string(doc.type_name()));
  }
  T out;
  try {
    GROVE_TRY(decode(doc, "", &out));
  } catch (const nlohmann::json::exception& e) {
    return grove::Error::invalid(std::string(what) + ": " + e.what());
  }
  return out;
}

}  // namespace

grove::Status decode(const Json& v, const std::string& ptr, IdMapping* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("containerID", &out->container_id));
  GROVE_TRY(f.req("hostID", &out->host_id));
  return f.req("size", &out->size);
}

grove::Status decode(const Json& v, const std::string& ptr, Mount* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  // config.md allows relative destinations "for compatibility with old tools" but says Linux
  // destinations MUST be absolute; runc only warns. We reject them: a relative destination is
  // ambiguous once the rootfs is entered through an fd.
  GROVE_TRY(f.req_abs_path("destination", &out->destination));
  GROVE_TRY(f.opt("type", &out->type));
  GROVE_TRY(f.opt("source", &out->source));
  GROVE_TRY(f.opt("options", &out->options));
  GROVE_TRY(f.opt("uidMappings", &out->uid_mappings));
  return f.opt("gidMappings", &out->gid_mappings);
}

grove::Status decode(const Json& v, const std::string& ptr, Hook* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_abs_path("path", &out->path));
  GROVE_TRY(f.opt("args", &out->args));
  GROVE_TRY(f.opt("env", &out->env));
  GROVE_TRY(f.opt("timeout", &out->timeout));
  if (out->timeout && *out->timeout <= 0) {
    return bad_field(f.at("timeout"), "must be greater than zero");
  }
  return grove::ok();
}

grove::Status decode(const Json& v, const std::string& ptr, Hooks* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("prestart", &out->prestart));
  GROVE_TRY(f.opt("createRuntime", &out->create_runtime));
  GROVE_TRY(f.opt("createContainer", &out->create_container));
  GROVE_TRY(f.opt("startContainer", &out->start_container));
  GROVE_TRY(f.opt("poststart", &out->poststart));
  return f.opt("poststop", &out->poststop);
}

grove::Result<Spec> parse_config(std::string_view json) {
  GROVE_ASSIGN_OR_RETURN(Json doc, parse_json_text(json, "config.json"));
  Spec spec;
  // decode never throws by construction; the catch is the boundary guarantee of style.md.
  try {
    GROVE_TRY(decode_spec(doc, &spec));
  } catch (const nlohmann::json::exception& e) {
    return grove::Error::invalid(std::string("config.json: ") + e.what());
  }
  return spec;
}

grove::Result<Process> parse_process(std::string_view json) {
  return parse_fragment<Process>(json, "process.json");
}

grove::Result<Resources> parse_resources(std::string_view json) {
  return parse_fragment<Resources>(json, "resources");
}

}  // namespace oci
