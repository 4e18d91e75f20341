// TA-Lib (talib-web's WebAssembly build) as a test-only oracle: one TA_* call with real output pointers, its
// outputs NaN-padded to the input's length so that index i is bar i.
import { createRequire } from "node:module";
import { init } from "talib-web";

type TalibModule = {
  ccall(name: string, returns: "number", types: "number"[], args: number[]): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPF64: Float64Array;
  HEAP32: Int32Array;
};

let loading: Promise<TalibModule> | undefined;

/** The initialised module. Emscripten's loader fetches the .wasm when a global fetch exists, which fails for a
 * file path under Node, so fetch is hidden while it reads the file from disk. */
export function loadTalib(): Promise<TalibModule> {
  loading ??= (async () => {
    const wasm = createRequire(import.meta.url).resolve("talib-web/lib/talib.wasm");
    const fetch = globalThis.fetch;
    Reflect.deleteProperty(globalThis, "fetch");
    try {
      return (await init(wasm)) as TalibModule;
    } finally {
      globalThis.fetch = fetch;
    }
  })();
  return loading;
}

/**
 * Calls TA_<name>(0, n - 1, inputs..., options..., &begIdx, &nbElement, outputs...). talib-web's own wrappers pass
 * endIdx = n (one past the end) and null for begIdx/nbElement, so they cannot say where the output starts.
 */
export function callTalib(
  talib: TalibModule,
  name: string,
  inputs: number[][],
  options: number[],
  outputs: number,
): number[][] {
  const size = inputs[0].length;
  if (size === 0) return Array.from({ length: outputs }, () => []);
  const pointers: number[] = [];
  const alloc = (bytes: number) => {
    const pointer = talib._malloc(bytes);
    pointers.push(pointer);
    return pointer;
  };
  try {
    const inPointers = inputs.map((values) => {
      const pointer = alloc(8 * size);
      talib.HEAPF64.set(values, pointer / 8);
      return pointer;
    });
    const begIdx = alloc(4);
    const nbElement = alloc(4);
    const outPointers = Array.from({ length: outputs }, () => alloc(8 * size));
    const args = [0, size - 1, ...inPointers, ...options, begIdx, nbElement, ...outPointers];
    const code = talib.ccall(
      `TA_${name}`,
      "number",
      args.map(() => "number"),
      args,
    );
    if (code !== 0) throw new Error(`TA_${name} returned code ${code}`);
    const begin = talib.HEAP32[begIdx / 4];
    const count = talib.HEAP32[nbElement / 4];
    return outPointers.map((pointer) => {
      const out = new Array<number>(size).fill(NaN);
      for (let i = 0; i < count; i++) out[begin + i] = talib.HEAPF64[pointer / 8 + i];
      return out;
    });
  } finally {
    pointers.forEach((pointer) => talib._free(pointer));
  }
}
