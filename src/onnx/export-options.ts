/** The options of `tg.onnx.exportModel` (own file: the exporter's parts share it without importing export.ts). */
export interface ExportOptions {
  /** ONNX opset to target, 17 (default) to 22. */
  opset?: number;
  /** Symbolic batch dim 'batch' on input and output (default true); false fixes it at sampleInput's. */
  dynamicBatch?: boolean;
  /** Graph input and output names (default 'input' and 'output'). */
  names?: {
    /** Name of the graph input. Default 'input'. */
    input?: string;
    /** Name of the graph output. Default 'output'. */
    output?: string;
  };
  /**
   * Written to ModelProto.metadata_props (key -> value, both strings), e.g.
   * `{ 'tensorgrad.classes': JSON.stringify(names) }`; `tensorgrad export`
   * writes the run's dataset, classes and normalization this way and
   * `tensorgrad import` reads them back. At most 1024 (`MAX_METADATA_ENTRIES`)
   * entries, keys up to 256 characters, values up to 1 MiB. For an imported
   * graph (OnnxModule) it replaces the file's metadata_props as a whole
   * (without it they are kept): pass `{ ...module.metadata, key: value }` to add.
   */
  metadata?: Record<string, string>;
}
