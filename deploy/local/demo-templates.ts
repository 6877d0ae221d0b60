import { DEMO_TEMPLATES } from '@cairn/runner';

/**
 * Registers the runner's demo templates through the API as a facility admin. Idempotent: a version that
 * is registered already (409) is what a second start finds.
 */
export async function registerDemoTemplates(edgeUrl: string, adminToken: string, log: (line: string) => void): Promise<void> {
  for (const template of DEMO_TEMPLATES) {
    const name = `${template.name}@${template.version}`;
    const response = await fetch(`${edgeUrl}/api/job-templates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(template),
    }).catch((error: Error) => error);
    if (response instanceof Error) log(`template ${name} not registered: ${response.message}`);
    else if (response.ok) log(`template ${name} registered`);
    else if (response.status === 409) log(`template ${name} registered before`);
    else {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
      log(`template ${name} not registered: ${response.status} ${problem.detail ?? problem.title ?? ''}`.trim());
    }
  }
}
