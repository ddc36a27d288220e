"""Read a PyTorch checkpoint into numpy arrays WITHOUT importing torch.

Supports the two on-disk formats torch.save has used:

* the legacy (pre-1.6) stream format: pickle(magic) pickle(protocol) pickle(sys_info)
  pickle(object, storages as persistent ids) pickle(storage keys), then for each storage
  key an int64 element count followed by the raw little-endian bytes.  Resemblyzer's
  ``pretrained.pt`` is in this format.
* the zip format (torch >= 1.6): ``<name>/data.pkl`` + ``<name>/data/<key>`` files.

Only an allow-list of globals is resolved by the unpickler (tensor rebuild helpers,
storage types, OrderedDict and a few builtins), so loading a checkpoint cannot execute
arbitrary code the way ``torch.load(weights_only=False)`` can.
"""
from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from typing import Any, Dict

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "BFloat16Storage": None,  # not supported by numpy; rejected on use
}


class _StorageType:
    def __init__(self, name: str):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]


class _Storage:
    """Placeholder for a torch storage whose bytes are filled in later."""

    def __init__(self, dtype, numel: int):
        if dtype is None:
            raise ValueError("unsupported storage dtype")
        self.dtype = np.dtype(dtype)
        self.numel = numel
        self.data: np.ndarray | None = None


class _LazyTensor:
    def __init__(self, storage: _Storage, offset: int, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def materialize(self) -> np.ndarray:
        base = self.storage.data
        assert base is not None, "storage bytes were never read"
        item = base.dtype.itemsize
        if len(self.size) == 0:
            return np.array(base[self.offset])
        view = np.lib.stride_tricks.as_strided(
            base[self.offset:], shape=self.size, strides=[s * item for s in self.stride]
        )
        return np.array(view, copy=True)


def _rebuild_tensor(storage, storage_offset, size, stride, *rest):
    return _LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *rest):
    return data


_ALLOWED = {
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
}


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, storages: Dict[str, _Storage], zip_reader=None, zip_prefix=""):
        super().__init__(f)
        self.storages = storages
        self.zip_reader = zip_reader
        self.zip_prefix = zip_prefix

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        if self.zip_reader is None:
            # legacy: ('storage', storage_type, root_key, location, numel, view_metadata)
            _, stype, key, _location, numel, view_meta = pid
            if view_meta is not None:
                raise pickle.UnpicklingError("storage views are not supported")
            if key not in self.storages:
                self.storages[key] = _Storage(stype.dtype, numel)
            return self.storages[key]
        # zip: ('storage', storage_type, key, location, numel)
        _, stype, key, _location, numel = pid
        if key not in self.storages:
            st = _Storage(stype.dtype, numel)
            raw = self.zip_reader.read(f"{self.zip_prefix}data/{key}")
            st.data = np.frombuffer(raw, dtype=st.dtype.newbyteorder("<"), count=numel)
            self.storages[key] = st
        return self.storages[key]


def _materialize(obj: Any) -> Any:
    if isinstance(obj, _LazyTensor):
        return obj.materialize()
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _materialize(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _materialize(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_materialize(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_materialize(v) for v in obj)
    return obj


def load(data: bytes) -> Any:
    """Load a torch checkpoint (bytes) into nested dicts of numpy arrays."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        zf = zipfile.ZipFile(io.BytesIO(data))
        pkl = [n for n in zf.namelist() if n.endswith("data.pkl")][0]
        prefix = pkl[: -len("data.pkl")]
        storages: Dict[str, _Storage] = {}
        obj = _Unpickler(io.BytesIO(zf.read(pkl)), storages, zf, prefix).load()
        return _materialize(obj)

    f = io.BytesIO(data)
    magic = pickle.load(f)
    if magic != LEGACY_MAGIC:
        raise ValueError("not a torch checkpoint (bad magic number)")
    protocol = pickle.load(f)
    if protocol != 1001:
        raise ValueError(f"unsupported legacy protocol {protocol}")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", True):
        raise ValueError("big-endian checkpoints are not supported")
    storages = {}
    obj = _Unpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        st = storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        if count != st.numel:
            raise ValueError(f"storage {key}: header says {count} elements, pickle said {st.numel}")
        nbytes = count * st.dtype.itemsize
        st.data = np.frombuffer(f.read(nbytes), dtype=st.dtype.newbyteorder("<"), count=count)
    return _materialize(obj)
