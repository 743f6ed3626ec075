// A safetensors file written from PyTorch (the bytes of
// `safetensors.torch.save_file(model.state_dict(), path)`, by
// scripts/make-torchvision-manifest.py) loads strictly into the zoo's ResNet-18
// layout and gives PyTorch's outputs. The file is torchvision's ResNet-18 at stage
// widths 4-8-16-32 (192 KB instead of 45 MB), with int64 num_batches_tracked buffers.
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tg from '../../src/index.js';

const { models } = tg;
const dir = new URL('../fixtures/torchvision/', import.meta.url);
const path = fileURLToPath(new URL('small-resnet.safetensors', dir));
const expected = JSON.parse(readFileSync(new URL('small-resnet.json', dir), 'utf8')) as {
  widths: [number, number, number, number]; numClasses: number; inputShape: number[]; output: number[]; outputShape: number[];
};

const build = () => models.resnet18({ numClasses: expected.numClasses, widths: expected.widths });

/** The fixture's input: x[k] = sin(0.37 k + 0.1), rounded to float32 as PyTorch did. */
function input(): tg.Tensor {
  const n = expected.inputShape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, (_, k) => Math.sin(0.37 * k + 0.1));
  return tg.tensor(v, { shape: expected.inputShape });
}

describe('PyTorch-written safetensors into the zoo', () => {
  test('the file is as safetensors writes it: I64 num_batches_tracked first, then F32 by name; no metadata', () => {
    const bytes = readFileSync(path);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string }>;
    const names = Object.keys(header);
    assert.equal(names.includes('__metadata__'), false);
    const firstF32 = names.findIndex((k) => header[k]!.dtype === 'F32');
    assert.ok(firstF32 > 0 && names.slice(0, firstF32).every((k) => header[k]!.dtype === 'I64' && k.endsWith('num_batches_tracked')));
    const f32 = names.slice(firstF32);
    assert.deepEqual(f32, [...f32].sort());
  });

  test('loads with strict: true and matches PyTorch within 1e-5 (eval mode)', () => {
    const model = build();
    const { missingKeys, unexpectedKeys } = model.loadStateDict(tg.io.load(path), { strict: true });
    assert.deepEqual([missingKeys, unexpectedKeys], [[], []]);
    model.eval();
    const y = tg.noGrad(() => model.forward(input()));
    assert.deepEqual(y.shape, expected.outputShape);
    const got = y.data();
    let maxErr = 0;
    expected.output.forEach((e, i) => { maxErr = Math.max(maxErr, Math.abs(got[i]! - e)); });
    assert.ok(maxErr <= 1e-5, `max abs error ${maxErr}`);
  });

  test('int64 num_batches_tracked entries load into the int32 buffers (value 7)', () => {
    const model = build();
    const sd = tg.io.load(path);
    assert.equal(sd['bn1.num_batches_tracked']!.dtype, 'int32');
    model.loadStateDict(sd);
    const tracked = Object.entries(model.stateDict()).filter(([k]) => k.endsWith('num_batches_tracked'));
    assert.equal(tracked.length, 20);
    for (const [k, t] of tracked) {
      assert.deepEqual(t.shape, [], k);
      assert.equal(t.item(), 7, k);
    }
    // Training continues the count, as PyTorch does.
    model.train();
    model.forward(input());
    assert.equal(model.bn1.getBuffer('num_batches_tracked')!.item(), 8);
  });

  test('a file without num_batches_tracked (older PyTorch) loads only non-strictly, naming the keys', () => {
    const sd = Object.fromEntries(Object.entries(tg.io.load(path)).filter(([k]) => !k.endsWith('num_batches_tracked')));
    assert.throws(() => build().loadStateDict(sd, { strict: true }), /missing keys: bn1\.num_batches_tracked, layer1\.0\.bn1\.num_batches_tracked/);
    const r = build().loadStateDict(sd, { strict: false });
    assert.equal(r.missingKeys.length, 20);
  });

  test('an int64 count beyond int32 is a clear error naming the tensor', () => {
    const bytes = new Uint8Array(readFileSync(path));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    // bn1.num_batches_tracked is the first tensor in the byte buffer.
    new DataView(bytes.buffer).setBigInt64(8 + n, 2n ** 40n, true);
    assert.throws(() => tg.io.deserialize(bytes), /tensor 'bn1\.num_batches_tracked' \(I64\) holds 1099511627776 at element 0, outside the int32 range/);
  });

  test('the wrong width is a shape mismatch naming the key', () => {
    assert.throws(() => models.resnet18({ numClasses: expected.numClasses, widths: [8, 8, 16, 32] }).loadStateDict(tg.io.load(path)),
      /size mismatch for .*\bconv1\.weight: checkpoint has shape \[4, ?3, ?7, ?7\], model has \[8, ?3, ?7, ?7\]/);
  });

  test('widths is validated', () => {
    assert.throws(() => models.resnet18({ widths: [4, 8, 16] as unknown as [number, number, number, number] }), /resnet18: widths must be an array of 4 positive integers/);
    assert.throws(() => models.resnet18({ widths: [4, 8, 0, 32] }), /resnet18: widths\[2\] must be a positive integer \(got 0\)/);
  });
});
