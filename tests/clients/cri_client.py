#!/usr/bin/python3
"""A minimal CRI (Kubernetes Container Runtime Interface, runtime.v1) client for the clients
tests: Debian 12 packages no crictl, so this speaks the few calls a pod needs over containerd's
gRPC socket with python3-grpcio, encoding the protobuf messages by hand (field numbers from
k8s.io/cri-api api.proto).

usage: cri_client.py SOCKET HANDLER IMAGE CGROUP_PARENT LOG_DIR GROVE STATE_ROOT

Runs one pod (host network) with one container through runtime handler HANDLER, execs into it,
stops and removes everything, and prints one JSON object with what it saw.
"""
import json
import subprocess
import sys
import time

import grpc


# ---- protobuf encoding (only what the requests use) -------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_str(num, s):
    return field_bytes(num, s.encode())


def field_int(num, n):
    return varint(num << 3) + varint(n)


def message(*fields):
    return b"".join(f for f in fields if f)


def decode(data):
    """Field number -> list of raw values (bytes for length-delimited, int for varints)."""
    out, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            val, i = data[i:i + n], i + n
        elif wire == 1:
            val, i = data[i:i + 8], i + 8
        elif wire == 5:
            val, i = data[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(num, []).append(val)
    return out


def read_varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def int32(v):
    return v - (1 << 64) if v >= 1 << 63 else v


# ---- the calls ----------------------------------------------------------------------------------

class Cri:
    def __init__(self, socket):
        self.channel = grpc.insecure_channel("unix://" + socket)

    def call(self, service, method, request):
        rpc = self.channel.unary_unary("/runtime.v1.%s/%s" % (service, method),
                                       request_serializer=lambda b: b,
                                       response_deserializer=lambda b: b)
        return decode(rpc(request, timeout=60))


def sandbox_config(cgroup_parent, log_dir):
    namespace_options = message(field_int(1, 2))  # network = NODE (host network, no CNI)
    security = field_bytes(1, namespace_options)
    linux = message(field_str(1, cgroup_parent), field_bytes(2, security))
    metadata = message(field_str(1, "grove-pod"), field_str(2, "grove-pod-uid"),
                       field_str(3, "default"))
    return message(field_bytes(1, metadata), field_str(3, log_dir),
                   field_bytes(8, linux))


def main():
    socket, handler, image, cgroup_parent, log_dir, grove, state_root = sys.argv[1:8]
    cri = Cri(socket)
    seen = {}
    version = cri.call("RuntimeService", "Version", message(field_str(1, "v1")))
    seen["runtime_name"] = version.get(2, [b""])[0].decode()

    config = sandbox_config(cgroup_parent, log_dir)
    pod = cri.call("RuntimeService", "RunPodSandbox",
                   message(field_bytes(1, config), field_str(2, handler)))
    pod_id = pod[1][0].decode()

    container_config = message(
        field_bytes(1, message(field_str(1, "main"))),
        field_bytes(2, message(field_str(1, image))),
        field_str(3, "sh"), field_str(4, "-c"),
        field_str(4, "echo cri-out; trap 'exit 0' TERM; while :; do sleep 0.1; done"),
        field_str(11, "main.log"))
    created = cri.call("RuntimeService", "CreateContainer",
                       message(field_str(1, pod_id), field_bytes(2, container_config),
                               field_bytes(3, config)))
    cid = created[1][0].decode()
    cri.call("RuntimeService", "StartContainer", message(field_str(1, cid)))

    # The runtime behind the handler is grove: grove's own state finds the container running.
    state = subprocess.run([grove, "--root", state_root, "state", cid], capture_output=True,
                           text=True)
    seen["grove_state"] = json.loads(state.stdout).get("status") if state.returncode == 0 \
        else state.stderr
    executed = cri.call("RuntimeService", "ExecSync",
                        message(field_str(1, cid), field_str(2, "sh"), field_str(2, "-c"),
                                field_str(2, "echo exec-ok; exit 3"), field_int(3, 30)))
    seen["exec_stdout"] = executed.get(1, [b""])[0].decode()
    seen["exec_exit"] = int32(executed.get(3, [0])[0])

    cri.call("RuntimeService", "StopContainer", message(field_str(1, cid), field_int(2, 10)))
    status = cri.call("RuntimeService", "ContainerStatus", message(field_str(1, cid)))
    st = decode(status[1][0])
    seen["state"] = st.get(3, [0])[0]  # 2 = CONTAINER_EXITED
    seen["exit_code"] = int32(st.get(7, [0])[0])
    time.sleep(0.2)
    with open(log_dir + "/main.log") as f:
        seen["log"] = f.read()
    cri.call("RuntimeService", "RemoveContainer", message(field_str(1, cid)))
    cri.call("RuntimeService", "StopPodSandbox", message(field_str(1, pod_id)))
    cri.call("RuntimeService", "RemovePodSandbox", message(field_str(1, pod_id)))
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
