"""PyTorch twin of the bench workloads, as a persistent worker (bench/pytorch/framework.ts).

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "hello", "threads": 2}
      -> {"ok": true, "torch": "1.13.0", "threads": 2, "blas": "...", "numpy": "..."}
  {"op": "setup", "id": 3, "kind": "train" | "infer", "net": <NetSpec>, "batch": 64}
  {"op": "setup", "id": 3, "kind": "matmul", "n": 1024}
  {"op": "setup", "id": 3, "kind": "conv", "shape": <ConvShape>, "kernel": "fwd" | "bwd-input" | "bwd-weight"}
      -> {"ok": true, "params": <parameter count, for nets>}
  {"op": "run", "id": 3, "n": 10}   -> {"ok": true, "ms": <wall ms of the n steps, timed here>}
  {"op": "dispose", "id": 3}        -> {"ok": true}
Any failure answers {"ok": false, "error": "..."}. EOF on stdin ends the process.

The networks are built from the same NetSpec as the TypeScript side
(bench/workloads/specs.ts) and trained the same way: SGD lr 0.01 momentum 0.9,
cross-entropy, the batch (seeded values, mulberry32 as in specs.ts) built once
at setup as tensorgrad's and TF.js's adapters do; inference under no_grad in
eval mode; convolution kernels through F.conv2d and aten.convolution_backward
(the kernels autograd calls). Run with the OpenMP OpenBLAS build selected
(LD_LIBRARY_PATH) and the thread count given in hello.
"""
import json
import os
import sys
import time

# Protocol replies go to the real stdout; anything a library prints goes to stderr.
_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def seeded_values(n, seed):
    """mulberry32 as in specs.ts seededValues: uniform float32 in [-0.5, 0.5)."""
    with np.errstate(over="ignore"):
        a = (np.uint32(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)).astype(np.uint32)
        t = a
        t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        t = t ^ (t >> np.uint32(14))
    return (t.astype(np.float64) / 4294967296.0 - 0.5).astype(np.float32)


def seeded_labels(n, classes, seed):
    u = seeded_values(n, seed).astype(np.float64)
    return np.minimum(classes - 1, np.floor((u + 0.5) * classes)).astype(np.int64)


def build_model(net):
    c, h, w = net["input"]
    flat = 0
    layers = []
    for l in net["layers"]:
        kind = l["kind"]
        if kind == "conv":
            layers.append(nn.Conv2d(c, l["out"], l["k"], padding=l["pad"]))
            c = l["out"]
            h = h + 2 * l["pad"] - l["k"] + 1
            w = w + 2 * l["pad"] - l["k"] + 1
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "maxpool":
            layers.append(nn.MaxPool2d(l["k"]))
            h //= l["k"]
            w //= l["k"]
        elif kind == "flatten":
            layers.append(nn.Flatten())
            flat = c * h * w
        elif kind == "dense":
            layers.append(nn.Linear(flat, l["out"]))
            flat = l["out"]
        else:
            raise ValueError("unknown layer kind " + kind)
    return nn.Sequential(*layers)


def net_inputs(net, batch):
    c, h, w = net["input"]
    return torch.from_numpy(seeded_values(batch * c * h * w, 1)).reshape(batch, c, h, w)


def setup_train(msg):
    net, batch = msg["net"], msg["batch"]
    torch.manual_seed(0)
    model = build_model(net)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = net_inputs(net, batch)
    y = torch.from_numpy(seeded_labels(batch, net["classes"], 2))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step, model


def setup_infer(msg):
    net, batch = msg["net"], msg["batch"]
    torch.manual_seed(0)
    model = build_model(net)
    model.eval()
    x = net_inputs(net, batch)

    def step():
        with torch.no_grad():
            model(x)

    return step, model


def setup_matmul(msg):
    n = msg["n"]
    a = torch.from_numpy(seeded_values(n * n, 3)).reshape(n, n)
    b = torch.from_numpy(seeded_values(n * n, 4)).reshape(n, n)

    def step():
        with torch.no_grad():
            torch.mm(a, b)

    return step, None


def setup_conv(msg):
    s, kernel = msg["shape"], msg["kernel"]
    out = s["size"] + 2 * s["pad"] - s["k"] + 1
    x = torch.from_numpy(seeded_values(s["batch"] * s["cin"] * s["size"] * s["size"], 5)).reshape(s["batch"], s["cin"], s["size"], s["size"])
    w = torch.from_numpy(seeded_values(s["cout"] * s["cin"] * s["k"] * s["k"], 6)).reshape(s["cout"], s["cin"], s["k"], s["k"])
    gy = torch.from_numpy(seeded_values(s["batch"] * s["cout"] * out * out, 7)).reshape(s["batch"], s["cout"], out, out)
    pad = [s["pad"], s["pad"]]
    bwd = torch.ops.aten.convolution_backward

    if kernel == "fwd":
        def step():
            with torch.no_grad():
                F.conv2d(x, w, padding=s["pad"])
    elif kernel == "bwd-input":
        def step():
            bwd(gy, x, w, None, [1, 1], pad, [1, 1], False, [0, 0], 1, [True, False, False])
    elif kernel == "bwd-weight":
        def step():
            bwd(gy, x, w, None, [1, 1], pad, [1, 1], False, [0, 0], 1, [False, True, False])
    else:
        raise ValueError("unknown conv kernel " + kernel)
    return step, None


SETUPS = {"train": setup_train, "infer": setup_infer, "matmul": setup_matmul, "conv": setup_conv}


def blas_info():
    try:
        import re
        with open("/proc/self/maps") as f:
            libs = sorted({m.group(0) for m in re.finditer(r"/\S*/libopenblas\S*\.so\S*", f.read())})
        return ", ".join(libs) or "unknown"
    except OSError:
        return "unknown"


def handle(msg, steps):
    op = msg["op"]
    if op == "hello":
        torch.set_num_threads(int(msg.get("threads", 2)))
        return {"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                "numpy": np.__version__, "blas": blas_info(), "python": sys.version.split()[0]}
    if op == "setup":
        step, model = SETUPS[msg["kind"]](msg)
        steps[msg["id"]] = step
        reply = {"ok": True}
        if model is not None:
            reply["params"] = sum(p.numel() for p in model.parameters())
        return reply
    if op == "run":
        step = steps[msg["id"]]
        n = int(msg["n"])
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        return {"ok": True, "ms": (time.perf_counter() - t0) * 1000.0}
    if op == "dispose":
        steps.pop(msg["id"], None)
        return {"ok": True}
    raise ValueError("unknown op " + str(op))


def main():
    steps = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line), steps)
        except Exception as e:  # noqa: BLE001 -- every failure goes back to the bench as a reply
            reply = {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")}
        _out.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
