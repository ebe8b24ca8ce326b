import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** amlnet's version from the package.json above `from` (dist/server.js bundled, out/src/server/ compiled). */
export function toolVersion(from: string = __dirname): string {
  try {
    for (let dir = from; ; dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'amlnet' && pkg.version) return pkg.version;
      }
      if (dirname(dir) === dir) return 'unknown';
    }
  } catch {
    return 'unknown';
  }
}
