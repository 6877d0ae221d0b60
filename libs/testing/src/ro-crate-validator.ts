import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { toolsBinDir } from './tools';

/** The version `deploy/local/install-tools.sh --for-tests` installs. */
const ROC_VALIDATOR_VERSION = '0.13.0';
const PROFILE = 'process-run-crate-0.5';

function validatorDir(): string {
  return join(dirname(toolsBinDir()), `roc-validator-${ROC_VALIDATOR_VERSION}`);
}

/** Why the RO-Crate validator cannot run here, or undefined when it can. */
export function rocValidatorUnavailableReason(): string | undefined {
  const dir = validatorDir();
  if (!existsSync(join(dir, 'bin', 'rocrate-validator'))) return `roc-validator is not installed at ${dir}: run 'bash deploy/local/install-tools.sh --for-tests'`;
  if (!existsSync(join(dir, 'http-cache.sqlite'))) return `roc-validator's offline cache (the RO-Crate 1.1 context) is missing at ${dir}: run 'bash deploy/local/install-tools.sh --for-tests'`;
  return undefined;
}

export interface CrateIssue {
  severity: string;
  check: string;
  message: string;
}

export interface CrateValidation {
  /** The validator's verdict at the level asked for. */
  passed: boolean;
  issues: CrateIssue[];
  /** Checks it did not run, with why: must be none for a verdict to mean anything. */
  skipped: { check: string; severity: string; reason: string }[];
  checks: { passed: number; failed: number; skipped: number };
  /** One line as the report quotes it. */
  summary: string;
}

/**
 * Validates the crate folder (or zip) against the Process Run Crate profile at `level` with the community's
 * `rocrate-validator`, offline: every HTTP request is served from the cache the tools script filled (the
 * RO-Crate 1.1 JSON-LD context); anything else it would fetch (a crate's web-based data entities) is a
 * cache miss, reported by the availability check.
 */
export async function validateCrate(crate: string, level: 'required' | 'recommended'): Promise<CrateValidation> {
  const dir = validatorDir();
  const report = join(mkdtempSync(join(tmpdir(), 'cairn-crate-report-')), 'report.json');
  const args = ['-y', '--disable-color', 'validate', '--offline', '--cache-path', join(dir, 'http-cache'), '-p', PROFILE, '-l', level, '--no-paging', '-f', 'json', '-o', report, crate];
  // Exit code 1 is "not valid": the report says why.
  await promisify(execFile)(join(dir, 'bin', 'rocrate-validator'), args, { env: { ...process.env, COLUMNS: '200' }, maxBuffer: 16 * 1024 * 1024 }).catch((error: { code?: number }) => {
    if (error.code !== 1) throw error;
  });
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    passed: boolean;
    issues: { severity: string; check: { identifier: string }; message: string }[];
    skipped_check_details: { identifier: string; severity: string; message: string }[];
    statistics: { total_passed_checks: number; total_failed_checks: number; total_skipped_checks: number };
  };
  const checks = { passed: json.statistics.total_passed_checks, failed: json.statistics.total_failed_checks, skipped: json.statistics.total_skipped_checks };
  const issues = json.issues.map((issue) => ({ severity: issue.severity, check: issue.check.identifier, message: issue.message }));
  return {
    passed: json.passed,
    issues,
    skipped: json.skipped_check_details.map((check) => ({ check: check.identifier, severity: check.severity, reason: check.message })),
    checks,
    summary: `roc-validator ${ROC_VALIDATOR_VERSION}, ${PROFILE} at ${level.toUpperCase()}: ${json.passed ? 'valid' : 'NOT valid'}; checks passed ${checks.passed}, failed ${checks.failed}, skipped ${checks.skipped}; issues ${issues.length}`,
  };
}
