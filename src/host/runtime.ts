import { setFlagsFromString } from 'node:v8';

/** Set in the environment to `1` to leave V8's defaults (for comparison and diagnosis). */
export const V8_DEFAULTS_VARIABLE = 'AMLNET_V8_DEFAULTS';

/** The V8 flags amlnet's own processes run with (see `tuneRuntime`). */
export const RUNTIME_FLAGS = ['--no-allocation-site-pretenuring'] as const;

let tuned = false;

/**
 * Sets the V8 flags amlnet's processes (the CLI, the language server) run with, once, at start,
 * before any template is read. Returns whether they are set (not when `AMLNET_V8_DEFAULTS=1`).
 *
 * No allocation-site pretenuring: V8 allocates the objects of a literal's site straight in the
 * old generation once most of them outlive a young-generation collection. A model and its check
 * result are built over many megabytes of allocation, outlive one such collection, and then die
 * together; so the sites of nearly every model and engine object end up pretenured. From then on
 * every read fills the old generation with garbage that only a full collection frees, the young
 * objects those dead old ones point to are copied and promoted at every collection, and each new
 * value stored into such an object pays the old-to-young write barrier. Measured with `npm run
 * bench` against `--v8-defaults` (same machine, alternating runs): a re-check after an edit in a
 * 1 MB Bicep file 12.6-12.9 → 6.8-7.8 ms, 1,000 templates 1.26 → 1.10 s, the 1 MB Bicep check
 * 32-36 → 30 ms, the 1 MB ARM check 0-10% (within the noise in some runs); peak RSS on 10 MB of
 * Bicep 228-237 → 224 MB.
 */
export function tuneRuntime(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[V8_DEFAULTS_VARIABLE] === '1') return false;
  if (!tuned) {
    // A V8 that lacks the flag says so on stderr and goes on; it never throws.
    for (const flag of RUNTIME_FLAGS) setFlagsFromString(flag);
    tuned = true;
  }
  return true;
}
