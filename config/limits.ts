// Limits that keep hostile input cheap to reject.

/** Largest config file read or parsed (256 KiB); larger files get `file.too-large`. */
export const MAX_FILE_BYTES = 256 * 1024;

/** Deepest nesting (block or flow) accepted before parsing; deeper gets `yaml.too-deep`. */
export const MAX_NESTING_DEPTH = 64;

/** Alias expansions allowed while converting a document to a value (`yaml.alias-limit` beyond). */
export const MAX_ALIAS_COUNT = 100;

/** Diagnostics kept per file; the rest are summarised in one `file.too-many-problems` warning. */
export const MAX_DIAGNOSTICS_PER_FILE = 25;
