// config.json serialization: top level, mounts, hooks and process. Linux in serialize_linux.cc.

#include "oci/serialize.h"

#include "oci/json_write.h"

namespace oci {

Json encode(const IdMapping& m) {
  return Json{{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

Json encode(const Mount& m) {
  Json j = {{"destination", m.destination}};
  put(j, "type", m.type);
  put(j, "source", m.source);
  put(j, "options", m.options);
  put(j, "uidMappings", m.uid_mappings);
  put(j, "gidMappings", m.gid_mappings);
  return j;
}

Json encode(const Hook& h) {
  Json j = {{"path", h.path}};
  put(j, "args", h.args);
  put(j, "env", h.env);
  put(j, "timeout", h.timeout);
  return j;
}

Json encode(const ConsoleSize& c) { return Json{{"height", c.height}, {"width", c.width}}; }

Json encode(const User& u) {
  Json j = {{"uid", u.uid}, {"gid", u.gid}};
  put(j, "umask", u.umask);
  put(j, "additionalGids", u.additional_gids);
  put(j, "username", u.username);
  return j;
}

Json encode(const Capabilities& c) {
  Json j = Json::object();
  put(j, "bounding", c.bounding);
  put(j, "effective", c.effective);
  put(j, "inheritable", c.inheritable);
  put(j, "permitted", c.permitted);
  put(j, "ambient", c.ambient);
  return j;
}

Json encode(const Rlimit& r) { return Json{{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}}; }

Json encode(const Scheduler& s) {
  Json j = {{"policy", s.policy}};
  put_nonzero(j, "nice", s.nice);
  put_nonzero(j, "priority", s.priority);
  put(j, "flags", s.flags);
  put_nonzero(j, "runtime", s.runtime);
  put_nonzero(j, "deadline", s.deadline);
  put_nonzero(j, "period", s.period);
  return j;
}

Json encode(const IoPriority& p) { return Json{{"class", p.klass}, {"priority", p.priority}}; }

Json encode(const CpuAffinity& a) {
  Json j = Json::object();
  put(j, "initial", a.initial);
  put(j, "final", a.final);
  return j;
}

Json encode(const Process& p) {
  Json j = {{"user", encode(p.user)}, {"cwd", p.cwd}};
  put(j, "terminal", p.terminal);
  put(j, "consoleSize", p.console_size);
  put(j, "args", p.args);
  put(j, "commandLine", p.command_line);
  put(j, "env", p.env);
  put(j, "capabilities", p.capabilities);
  put(j, "rlimits", p.rlimits);
  put(j, "noNewPrivileges", p.no_new_privileges);
  put(j, "apparmorProfile", p.apparmor_profile);
  put(j, "oomScoreAdj", p.oom_score_adj);
  put(j, "scheduler", p.scheduler);
  put(j, "selinuxLabel", p.selinux_label);
  put(j, "ioPriority", p.io_priority);
  put(j, "execCPUAffinity", p.exec_cpu_affinity);
  return j;
}

namespace {

Json encode_hooks(const Hooks& h) {
  Json j = Json::object();
  put(j, "prestart", h.prestart);
  put(j, "createRuntime", h.create_runtime);
  put(j, "createContainer", h.create_container);
  put(j, "startContainer", h.start_container);
  put(j, "poststart", h.poststart);
  put(j, "poststop", h.poststop);
  return j;
}

Json encode_root(const Root& r) {
  Json j = {{"path", r.path}};
  put(j, "readonly", r.readonly);
  return j;
}

}  // namespace

nlohmann::json to_json(const Process& process) { return encode(process); }

nlohmann::json to_json(const Spec& spec) {
  Json j = {{"ociVersion", spec.oci_version}};
  if (spec.root) j["root"] = encode_root(*spec.root);
  put(j, "process", spec.process);
  put(j, "hostname", spec.hostname);
  put(j, "domainname", spec.domainname);
  put(j, "mounts", spec.mounts);
  Json hooks = encode_hooks(spec.hooks);
  if (!hooks.empty()) j["hooks"] = std::move(hooks);
  put(j, "annotations", spec.annotations);
  if (spec.linux) j["linux"] = encode(*spec.linux);
  if (spec.solaris) j["solaris"] = *spec.solaris;
  if (spec.windows) j["windows"] = *spec.windows;
  if (spec.vm) j["vm"] = *spec.vm;
  if (spec.zos) j["zos"] = *spec.zos;
  if (spec.freebsd) j["freebsd"] = *spec.freebsd;
  return j;
}

std::string serialize(const Spec& spec) {
  return to_json(spec).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string serialize(const Process& process) {
  return to_json(process).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace oci
