import type { BestJob } from '@cairn/contracts';

/** One section of the facility guide's "Suggested logbook template". */
export interface TemplateSection {
  id: 'goal' | 'best-jobs' | 'changes' | 'next-steps' | 'owner';
  heading: string;
  /** What the guide says belongs there. */
  hint: string;
}

/** Step 5 of the facility guide, in its order. */
export const LOGBOOK_TEMPLATE: readonly TemplateSection[] = [
  { id: 'goal', heading: 'Goal / Dataset', hint: 'What the project is for and the data it works on.' },
  { id: 'best-jobs', heading: 'Latest best job(s)', hint: 'Job ID(s) + short reason.' },
  { id: 'changes', heading: 'What changed', hint: 'Parameters / inputs.' },
  { id: 'next-steps', heading: 'Next steps / open questions', hint: 'What still needs doing.' },
  { id: 'owner', heading: 'Owner & date', hint: 'Who is responsible, and since when.' },
];

/** What the logbook can fill in for its writer: the project's owner(s), today, and the best jobs recorded so far. */
export interface TemplateFill {
  owners: readonly string[];
  /** `YYYY-MM-DD`. */
  date: string;
  bestJobs: readonly BestJob[];
}

export interface FilledSection extends TemplateSection {
  /** Markdown the section starts with; empty where only the writer can say. */
  text: string;
}

export function filledTemplate(fill: TemplateFill): FilledSection[] {
  const texts: Record<TemplateSection['id'], string> = {
    goal: '',
    'best-jobs': fill.bestJobs.map((job) => `- ${job.jobId}: ${job.reason}`).join('\n'),
    changes: '',
    'next-steps': '',
    owner: `${fill.owners.join(', ')}, ${fill.date}`,
  };
  return LOGBOOK_TEMPLATE.map((section) => ({ ...section, text: texts[section.id] }));
}

/** The template as a markdown entry body: one `##` heading per section, its text or the guide's hint. */
export function templateBody(fill: TemplateFill): string {
  return filledTemplate(fill)
    .map((section) => `## ${section.heading}\n\n${section.text || `_${section.hint}_`}\n`)
    .join('\n');
}
