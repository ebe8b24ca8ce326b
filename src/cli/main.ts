import { existsSync, readFileSync } from 'node:fs';
import { nearest } from '../core/suggest';
import { tuneRuntime } from '../host/runtime';
import { toolVersion } from '../host/tool-version';
import { armTemplateReader } from '../core/arm/arm-template-reader';
import { bicepReader } from '../core/bicep/bicep-reader';
import type { AzureCliHooks } from './azure-check';
import { makeCheckCommand } from './check-command';
import { editionsCommand, requirementsCommand } from './requirements-command';

/** What a command reads and writes; tests and other hosts can supply their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Relative paths (e.g. `--config`) resolve against this. */
  readonly cwd: string;
  /** Reads a UTF-8 file; throws like `fs.readFileSync` when it cannot. */
  readonly readFile: (path: string) => string;
  readonly exists: (path: string) => boolean;
  /** `check --azure`: a credential and endpoint instead of DefaultAzureCredential and the cloud's (tests). */
  readonly azure?: AzureCliHooks;
}

/** One subcommand, `amlnet <name> ...`: an entry in the command table. */
export interface Command {
  readonly name: string;
  /** One line for `amlnet --help`. */
  readonly summary: string;
  /** The full `amlnet <name> --help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): number | Promise<number>;
}

/** Exit codes: success, and a usage error or bad input (unknown flag, bad config, ...). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

/** The commands, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [makeCheckCommand([bicepReader, armTemplateReader], () => version()), requirementsCommand, editionsCommand];

/** The version in package.json, found above this file (it is `dist/cli.js` when bundled, `out/src/cli/main.js` when compiled). */
export function version(): string {
  return toolVersion(__dirname);
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'amlnet: checks whether NSGs let Azure Machine Learning compute work.',
    '',
    'Usage: amlnet <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show this help; `amlnet <command> --help` shows a command\'s options',
    '  -v, --version  Show the version',
    '',
    'Exit codes: 0 success, 2 usage error or bad input.',
    '',
  ].join('\n');
}

/** Runs `amlnet` with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(mainHelp());
    return EXIT_USAGE;
  }
  if (first === '-h' || first === '--help') {
    io.stdout(mainHelp());
    return EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    io.stdout(`${version()}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout(target ? target.help : mainHelp());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const names = COMMANDS.map((c) => c.name);
    const near = first.startsWith('-') ? undefined : nearest(first, names);
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`;
    io.stderr(`amlnet: ${what}${near ? ` (did you mean "${near}"?)` : ''}; commands: ${names.join(', ')}. Run amlnet --help.\n`);
    return EXIT_USAGE;
  }
  return command.run(rest, io);
}

/** The real process: stdout, stderr, the working directory and the file system. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    readFile: (path) => readFileSync(path, 'utf8'),
    exists: (path) => existsSync(path),
  };
}

// bin/amlnet.js only requires the bundle, so the bundle starts itself when it is the program
// (directly or through bin/amlnet.js) and stays quiet when a test imports it.
const program = require.main?.filename ?? '';
if (require.main === module || /[\\/]bin[\\/]amlnet(\.js)?$/.test(program)) {
  tuneRuntime();
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      // exitCode, not exit(): piped stdout is flushed before the process ends.
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`amlnet: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
