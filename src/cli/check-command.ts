import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CatalogOptions } from '../core/requirement';
import { checkModel, type CheckResult, type CheckSettings, type OptionOrigins } from '../core/check/check-model';
import { applyEdits, fixAll, type TextEdit } from '../core/fix/fix-nsg';
import { fixAllFirewalls } from '../core/fix/fix-firewall';
import { buildReport, type Locate } from '../core/check/check-report';
import { buildSarif } from '../core/check/sarif';
import type { ServiceTagPrefixes } from '../core/evaluation-context';
import { readWorkspace, type Reader, type SourceFile } from '../core/read/read-workspace';
import { loadServiceTagPrefixes } from '../core/service-tag-prefixes';
import { LineIndex } from '../core/text/line-index';
import { findTemplateFiles, MAX_FILE_BYTES, tooLargeMessage } from '../host/template-files';
import { formatCheckText } from './format-check-text';
import { AZURE_HELP, checkAzure, subscriptionIds } from './azure-check';
import type { CliIo, Command } from './main';
import {
  BOOLEAN_FLAGS,
  CATALOG_FLAGS,
  CATALOG_FLAGS_HELP,
  CATALOG_FLAGS_NOTE,
  catalogFromFlags,
  guarded,
  parseFlagsAndPaths,
  UsageError,
  type FlagSpec,
  type Values,
} from './requirements-command';

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;

export { findTemplateFiles, MAX_FILE_BYTES } from '../host/template-files';

const DOCS = 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall';

const CHECK_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CATALOG_FLAGS,
  strict: { type: 'boolean' },
  scope: { type: 'string' },
  format: { type: 'string' },
  'service-tags': { type: 'string' },
  verbose: { type: 'boolean' },
  fix: { type: 'boolean' },
  help: { type: 'boolean' },
  azure: { type: 'boolean' },
  subscription: { type: 'string', multiple: true } as FlagSpec,
};

function originsFrom(values: Values, configOptions: Partial<CatalogOptions> | undefined): OptionOrigins {
  const origins: Record<string, 'flag' | 'config'> = {};
  for (const key of Object.keys(configOptions ?? {})) origins[key] = 'config';
  for (const [flag, option] of Object.entries(BOOLEAN_FLAGS)) if (typeof values[flag] === 'boolean') origins[option] = 'flag';
  for (const flag of ['cloud', 'region', 'packages'] as const) if (typeof values[flag] === 'string') origins[flag] = 'flag';
  return origins as OptionOrigins;
}

/** One pass: find the files, read them, check them. */
interface CheckRun {
  readonly result: CheckResult;
  /** Every file read, by the path messages use (entries, modules, linked templates, parameter files). */
  readonly texts: Map<string, string>;
  readonly sources: readonly SourceFile[];
}

function checkOnce(paths: readonly string[], cwd: string, readers: readonly Reader[], settings: CheckSettings): CheckRun {
  const { files, missing } = findTemplateFiles(paths, cwd);
  if (missing.length) throw new UsageError(`amlnet check: no such file or folder: ${missing.join(', ')}`);
  const texts = new Map<string, string>();
  const tooLarge: string[] = [];
  const read = (path: string): string | undefined => {
    if (texts.has(path)) return texts.get(path);
    const abs = isAbsolute(path) ? path : join(cwd, path);
    try {
      if (statSync(abs).size > MAX_FILE_BYTES) {
        tooLarge.push(path);
        return undefined;
      }
      const text = readFileSync(abs, 'utf8');
      texts.set(path, text);
      return text;
    } catch {
      return undefined;
    }
  };
  const sources: SourceFile[] = [];
  for (const f of files) {
    const text = read(f);
    if (text !== undefined) sources.push({ path: f, text });
  }
  const model = readWorkspace(sources, { readFile: read }, readers);
  const problems = [
    ...model.problems,
    ...tooLarge.map((file) => ({ file, severity: 'error' as const, message: tooLargeMessage() })),
  ];
  return { result: checkModel({ ...model, problems }, { ...settings, sourceText: (file) => texts.get(file) }), texts, sources };
}

/**
 * `--fix`: inserts the missing rules into the files on disk. Each file is written whole to a
 * temporary file beside it and renamed over it, so an interrupted run never leaves half a file.
 * Reports to stderr (stdout stays the report, so JSON and SARIF remain parseable). Returns how
 * many files changed.
 */
function applyFixes(run: CheckRun, settings: CheckSettings, io: CliIo): number {
  // A requirement suppressed in the source is left as it is.
  const checks = run.result.nsgs.map((n) => (n.suppressed ? { ...n, verdicts: n.verdicts.filter((v) => !n.suppressed!.requirements.has(v.id)) } : n));
  const fix = fixAll(checks, run.texts, { includeAllowedByDefault: settings.strict, includeOutOfScope: settings.scope === 'all' });
  // Firewalls that routes lead to: the missing network and application rules.
  const fwFix = fixAllFirewalls(run.result.firewalls ?? [], run.texts, { includeOutOfScope: settings.scope === 'all' });
  const byFile = new Map<string, TextEdit[]>();
  for (const e of [...fix.edits, ...fwFix.edits]) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    const text = run.texts.get(file);
    if (text === undefined) continue;
    const abs = isAbsolute(file) ? file : join(io.cwd, file);
    const tmp = `${abs}.amlnet-${process.pid}.tmp`;
    writeFileSync(tmp, applyEdits(text, edits));
    renameSync(tmp, abs);
  }
  for (const r of fix.rules) io.stderr(`amlnet check --fix: added ${r.direction.toLowerCase()} rule ${r.name} (priority ${r.priority})\n`);
  for (const k of fix.skipped) io.stderr(`amlnet check --fix: not fixed: ${k.nsg} ${k.requirementId}: ${k.reason}\n`);
  for (const r of fwFix.rules) io.stderr(`amlnet check --fix: added ${r.kind} rule ${r.rule} to ${r.firewall}/${r.collection}${r.newCollectionPriority !== undefined ? ` (new collection, priority ${r.newCollectionPriority})` : ''}\n`);
  for (const k of fwFix.skipped) io.stderr(`amlnet check --fix: not fixed: firewall of ${k.subnet} ${k.requirementId}: ${k.reason}\n`);
  const count = fix.rules.length + fwFix.rules.length;
  io.stderr(`amlnet check --fix: ${count} rule${count === 1 ? '' : 's'} added in ${byFile.size} file${byFile.size === 1 ? '' : 's'}; checking again\n`);
  return byFile.size;
}

/** Builds `amlnet check` over the given readers (one per template language). */
export function makeCheckCommand(readers: readonly Reader[], toolVersion: () => string): Command {
  return {
    name: 'check',
    summary: 'Check the NSGs declared in Bicep and ARM templates against the requirements',
    help: [
      'Usage: amlnet check [paths...] [options]',
      '',
      'Reads the Bicep (.bicep, .bicepparam) and ARM JSON templates under the paths (default: the',
      'current folder), and prints, per VNet > subnet > NSG, each requirement\'s verdict with the',
      'file:line of the rule that decides it.',
      '',
      'Options:',
      ...CATALOG_FLAGS_HELP,
      '  --strict                  Count only explicit allows: allowed-by-default fails',
      '  --scope auto|all          auto (default): NSGs Azure ML uses, that carry an AzureMachineLearning',
      '                            rule, or that are marked with // amlnet-check; all: every NSG',
      '  --service-tags FILE       Azure\'s Service Tags JSON, to judge CIDR rules against service tags',
      '  --fix                     Insert the missing rules into the templates (in their own style, at a',
      '                            priority below every blocking rule), then check again',
      '  --format text|json|sarif  Output format (default text)',
      '  --verbose                 Text: also show NSGs out of scope, not-applicable requirements and every port',
      ...AZURE_HELP,
      '  -h, --help                Show this help',
      '',
      CATALOG_FLAGS_NOTE,
      'Options declared in the templates (a compute\'s enableNodePublicIp, a workspace\'s hbiWorkspace, an',
      'NSG\'s location) win over flags; the report says where each option came from.',
      'Exit codes: 0 nothing in scope is blocked or partial, 1 something is, 2 usage error or unreadable input.',
      'With --azure, a subscription that cannot be read is reported under Problems (and on stderr) and the',
      'exit code follows the verdicts of the others; if none can be read, the exit code is 2.',
      '',
    ].join('\n'),
    run(args, io: CliIo) {
      let azure: Promise<number> | undefined;
      const code = guarded(io, () => {
        const { values, positionals } = parseFlagsAndPaths('check', args, CHECK_FLAGS);
        if (values.help) {
          io.stdout(this.help);
          return EXIT_PASS;
        }
        const format = values.format ?? 'text';
        if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`amlnet check: --format "${String(format)}" is not one of text, json, sarif`);
        const scope = values.scope ?? 'auto';
        if (scope !== 'auto' && scope !== 'all') throw new UsageError(`amlnet check: --scope "${String(scope)}" is not one of auto, all`);
        const { edition, options, config } = catalogFromFlags('check', values, io);
        let serviceTags: ServiceTagPrefixes | undefined;
        if (typeof values['service-tags'] === 'string') {
          const path = values['service-tags'];
          let json: unknown;
          try {
            json = JSON.parse(io.readFile(isAbsolute(path) ? path : join(io.cwd, path)));
          } catch (e) {
            throw new UsageError(`amlnet check: cannot read --service-tags ${path}: ${(e as Error).message}`);
          }
          const loaded = loadServiceTagPrefixes(json);
          if (loaded.prefixes.size === 0) throw new UsageError(`amlnet check: --service-tags ${path}: ${loaded.errors[0] ?? 'no service tags in it'}`);
          for (const err of loaded.errors.slice(0, 5)) io.stderr(`amlnet check: --service-tags ${path}: ${err}\n`);
          serviceTags = loaded.prefixes;
        }

        const paths = positionals.length ? positionals : ['.'];
        const settings = {
          edition,
          options,
          origins: originsFrom(values, config?.options),
          scope: scope as 'auto' | 'all',
          strict: values.strict === true,
          serviceTags,
        };
        if (values.subscription !== undefined && values.azure !== true) throw new UsageError('amlnet check: --subscription needs --azure');
        if (values.azure === true) {
          if (positionals.length) throw new UsageError('amlnet check --azure reads live subscriptions, not files: drop the paths');
          if (values.fix) throw new UsageError('amlnet check --azure: --fix writes templates; live NSGs are never changed');
          const subscriptions = subscriptionIds(values.subscription);
          azure = checkAzure({
            settings, subscriptions, format, verbose: values.verbose === true, serviceTagsFromFile: serviceTags !== undefined, docs: DOCS, toolVersion: toolVersion(),
          }, io);
          return EXIT_PASS;
        }
        let run = checkOnce(paths, io.cwd, readers, settings);
        if (values.fix) {
          const fixed = applyFixes(run, settings, io);
          if (fixed > 0) run = checkOnce(paths, io.cwd, readers, settings);
        }
        const { result, texts, sources } = run;
        const indexes = new Map<string, LineIndex>();
        const locate: Locate = (span) => {
          const text = texts.get(span.file);
          if (text === undefined) return { file: span.file, line: 1, column: 1 };
          let index = indexes.get(span.file);
          if (!index) indexes.set(span.file, (index = new LineIndex(text)));
          const { line, character } = index.positionAt(span.start);
          return { file: span.file, line: line + 1, column: character + 1 };
        };
        const report = buildReport(result, locate, toolVersion());
        if (format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else if (format === 'sarif') io.stdout(`${JSON.stringify(buildSarif(report, edition, DOCS), null, 2)}\n`);
        else io.stdout(sources.length ? formatCheckText(report, values.verbose === true) : 'No Bicep or ARM templates found.\n');
        return result.failing ? EXIT_FAIL : EXIT_PASS;
      });
      return azure ?? code;
    },
  };
}
