import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const JOBS_CRATE_USAGE = `usage: npm run cairn -- jobs crate <jobId> [--out <file>] [--api <url>]
    Fetches the job's RO-Crate (Process Run Crate) with its outputs as a zip over the API, as the person whose
    token is in $TOKEN, and writes it to <file> (default cairn-job-<jobId>-ro-crate.zip). The API is the
    platform npm start runs unless --api or $CAIRN_API_URL names another. The crate names the people involved
    by username and display name.`;

export interface CrateDownload {
  jobId: string;
  out: string;
  apiUrl?: string;
}

/** `jobs crate <jobId> [--out f] [--api u]`; undefined when the words are not a `jobs crate` command. */
export function crateDownloadOf(argv: readonly string[]): CrateDownload | undefined {
  if (argv[0] !== 'jobs' || argv[1] !== 'crate') return undefined;
  const words: string[] = [];
  const options = new Map<string, string>();
  for (let index = 2; index < argv.length; index += 1) {
    const word = argv[index];
    if (word === '--out' || word === '--api') {
      const value = argv[index + 1];
      if (value === undefined) throw new Error(`${word} needs a value\n${JOBS_CRATE_USAGE}`);
      options.set(word.slice(2), value);
      index += 1;
    } else words.push(word);
  }
  if (words.length !== 1) throw new Error(`jobs crate needs one job id\n${JOBS_CRATE_USAGE}`);
  const [jobId] = words;
  return { jobId, out: options.get('out') ?? `cairn-job-${jobId}-ro-crate.zip`, ...(options.has('api') && { apiUrl: options.get('api') }) };
}

/** Writes the crate to `out` (through a temporary file, so a failed download leaves nothing); its size in bytes. */
export async function downloadCrate(apiUrl: string, token: string, { jobId, out }: CrateDownload): Promise<number> {
  const response = await fetch(`${apiUrl.replace(/\/+$/, '')}/api/jobs/${encodeURIComponent(jobId)}/ro-crate`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok || !response.body) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new Error(`GET /api/jobs/${jobId}/ro-crate answered ${response.status}: ${problem.detail ?? problem.title ?? response.statusText}`);
  }
  const partial = `${out}.part`;
  let size = 0;
  try {
    const counted = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).on('data', (chunk: Buffer) => (size += chunk.length));
    await pipeline(counted, createWriteStream(partial));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return size;
}
