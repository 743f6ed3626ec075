/**
 * Getting a GPUDevice: `navigator.gpu` in browsers and web workers; in Node
 * the optional `webgpu` npm package (Google's Dawn, its binaries inside the
 * registry package). Where Node has no Vulkan driver of its own but Debian's
 * `chromium` is installed, Chromium's SwiftShader (a Vulkan implementation on
 * the CPU: slow, correct) is used as the adapter of last resort.
 */
import { TensorError } from '../../core/errors.js';
import { isNode, nodeBuiltin } from '../../util/node.js';

/** Where Debian's chromium package keeps SwiftShader's Vulkan ICD. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Options for the WebGPU backend's device. */
export interface WebGpuOptions {
  /** 'high-performance' (default) or 'low-power', as GPURequestAdapterOptions says. */
  powerPreference?: 'high-performance' | 'low-power';
}

/** A device with what we learned about its adapter. */
export interface AcquiredDevice {
  device: GPUDevice;
  /** The adapter's description, e.g. 'SwiftShader driver 5.0.0' or 'nvidia ampere'. */
  adapterName: string;
  /** True for a software (fallback) adapter such as SwiftShader. */
  fallback: boolean;
}

/**
 * The Node `webgpu` package's GPU objects. Held for the life of the process:
 * Dawn's instance must outlive every adapter and device made from it (a
 * collected instance crashes the process inside pipeline creation).
 */
const nodeGpus: GPU[] = [];
/** What the `webgpu` package exports. */
interface NodeWebGpu {
  create: (flags: string[]) => GPU;
  globals: Record<string, unknown>;
}
let nodeModule: NodeWebGpu | null = null;

async function loadNodeModule(): Promise<NodeWebGpu> {
  if (nodeModule) return nodeModule;
  const specifier = 'webgpu'; // in a variable: bundlers leave it alone (browser builds never load it)
  let mod: NodeWebGpu;
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as NodeWebGpu;
  } catch (e) {
    throw new TensorError(
      `webgpu backend: in Node it needs the optional dependency 'webgpu' (npm install webgpu), which could not be loaded (${(e as Error).message})`,
    );
  }
  for (const [k, v] of Object.entries(mod.globals)) (globalThis as Record<string, unknown>)[k] ??= v;
  return (nodeModule = mod);
}

/**
 * An adapter in Node: the system's Vulkan (Metal, D3D12) drivers first; where
 * they offer none (a machine without a GPU) and Debian's chromium is
 * installed, its SwiftShader through VK_ICD_FILENAMES. A VK_ICD_FILENAMES the
 * user set is left alone.
 */
async function nodeAdapter(opts: GPURequestAdapterOptions): Promise<GPUAdapter | null> {
  const mod = await loadNodeModule();
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // Dawn's Vulkan loader complains on stderr without it.
  const { existsSync, readdirSync } = nodeBuiltin('node:fs', 'webgpu backend');
  const canUseSwiftShader = !process.env.VK_ICD_FILENAMES && process.platform === 'linux' && existsSync(SWIFTSHADER_ICD);
  // No GPU device node at all: skip the system drivers (they would only print warnings).
  const noGpuDevice = process.platform === 'linux' && !existsSync('/dev/dri') && !readdirSync('/dev').some((f) => f.startsWith('nvidia'));
  if (!(canUseSwiftShader && noGpuDevice)) {
    const gpu = mod.create([]);
    nodeGpus.push(gpu);
    const adapter = await gpu.requestAdapter(opts);
    if (adapter || !canUseSwiftShader) return adapter;
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const gpu = mod.create([]);
  nodeGpus.push(gpu);
  return gpu.requestAdapter(opts);
}

/** An adapter of this environment: undefined where there is no WebGPU at all, null where it offers none. */
async function findAdapter(opts: GPURequestAdapterOptions): Promise<GPUAdapter | null | undefined> {
  const gpu = typeof navigator !== 'undefined' ? (navigator as { gpu?: GPU }).gpu : undefined;
  if (gpu) return gpu.requestAdapter(opts);
  if (isNode) return nodeAdapter(opts);
  return undefined;
}

/**
 * Requests an adapter and a device with the adapter's largest buffer limits.
 * Throws a TensorError saying what is missing when there is no WebGPU here.
 */
export async function acquireDevice(opts: WebGpuOptions = {}): Promise<AcquiredDevice> {
  const adapter = await findAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (adapter === undefined) {
    throw new TensorError('webgpu backend: this environment has no WebGPU (navigator.gpu is undefined: a browser without WebGPU, or a page that is not a secure context)');
  }
  if (!adapter) {
    throw new TensorError(
      'webgpu backend: no WebGPU adapter is available' +
        (isNode ? ` (Node: needs a Vulkan, Metal or D3D12 driver; on Debian without a GPU, install chromium for SwiftShader at ${SWIFTSHADER_ICD}, or set VK_ICD_FILENAMES)` : ' (the browser offers no adapter: WebGPU may be disabled or blocklisted here)'),
    );
  }
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(lim.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: lim.maxComputeWorkgroupSizeY,
    },
  });
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const adapterName = info ? [info.description, info.vendor, info.architecture].filter(Boolean).join(' / ') || 'unknown adapter' : 'unknown adapter';
  return { device, adapterName, fallback: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter) || /swiftshader/i.test(adapterName) };
}
