// Generated from the uapi <linux/bpf.h> enums (Debian 12, Linux 6.1 headers): the names bpffs's
// delegate_* options accept, without their BPF_/BPF_MAP_TYPE_/BPF_PROG_TYPE_ prefix, lower case.
// Values come from the header at compile time. Names newer than the headers are passed to the
// kernel as they are (it resolves them through its BTF, when it has BTF).

#include "libcontainer/security/bpf_names.h"

#include <linux/bpf.h>

#include <array>
#include <cctype>

namespace grove::security {
namespace {

struct Name {
  const char* name;
  unsigned value;
};

constexpr Name kCmds[] = {
    {"map_create", BPF_MAP_CREATE},
    {"map_lookup_elem", BPF_MAP_LOOKUP_ELEM},
    {"map_update_elem", BPF_MAP_UPDATE_ELEM},
    {"map_delete_elem", BPF_MAP_DELETE_ELEM},
    {"map_get_next_key", BPF_MAP_GET_NEXT_KEY},
    {"prog_load", BPF_PROG_LOAD},
    {"obj_pin", BPF_OBJ_PIN},
    {"obj_get", BPF_OBJ_GET},
    {"prog_attach", BPF_PROG_ATTACH},
    {"prog_detach", BPF_PROG_DETACH},
    {"prog_test_run", BPF_PROG_TEST_RUN},
    {"prog_run", BPF_PROG_RUN},
    {"prog_get_next_id", BPF_PROG_GET_NEXT_ID},
    {"map_get_next_id", BPF_MAP_GET_NEXT_ID},
    {"prog_get_fd_by_id", BPF_PROG_GET_FD_BY_ID},
    {"map_get_fd_by_id", BPF_MAP_GET_FD_BY_ID},
    {"obj_get_info_by_fd", BPF_OBJ_GET_INFO_BY_FD},
    {"prog_query", BPF_PROG_QUERY},
    {"raw_tracepoint_open", BPF_RAW_TRACEPOINT_OPEN},
    {"btf_load", BPF_BTF_LOAD},
    {"btf_get_fd_by_id", BPF_BTF_GET_FD_BY_ID},
    {"task_fd_query", BPF_TASK_FD_QUERY},
    {"map_lookup_and_delete_elem", BPF_MAP_LOOKUP_AND_DELETE_ELEM},
    {"map_freeze", BPF_MAP_FREEZE},
    {"btf_get_next_id", BPF_BTF_GET_NEXT_ID},
    {"map_lookup_batch", BPF_MAP_LOOKUP_BATCH},
    {"map_lookup_and_delete_batch", BPF_MAP_LOOKUP_AND_DELETE_BATCH},
    {"map_update_batch", BPF_MAP_UPDATE_BATCH},
    {"map_delete_batch", BPF_MAP_DELETE_BATCH},
    {"link_create", BPF_LINK_CREATE},
    {"link_update", BPF_LINK_UPDATE},
    {"link_get_fd_by_id", BPF_LINK_GET_FD_BY_ID},
    {"link_get_next_id", BPF_LINK_GET_NEXT_ID},
    {"enable_stats", BPF_ENABLE_STATS},
    {"iter_create", BPF_ITER_CREATE},
    {"link_detach", BPF_LINK_DETACH},
    {"prog_bind_map", BPF_PROG_BIND_MAP},
};

constexpr Name kMaps[] = {
    {"unspec", BPF_MAP_TYPE_UNSPEC},
    {"hash", BPF_MAP_TYPE_HASH},
    {"array", BPF_MAP_TYPE_ARRAY},
    {"prog_array", BPF_MAP_TYPE_PROG_ARRAY},
    {"perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY},
    {"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH},
    {"percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY},
    {"stack_trace", BPF_MAP_TYPE_STACK_TRACE},
    {"cgroup_array", BPF_MAP_TYPE_CGROUP_ARRAY},
    {"lru_hash", BPF_MAP_TYPE_LRU_HASH},
    {"lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH},
    {"lpm_trie", BPF_MAP_TYPE_LPM_TRIE},
    {"array_of_maps", BPF_MAP_TYPE_ARRAY_OF_MAPS},
    {"hash_of_maps", BPF_MAP_TYPE_HASH_OF_MAPS},
    {"devmap", BPF_MAP_TYPE_DEVMAP},
    {"sockmap", BPF_MAP_TYPE_SOCKMAP},
    {"cpumap", BPF_MAP_TYPE_CPUMAP},
    {"xskmap", BPF_MAP_TYPE_XSKMAP},
    {"sockhash", BPF_MAP_TYPE_SOCKHASH},
    {"cgroup_storage", BPF_MAP_TYPE_CGROUP_STORAGE},
    {"reuseport_sockarray", BPF_MAP_TYPE_REUSEPORT_SOCKARRAY},
    {"percpu_cgroup_storage", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE},
    {"queue", BPF_MAP_TYPE_QUEUE},
    {"stack", BPF_MAP_TYPE_STACK},
    {"sk_storage", BPF_MAP_TYPE_SK_STORAGE},
    {"devmap_hash", BPF_MAP_TYPE_DEVMAP_HASH},
    {"struct_ops", BPF_MAP_TYPE_STRUCT_OPS},
    {"ringbuf", BPF_MAP_TYPE_RINGBUF},
    {"inode_storage", BPF_MAP_TYPE_INODE_STORAGE},
    {"task_storage", BPF_MAP_TYPE_TASK_STORAGE},
    {"bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER},
    {"user_ringbuf", BPF_MAP_TYPE_USER_RINGBUF},
};

constexpr Name kProgs[] = {
    {"unspec", BPF_PROG_TYPE_UNSPEC},
    {"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER},
    {"kprobe", BPF_PROG_TYPE_KPROBE},
    {"sched_cls", BPF_PROG_TYPE_SCHED_CLS},
    {"sched_act", BPF_PROG_TYPE_SCHED_ACT},
    {"tracepoint", BPF_PROG_TYPE_TRACEPOINT},
    {"xdp", BPF_PROG_TYPE_XDP},
    {"perf_event", BPF_PROG_TYPE_PERF_EVENT},
    {"cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB},
    {"cgroup_sock", BPF_PROG_TYPE_CGROUP_SOCK},
    {"lwt_in", BPF_PROG_TYPE_LWT_IN},
    {"lwt_out", BPF_PROG_TYPE_LWT_OUT},
    {"lwt_xmit", BPF_PROG_TYPE_LWT_XMIT},
    {"sock_ops", BPF_PROG_TYPE_SOCK_OPS},
    {"sk_skb", BPF_PROG_TYPE_SK_SKB},
    {"cgroup_device", BPF_PROG_TYPE_CGROUP_DEVICE},
    {"sk_msg", BPF_PROG_TYPE_SK_MSG},
    {"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT},
    {"cgroup_sock_addr", BPF_PROG_TYPE_CGROUP_SOCK_ADDR},
    {"lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL},
    {"lirc_mode2", BPF_PROG_TYPE_LIRC_MODE2},
    {"sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT},
    {"flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR},
    {"cgroup_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL},
    {"raw_tracepoint_writable", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE},
    {"cgroup_sockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT},
    {"tracing", BPF_PROG_TYPE_TRACING},
    {"struct_ops", BPF_PROG_TYPE_STRUCT_OPS},
    {"ext", BPF_PROG_TYPE_EXT},
    {"lsm", BPF_PROG_TYPE_LSM},
    {"sk_lookup", BPF_PROG_TYPE_SK_LOOKUP},
    {"syscall", BPF_PROG_TYPE_SYSCALL},
};

constexpr Name kAttachs[] = {
    {"cgroup_inet_ingress", BPF_CGROUP_INET_INGRESS},
    {"cgroup_inet_egress", BPF_CGROUP_INET_EGRESS},
    {"cgroup_inet_sock_create", BPF_CGROUP_INET_SOCK_CREATE},
    {"cgroup_sock_ops", BPF_CGROUP_SOCK_OPS},
    {"sk_skb_stream_parser", BPF_SK_SKB_STREAM_PARSER},
    {"sk_skb_stream_verdict", BPF_SK_SKB_STREAM_VERDICT},
    {"cgroup_device", BPF_CGROUP_DEVICE},
    {"sk_msg_verdict", BPF_SK_MSG_VERDICT},
    {"cgroup_inet4_bind", BPF_CGROUP_INET4_BIND},
    {"cgroup_inet6_bind", BPF_CGROUP_INET6_BIND},
    {"cgroup_inet4_connect", BPF_CGROUP_INET4_CONNECT},
    {"cgroup_inet6_connect", BPF_CGROUP_INET6_CONNECT},
    {"cgroup_inet4_post_bind", BPF_CGROUP_INET4_POST_BIND},
    {"cgroup_inet6_post_bind", BPF_CGROUP_INET6_POST_BIND},
    {"cgroup_udp4_sendmsg", BPF_CGROUP_UDP4_SENDMSG},
    {"cgroup_udp6_sendmsg", BPF_CGROUP_UDP6_SENDMSG},
    {"lirc_mode2", BPF_LIRC_MODE2},
    {"flow_dissector", BPF_FLOW_DISSECTOR},
    {"cgroup_sysctl", BPF_CGROUP_SYSCTL},
    {"cgroup_udp4_recvmsg", BPF_CGROUP_UDP4_RECVMSG},
    {"cgroup_udp6_recvmsg", BPF_CGROUP_UDP6_RECVMSG},
    {"cgroup_getsockopt", BPF_CGROUP_GETSOCKOPT},
    {"cgroup_setsockopt", BPF_CGROUP_SETSOCKOPT},
    {"trace_raw_tp", BPF_TRACE_RAW_TP},
    {"trace_fentry", BPF_TRACE_FENTRY},
    {"trace_fexit", BPF_TRACE_FEXIT},
    {"modify_return", BPF_MODIFY_RETURN},
    {"lsm_mac", BPF_LSM_MAC},
    {"trace_iter", BPF_TRACE_ITER},
    {"cgroup_inet4_getpeername", BPF_CGROUP_INET4_GETPEERNAME},
    {"cgroup_inet6_getpeername", BPF_CGROUP_INET6_GETPEERNAME},
    {"cgroup_inet4_getsockname", BPF_CGROUP_INET4_GETSOCKNAME},
    {"cgroup_inet6_getsockname", BPF_CGROUP_INET6_GETSOCKNAME},
    {"xdp_devmap", BPF_XDP_DEVMAP},
    {"cgroup_inet_sock_release", BPF_CGROUP_INET_SOCK_RELEASE},
    {"xdp_cpumap", BPF_XDP_CPUMAP},
    {"sk_lookup", BPF_SK_LOOKUP},
    {"xdp", BPF_XDP},
    {"sk_skb_verdict", BPF_SK_SKB_VERDICT},
    {"sk_reuseport_select", BPF_SK_REUSEPORT_SELECT},
    {"sk_reuseport_select_or_migrate", BPF_SK_REUSEPORT_SELECT_OR_MIGRATE},
    {"perf_event", BPF_PERF_EVENT},
    {"trace_kprobe_multi", BPF_TRACE_KPROBE_MULTI},
    {"lsm_cgroup", BPF_LSM_CGROUP},
};

bool same(std::string_view a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return i == a.size() && b[i] == '\0';
}

template <size_t N>
std::optional<unsigned> find(const Name (&table)[N], std::string_view name) {
  for (const Name& n : table) {
    if (same(name, n.name)) return n.value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<unsigned> bpf_enum_value(BpfEnum which, std::string_view name) {
  switch (which) {
    case BpfEnum::kCmd:
      return find(kCmds, name);
    case BpfEnum::kMapType:
      return find(kMaps, name);
    case BpfEnum::kProgType:
      return find(kProgs, name);
    case BpfEnum::kAttachType:
      return find(kAttachs, name);
  }
  return std::nullopt;
}

}  // namespace grove::security
