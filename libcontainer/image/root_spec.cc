// Parsing of the image-root annotations (root_spec.h).

#include "libcontainer/image/root_spec.h"

#include <algorithm>
#include <set>

#include "libcontainer/base/strings.h"

namespace grove::image {
namespace {

Error bad(std::string_view annotation, std::string what) {
  return Error::invalid("annotations " + q(annotation) + ": " + std::move(what));
}

// Absolute as given, else bundle-relative. Rejects NUL (a C string would cut it short).
Result<std::string> resolve(std::string_view annotation, const std::string& value,
                            const std::string& bundle) {
  if (value.find('\0') != std::string::npos) return bad(annotation, "path contains a NUL byte");
  if (value[0] == '/') return value;
  return bundle + "/" + value;
}

Result<std::vector<std::string>> parse_layers(const std::string& list, const std::string& bundle) {
  if (list.empty()) return bad(kImagesAnnotation, "empty layer list");
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = list.find(kLayerSeparator, start);
    std::string item = list.substr(start, end == std::string::npos ? end : end - start);
    if (item.empty()) {
      return bad(kImagesAnnotation,
                 "empty layer at position " + std::to_string(out.size()) + " in " + q(list));
    }
    GROVE_ASSIGN_OR_RETURN(std::string path, resolve(kImagesAnnotation, item, bundle));
    if (!seen.insert(path).second) {
      return bad(kImagesAnnotation, "layer " + q(path) + " named twice");
    }
    out.push_back(std::move(path));
    if (out.size() > kMaxLayers) {
      return bad(kImagesAnnotation, "more than " + std::to_string(kMaxLayers) + " layers");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

Status check_domain(const std::string& id) {
  if (id.empty() || id.size() > kMaxDomainLength) {
    return bad(kDomainAnnotation, "domain ID " + q(id) + " must be 1.." +
                                      std::to_string(kMaxDomainLength) + " characters");
  }
  // The kernel takes the ID as a mount option: ',' or '=' would smuggle in other options.
  auto ok_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  };
  if (!std::all_of(id.begin(), id.end(), ok_char)) {
    return bad(kDomainAnnotation, "domain ID " + q(id) + " may only hold [A-Za-z0-9._-]");
  }
  return ok();
}

const std::string* find(const std::map<std::string, std::string>& a, std::string_view key) {
  auto it = a.find(std::string(key));
  return it == a.end() ? nullptr : &it->second;
}

}  // namespace

const char* to_string(UpperKind kind) noexcept {
  switch (kind) {
    case UpperKind::kTmpfs:
      return "tmpfs";
    case UpperKind::kDir:
      return "dir";
    case UpperKind::kNone:
      return "none";
  }
  return "?";
}

Result<std::optional<ImageRootSpec>> parse_image_root(
    const std::map<std::string, std::string>& annotations, const std::string& bundle) {
  const std::string* images = find(annotations, kImagesAnnotation);
  const std::string* upper = find(annotations, kUpperAnnotation);
  const std::string* domain = find(annotations, kDomainAnnotation);
  if (images == nullptr) {
    if (upper != nullptr) return bad(kUpperAnnotation, "set without " + q(kImagesAnnotation));
    if (domain != nullptr) return bad(kDomainAnnotation, "set without " + q(kImagesAnnotation));
    return std::optional<ImageRootSpec>();
  }
  ImageRootSpec spec;
  GROVE_ASSIGN_OR_RETURN(spec.layers, parse_layers(*images, bundle));
  if (upper != nullptr) {
    if (*upper == "tmpfs") {
      spec.upper = UpperKind::kTmpfs;
    } else if (*upper == "none") {
      spec.upper = UpperKind::kNone;
    } else if (upper->empty()) {
      return bad(kUpperAnnotation, "empty (tmpfs, none or a directory)");
    } else {
      spec.upper = UpperKind::kDir;
      GROVE_ASSIGN_OR_RETURN(spec.upper_dir, resolve(kUpperAnnotation, *upper, bundle));
      if (std::find(spec.layers.begin(), spec.layers.end(), spec.upper_dir) != spec.layers.end()) {
        return bad(kUpperAnnotation, "directory " + q(spec.upper_dir) + " is also a layer");
      }
    }
  }
  if (domain != nullptr) {
    GROVE_TRY(check_domain(*domain));
    spec.domain = *domain;
  }
  return std::optional<ImageRootSpec>(std::move(spec));
}

}  // namespace grove::image
