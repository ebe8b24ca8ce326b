import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository's root: the nearest folder above this compiled script with package.json and test/fixtures (else the working directory). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}
