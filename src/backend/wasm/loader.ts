/**
 * Loads and instantiates the kernel module: synchronously in Node
 * ({@link loadKernelsSync}: readFileSync, new WebAssembly.Module/Instance, the
 * way the first op loads the default backend), asynchronously anywhere
 * ({@link loadKernels}: fetch + WebAssembly.compile, the way browsers must).
 * Nothing happens at import.
 *
 * Two builds ship (see scripts/build-wasm.mjs): `kernels-relaxed.wasm` uses
 * relaxed SIMD (fused multiply-add in the GEMM micro-kernel) and
 * `kernels-simd.wasm` only baseline SIMD. The relaxed one is taken when the
 * engine validates it. Node 20 has relaxed SIMD behind a V8 flag, which is set
 * before compiling (it only enables parsing of the extra opcodes).
 *
 * The memory is created here and *imported* by the module. Where shared
 * memory is available (see threads.ts) the `-mt` build is loaded over a
 * shared memory, so that worker threads can instantiate the same module over
 * it; otherwise the plain build over an ordinary memory.
 */
import { sharedMemorySupported } from './threads.js';
import type { Kernels } from './kernels.js';
import { builtinsReady, nodeBuiltin } from '../../util/node.js';
import { TensorError } from '../../core/errors.js';

export type { Kernels } from './kernels.js';

export type Variant = 'relaxed' | 'simd';

export interface LoadOptions {
  /** Force a build; by default relaxed SIMD when the engine validates it, else baseline SIMD. */
  variant?: Variant;
  /** Initial memory in 64 KiB pages (default 256 = 16 MiB). */
  initialPages?: number;
  /** Use a shared memory (needed for threads); default: where the environment supports it. */
  shared?: boolean;
  /**
   * Most memory in 64 KiB pages (default 65536 = 4 GiB, the wasm32 limit).
   * An allocation that would need more throws a TensorError naming it.
   */
  maximumPages?: number;
}

export interface LoadedModule {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  variant: Variant;
  /** The compiled module (workers instantiate it over the same memory). */
  module: WebAssembly.Module;
  shared: boolean;
  /** The memory's declared maximum in bytes (the heap's cap). */
  maxBytes: number;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

type Bytes = Uint8Array<ArrayBuffer>;

/** Lets V8 (Node 20) parse relaxed-SIMD opcodes; harmless where already on. Set only when a backend loads. */
function enableRelaxedSimd(): void {
  if (!isNode) return;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // Not Node, or flags locked down: validation below decides.
  }
}

/** Where build `file` lies: beside this module (dist/backend/wasm/build/, or src/ under tsx). */
function buildUrl(file: string): URL {
  return new URL(`./build/${file}`, import.meta.url);
}

function cannotLoad(url: URL, e: unknown): Error {
  return new Error(`wasm backend: cannot load ${url.href} (${(e as Error).message}); run \`npm run build\` to build the kernels`);
}

/** True where the builds can be read synchronously: Node, with the file system at hand. */
export function canLoadSync(): boolean {
  return isNode && buildUrl('x').protocol === 'file:' && builtinsReady();
}

/** The bytes of build `file`, read synchronously (Node only; see {@link canLoadSync}). */
function readBytesSync(file: string): Bytes {
  const url = buildUrl(file);
  try {
    return new Uint8Array(nodeBuiltin('node:fs', 'wasm backend').readFileSync(url));
  } catch (e) {
    throw cannotLoad(url, e);
  }
}

/** The bytes of build `file`: the file system in Node, fetch elsewhere. */
async function readBytes(file: string): Promise<Bytes> {
  const url = buildUrl(file);
  try {
    if (isNode && url.protocol === 'file:') {
      const fs = nodeBuiltin('node:fs/promises', 'wasm backend');
      return new Uint8Array(await fs.readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw cannotLoad(url, e);
  }
}

/**
 * The builds to try, best first: relaxed SIMD unless baseline is forced, then
 * baseline unless relaxed is forced. The sync and async loaders walk the same list.
 */
function candidates(variant: Variant | undefined, shared: boolean): { file: string; variant: Variant }[] {
  const suffix = shared ? '-mt.wasm' : '.wasm';
  const list: { file: string; variant: Variant }[] = [];
  if (variant !== 'simd') list.push({ file: `kernels-relaxed${suffix}`, variant: 'relaxed' });
  if (variant !== 'relaxed') list.push({ file: `kernels-simd${suffix}`, variant: 'simd' });
  return list;
}

/** The error when no candidate validates: which feature the engine lacks. */
function unsupported(variant: Variant | undefined): Error {
  return new Error(`wasm backend: this engine does not support ${variant === 'relaxed' ? 'relaxed SIMD' : 'WebAssembly SIMD'}`);
}

/**
 * A function that runs a full garbage collection, where the engine lets us
 * have one (Node: `gc` exposed at run time through V8 flags), else null.
 * Sets the V8 flag --expose-gc, so it is called only when a backend loads.
 */
export function findGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  if (!isNode) return null;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    const vm = nodeBuiltin('node:vm', 'wasm backend');
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * V8's `FinalizationRegistry.prototype.cleanupSome` (behind
 * --harmony-weak-refs-with-cleanup-some, which applies only to contexts made
 * after the flag is set, hence a fresh vm context), or null where the engine
 * has none. Call it with a registry of this context as `this`: the registry
 * itself must belong to the main context, because V8 runs a vm-context
 * registry's pending callbacks during process teardown after Node has
 * detached that context, and the process then aborts with "illegal access".
 */
export function findCleanupSome(): ((this: FinalizationRegistry<never>) => void) | null {
  if (!isNode) return null;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    const vm = nodeBuiltin('node:vm', 'wasm backend');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const method = vm.runInNewContext('FinalizationRegistry.prototype.cleanupSome') as unknown;
    if (typeof method !== 'function') return null;
    const fn = method as (this: FinalizationRegistry<never>) => void;
    fn.call(new FinalizationRegistry<never>(() => {})); // throws here, not later, if borrowing is refused
    return fn;
  } catch {
    return null;
  }
}

/** The memory the module imports, validated from the options (shared where threads are possible). */
function createMemory(opts: LoadOptions, shared: boolean): { memory: WebAssembly.Memory; maximum: number } {
  // 65536 pages = 4 GiB, the wasm32 limit (the -mt builds declare the same maximum; shared memories need one).
  const maximum = opts.maximumPages ?? 65536;
  const initial = opts.initialPages ?? Math.min(256, maximum);
  if (!Number.isInteger(maximum) || maximum < 1 || maximum > 65536 || !Number.isInteger(initial) || initial < 1 || initial > maximum) {
    throw new TensorError(
      `createWasmBackend: expected 1 <= initialPages <= maximumPages <= 65536 (64 KiB pages), got initialPages ${initial}, maximumPages ${maximum}`,
    );
  }
  return { memory: new WebAssembly.Memory({ initial, maximum, shared } as WebAssembly.MemoryDescriptor), maximum };
}

/** The module's imports: the memory, and `abort` (AssemblyScript's assertion hook). */
function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  const abort = (_msg: number, _file: number, line: number, col: number): never => {
    throw new Error(`wasm backend: kernel aborted at ${line}:${col}`);
  };
  return { env: { memory, abort } };
}

function loaded(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, variant: Variant, shared: boolean, maximum: number): LoadedModule {
  return { kernels: instance.exports as unknown as Kernels, memory, variant, module, shared, maxBytes: maximum * 65536 };
}

/**
 * Compiles and instantiates the kernels over a fresh imported memory,
 * synchronously: Node only (see {@link canLoadSync}), where reading the file
 * and compiling on the calling thread is allowed.
 * @example const { kernels } = loadKernelsSync({ variant: 'simd' });
 */
export function loadKernelsSync(opts: LoadOptions = {}): LoadedModule {
  const shared = (opts.shared ?? true) && sharedMemorySupported();
  const { memory, maximum } = createMemory(opts, shared);
  if (opts.variant !== 'simd') enableRelaxedSimd();
  for (const c of candidates(opts.variant, shared)) {
    const bytes = readBytesSync(c.file);
    if (!WebAssembly.validate(bytes)) continue;
    const module = new WebAssembly.Module(bytes);
    return loaded(module, new WebAssembly.Instance(module, imports(memory)), memory, c.variant, shared, maximum);
  }
  throw unsupported(opts.variant);
}

/**
 * Compiles and instantiates the kernels over a fresh imported memory,
 * asynchronously: the way browsers (fetch + WebAssembly.compile) load them.
 * @example const { kernels } = await loadKernels();
 */
export async function loadKernels(opts: LoadOptions = {}): Promise<LoadedModule> {
  const shared = (opts.shared ?? true) && sharedMemorySupported();
  const { memory, maximum } = createMemory(opts, shared);
  if (opts.variant !== 'simd') enableRelaxedSimd();
  for (const c of candidates(opts.variant, shared)) {
    const bytes = await readBytes(c.file);
    if (!WebAssembly.validate(bytes)) continue;
    const module = await WebAssembly.compile(bytes);
    return loaded(module, await WebAssembly.instantiate(module, imports(memory)), memory, c.variant, shared, maximum);
  }
  throw unsupported(opts.variant);
}
