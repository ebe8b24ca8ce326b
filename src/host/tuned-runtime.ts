// Imported for its effect, first, by the language server's entry: sets the V8 flags of runtime.ts
// before the rest of the server (and the libraries it loads) runs.
import { tuneRuntime } from './runtime';

tuneRuntime();
