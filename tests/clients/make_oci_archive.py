#!/usr/bin/env python3
"""Writes an OCI image archive (an image layout in a tar, as `ctr image import` and
`podman load` take) holding one layer made from a root filesystem directory.

usage: make_oci_archive.py ROOTFS_DIR OUT.tar IMAGE_NAME [CMD_JSON]

CMD_JSON: the image's default command as a JSON list (default ["sh"]).

Deterministic: entries sorted, mtimes and owners as on disk, gzip header without a timestamp.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def layer_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                path = os.path.join(dirpath, name)
                arc = os.path.relpath(path, rootfs)
                tar.add(path, arcname=arc, recursive=False)
    return buf.getvalue()


def blob(out, data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest.split(":")[1])
    info.size = len(data)
    out.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    rootfs, out_path, name = sys.argv[1:4]
    cmd = json.loads(sys.argv[4]) if len(sys.argv) == 5 else ["sh"]
    raw = layer_tar(rootfs)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as g:
        g.write(raw)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": cmd},
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
    }
    with tarfile.open(out_path, "w") as out:
        layer = blob(out, gz.getvalue(), "application/vnd.oci.image.layer.v1.tar+gzip")
        cfg = blob(out, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg, "layers": [layer]}
        man = blob(out, json.dumps(manifest).encode(),
                   "application/vnd.oci.image.manifest.v1+json")
        man["annotations"] = {"io.containerd.image.name": name,
                              "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
        for fname, data in (("oci-layout", {"imageLayoutVersion": "1.0.0"}),
                            ("index.json", {"schemaVersion": 2, "manifests": [man]})):
            b = json.dumps(data).encode()
            info = tarfile.TarInfo(fname)
            info.size = len(b)
            out.addfile(info, io.BytesIO(b))


if __name__ == "__main__":
    main()
