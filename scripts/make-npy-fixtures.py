#!/usr/bin/env python3
"""Regenerates test/fixtures/npy/ with numpy (run by hand; tests never need Python).

    /usr/bin/python3 scripts/make-npy-fixtures.py     # generated with numpy 2.4

Every file is written by numpy itself (np.save, np.lib.format.write_array with an
explicit version, np.savez, np.savez_compressed); expected.json holds, per file, the
shape, the values in C order (bool and integers as numbers, floats as float64,
NaN/Inf as strings) and how the file was made. Small on purpose (a few KB in all).
"""
import json
import math
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'npy')
os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))

expected = {}


def values(a):
    out = []
    for v in np.ascontiguousarray(a).reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            out.append('NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity'))
        else:
            out.append(v if not isinstance(v, bool) else int(v))
    return out


def record(name, a, how):
    expected[name] = {'shape': list(a.shape), 'values': values(a), 'how': how}


def save(name, a, version=None, how=None):
    path = os.path.join(OUT, name)
    if version is None:
        np.save(path, a)  # numpy picks the oldest version that fits: 1.0 here
    else:
        with open(path, 'wb') as f:
            npformat.write_array(f, a, version=version)
    record(name, a, how or (f'write_array(version={version})' if version else 'np.save'))


base = np.array([[0.5, -1.25, 3.0], [1e-3, -0.0, 7.75]])
ints = np.array([[0, 1, -2], [127, -128, 5]])
# Every dtype the reader takes, little- and big-endian where the size allows.
for code in ['f4', 'f8', 'f2']:
    for order in '<>':
        save(f'{code}{"le" if order == "<" else "be"}.npy', base.astype(order + code))
for code in ['i4', 'i8', 'i2', 'u2', 'u4', 'u8']:
    for order in '<>':
        src = np.abs(ints) if code.startswith('u') else ints
        save(f'{code}{"le" if order == "<" else "be"}.npy', src.astype(order + code))
save('i1.npy', ints.astype('i1'))
save('u1.npy', np.array([[0, 1, 2], [127, 128, 255]], dtype='u1'))
save('b1.npy', np.array([[True, False, True], [False, False, True]]))
# Extreme int64 values that still fit int32, and special floats.
save('i8-range.npy', np.array([-2**31, 2**31 - 1, 0], dtype='<i8'))
save('f4-special.npy', np.array([np.nan, np.inf, -np.inf, 1e-45, 3.4e38], dtype='<f4'))
# Shapes: 0-d, empty, 1-d, 4-d.
save('scalar.npy', np.array(2.5, dtype='<f8'))
save('scalar-i4.npy', np.array(-7, dtype='<i4'))
save('empty.npy', np.zeros((0, 3), dtype='<f4'))
save('vector.npy', np.arange(5, dtype='<i4'))
save('nchw.npy', np.arange(2 * 3 * 2 * 2, dtype='<f4').reshape(2, 3, 2, 2) / 8)
# Fortran order (numpy writes it for F-contiguous arrays), incl. big-endian and bool.
f3 = np.asfortranarray(np.arange(24, dtype='<f4').reshape(2, 3, 4) - 3)
save('fortran-f4.npy', f3, how='np.save of an F-contiguous array')
save('fortran-f8be.npy', np.asfortranarray(f3.astype('>f8')), how='np.save of an F-contiguous array')
save('fortran-b1.npy', np.asfortranarray(np.array([[True, False, False], [True, True, False]])), how='np.save of an F-contiguous array')
assert npformat.read_magic(open(os.path.join(OUT, 'fortran-f4.npy'), 'rb')) == (1, 0)
# Header versions 2.0 and 3.0 (4-byte header length; 3.0 is UTF-8).
save('v2.npy', base.astype('<f4'), version=(2, 0))
save('v3.npy', base.astype('<f4'), version=(3, 0))
save('v2-fortran.npy', np.asfortranarray(ints.astype('>i4')), version=(2, 0))

# npz: stored (np.savez) and deflated (np.savez_compressed), with positional and named arrays.
a = np.arange(6, dtype='<f4').reshape(2, 3)
b = np.array([True, False])
c = np.array(3, dtype='<i8')
np.savez(os.path.join(OUT, 'stored.npz'), a, b, weight=a * 2, count=c)
np.savez_compressed(os.path.join(OUT, 'deflated.npz'), weight=np.asfortranarray(f3), bias=np.linspace(-1, 1, 7), flags=b)
np.savez(os.path.join(OUT, 'unicode.npz'), **{'gewicht_ä': a, 'layer1.0.conv1.weight': a[:1]})
for name in ['stored.npz', 'deflated.npz', 'unicode.npz']:
    with np.load(os.path.join(OUT, name)) as z:
        expected[name] = {k: {'shape': list(z[k].shape), 'values': values(z[k])} for k in z.files}
        expected[name]['__keys__'] = list(z.files)

# Byte-exact oracles for the writer: what numpy writes for our four dtypes.
save('write-f4.npy', np.array([[1.5, -2.0, 0.25]], dtype='<f4'))
save('write-f8-0d.npy', np.array(-0.125, dtype='<f8'))
save('write-i4.npy', np.arange(12, dtype='<i4').reshape(3, 4))
save('write-b1.npy', np.array([True, False, True]))
save('write-empty.npy', np.zeros((0,), dtype='<f4'))
save('write-long-shape.npy', np.zeros((1,) * 32, dtype='<f4'))

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'numpy': np.__version__, 'files': expected}, f, indent=0)
print('wrote', len(expected), 'entries to', OUT)
