// index.json / manifest parsing with nlohmann::json; exceptions never escape (style.md §2.2).

#include "libcontainer/image/oci_layout.h"

#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"

namespace grove::image {
namespace {

using nlohmann::json;

Result<json> parse_json(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid(std::string(what) + ": not JSON");
  return j;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Descriptor> descriptor(const json& j, const std::string& where) {
  if (!j.is_object()) return Error::invalid(where + ": not an object");
  Descriptor d;
  d.media_type = str(j, "mediaType");
  d.digest = str(j, "digest");
  GROVE_TRY(digest_hex(d.digest).context(where + ".digest"));
  if (auto s = j.find("size"); s != j.end() && s->is_number_unsigned()) d.size = s->get<uint64_t>();
  if (auto a = j.find("annotations"); a != j.end() && a->is_object()) {
    d.ref = str(*a, "org.opencontainers.image.ref.name");
  }
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.os = str(*p, "os");
    d.architecture = str(*p, "architecture");
  }
  return d;
}

Result<std::vector<Descriptor>> manifests(const std::string& index_json) {
  GROVE_ASSIGN_OR_RETURN(json j, parse_json(index_json, "index.json"));
  auto m = j.find("manifests");
  if (m == j.end() || !m->is_array()) return Error::invalid("index.json: no manifests array");
  std::vector<Descriptor> out;
  for (std::size_t i = 0; i < m->size(); ++i) {
    GROVE_ASSIGN_OR_RETURN(Descriptor d,
                           descriptor((*m)[i], "index.json manifests[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<std::string> digest_hex(const std::string& digest) {
  constexpr std::string_view kAlg = "sha256:";
  if (digest.size() != kAlg.size() + 64 || digest.compare(0, kAlg.size(), kAlg) != 0 ||
      digest.find_first_not_of("0123456789abcdef", kAlg.size()) != std::string::npos) {
    return Error::invalid("digest " + q(digest) + " is not sha256:<64 lower-case hex>");
  }
  return digest.substr(kAlg.size());
}

bool is_index(const std::string& media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

Result<Descriptor> pick_manifest(const std::string& index_json, const std::string& ref) {
  GROVE_ASSIGN_OR_RETURN(std::vector<Descriptor> all, manifests(index_json));
  if (ref.empty()) {
    if (all.size() == 1) return all[0];
    return Error::invalid("index.json has " + std::to_string(all.size()) +
                          " manifests: name one as LAYOUT:REF");
  }
  for (const Descriptor& d : all) {
    if (d.ref == ref) return d;
  }
  return Error::plain(ENOENT, "index.json has no manifest named " + q(ref));
}

Result<Descriptor> pick_platform(const std::string& index_json, const std::string& arch) {
  GROVE_ASSIGN_OR_RETURN(std::vector<Descriptor> all, manifests(index_json));
  for (const Descriptor& d : all) {
    if (d.os == "linux" && d.architecture == arch) return d;
  }
  return Error::plain(ENOENT, "image index has no linux/" + arch + " manifest");
}

Result<std::vector<Descriptor>> manifest_layers(const std::string& manifest_json) {
  GROVE_ASSIGN_OR_RETURN(json j, parse_json(manifest_json, "manifest"));
  auto l = j.find("layers");
  if (l == j.end() || !l->is_array()) return Error::invalid("manifest: no layers array");
  std::vector<Descriptor> out;
  for (std::size_t i = 0; i < l->size(); ++i) {
    std::string where = "manifest layers[" + std::to_string(i) + "]";
    GROVE_ASSIGN_OR_RETURN(Descriptor d, descriptor((*l)[i], where));
    const std::string& mt = d.media_type;
    bool tar = mt.find(".tar") != std::string::npos || mt.find("tar.gzip") != std::string::npos;
    bool other_codec = mt.find("+zstd") != std::string::npos;
    if (!tar || other_codec) return Error::invalid(where + ": unsupported media type " + q(mt));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace grove::image
