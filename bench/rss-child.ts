// The process `rss-bicep-10mb` measures: it loads only what a check needs (not the other bench
// cases and their dependencies, such as the Azure SDK of azure-tenant), checks a generated Bicep
// file of the given size (0: nothing) and prints its peak RSS. `node out/bench/rss-child.js 10`.
import { rssChildMain } from './check-bench';
import { tuneRuntime } from '../src/host/runtime';

// A fresh process checking a file, as the CLI is: with its V8 settings (unless AMLNET_V8_DEFAULTS=1).
tuneRuntime();
rssChildMain(['--rss-child', process.argv[2] ?? '0']);
