import { StaleVersionError, type LogbookEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { logbookDecider, type AddEntry, type RecordBestJobs, type ReviseEntry } from './logbook';

const spec = deciderSpec(logbookDecider);

/** Jobs the logbook has seen requested: two of project p1, one of another project. */
const knownJobs = new Map([
  ['job-1', 'p1'],
  ['job-2', 'p1'],
  ['job-elsewhere', 'p2'],
]);

const addEntry = (overrides: Partial<AddEntry> = {}): AddEntry => ({
  type: 'AddEntry',
  projectId: 'p1',
  entryId: 'e1',
  title: 'Phasing',
  body: 'Molecular replacement with 1LYZ.',
  knownJobs,
  actor: 'u-bob',
  ...overrides,
});

const revise = (overrides: Partial<ReviseEntry> = {}): ReviseEntry => ({
  type: 'ReviseEntry',
  projectId: 'p1',
  entryId: 'e1',
  expectedVersion: 1,
  body: 'Molecular replacement with 1LYZ; R-free 0.24.',
  knownJobs,
  actor: 'u-carol',
  ...overrides,
});

const recordBest = (overrides: Partial<RecordBestJobs> = {}): RecordBestJobs => ({
  type: 'RecordBestJobs',
  projectId: 'p1',
  jobIds: ['job-2'],
  reason: 'GPU render, cartoon style',
  knownJobs,
  actor: 'u-bob',
  ...overrides,
});

const added: LogbookEvent = {
  type: 'logbook.entry.added.v1',
  data: { projectId: 'p1', entryId: 'e1', version: 1, title: 'Phasing', body: 'Molecular replacement with 1LYZ.', jobRefs: [], fromTemplate: false, actor: 'u-bob' },
};
const revised: LogbookEvent = {
  type: 'logbook.entry.revised.v1',
  data: { projectId: 'p1', entryId: 'e1', version: 2, title: 'Phasing', body: 'Molecular replacement with 1LYZ; R-free 0.24.', jobRefs: [], actor: 'u-carol' },
};
const bestRecorded: LogbookEvent = {
  type: 'logbook.best-jobs.recorded.v1',
  data: { projectId: 'p1', jobs: [{ jobId: 'job-2', reason: 'GPU render, cartoon style' }], actor: 'u-bob' },
};

describe('Logbook: "Each project has a Logbook where the team can write"', () => {
  describe('entries', () => {
    it('a writer adds a markdown entry with a title; it is the entry’s version 1', () => {
      spec.given([]).when(addEntry()).then([added]);
    });

    it('the title is trimmed; the markdown body is kept as written', () => {
      const [event] = logbookDecider.decide(addEntry({ title: '  Phasing ', body: '  - indented\n\n' }), logbookDecider.initialState());
      expect(event.data).toMatchObject({ title: 'Phasing', body: '  - indented\n\n' });
    });

    it.each([
      ['a blank body', { body: ' \n ' }, 'body', 'fields.text-required'],
      ['a body over 50,000 characters', { body: 'x'.repeat(50_001) }, 'body', 'fields.text-too-long'],
      ['a blank title', { title: '  ' }, 'title', 'fields.text-required'],
      ['a title over 200 characters', { title: 't'.repeat(201) }, 'title', 'fields.text-too-long'],
    ])('refuses %s, naming the field', (_case, change, field, rule) => {
      const refusal = spec.given([]).when(addEntry(change)).thenThrows(rule, 'invalid');
      expect(refusal.details).toEqual({ errors: [{ field, message: expect.any(String) }] });
    });

    it('the fields are checked in their order: a bad title is named though the body is missing too', () => {
      const refusal = spec.given([]).when(addEntry({ title: 't'.repeat(201), body: undefined })).thenThrows('fields.text-too-long', 'invalid');
      expect(refusal.details).toEqual({ errors: [{ field: 'title', message: expect.any(String) }] });
    });

    it('an entry id is used once', () => {
      spec.given([added]).when(addEntry()).thenThrows('logbook.entry-exists', 'conflict');
    });
  });

  describe('"Which job IDs correspond to key results": job references', () => {
    it('an entry refers to jobs of its project, each once', () => {
      const [event] = logbookDecider.decide(addEntry({ jobRefs: ['job-1', 'job-2', 'job-1'] }), logbookDecider.initialState());
      expect(event.data).toMatchObject({ jobRefs: ['job-1', 'job-2'] });
    });

    it('a job the logbook has not seen, or one of another project, is refused with 400 naming it', () => {
      const refusal = spec
        .given([])
        .when(addEntry({ jobRefs: ['job-1', 'job-unknown', 'job-elsewhere'] }))
        .thenThrows('logbook.job-not-in-project', 'invalid');
      expect(refusal.details).toEqual({
        errors: [
          { field: 'jobRefs[1]', message: 'job job-unknown is not a job of this project' },
          { field: 'jobRefs[2]', message: 'job job-elsewhere is not a job of this project' },
        ],
        refusedJobIds: ['job-unknown', 'job-elsewhere'],
      });
    });
  });

  describe('"Every revision is kept": revising an entry', () => {
    it('given the version the writer saw, a new body becomes the next version, with the unchanged title and job references', () => {
      spec.given([added]).when(revise()).then([revised]);
    });

    it('given a version someone else has revised since, is refused as stale, naming the current version', () => {
      const refusal = spec.given([added, revised]).when(revise({ body: 'Other text' })).thenThrows('logbook.entry-version-stale', 'conflict');
      expect(refusal.details).toEqual({ entryId: 'e1', currentVersion: 2 });
      // The version the writer named, for the HTTP layer to tell If-Match's 412 from expectedVersion's 409.
      expect(refusal).toBeInstanceOf(StaleVersionError);
      expect((refusal as StaleVersionError).expectedVersion).toBe(1);
    });

    it('without the version the writer saw, is refused naming expectedVersion', () => {
      const refusal = spec.given([added]).when(revise({ expectedVersion: undefined })).thenThrows('logbook.entry-version-required', 'invalid');
      expect(refusal.details).toEqual({ errors: [{ field: 'expectedVersion', message: expect.any(String) }] });
    });

    it('the fields given are checked first: a bad one is named though the version is missing or stale too', () => {
      const missing = spec.given([added]).when(revise({ expectedVersion: undefined, title: 't'.repeat(201) })).thenThrows('fields.text-too-long', 'invalid');
      expect(missing.details).toEqual({ errors: [{ field: 'title', message: expect.any(String) }] });
      const stale = spec.given([added, revised]).when(revise({ body: ' ' })).thenThrows('fields.text-required', 'invalid');
      expect(stale.details).toEqual({ errors: [{ field: 'body', message: expect.any(String) }] });
    });

    it('the version is the entry’s own: adding or revising another entry does not make it stale', () => {
      const other: LogbookEvent = { ...added, data: { ...added.data, entryId: 'e2' } };
      spec.given([added, other]).when(revise()).then([revised]);
    });

    it('a revision that changes nothing records nothing', () => {
      spec.given([added]).when(revise({ body: added.data.body, title: 'Phasing' })).then([]);
    });

    it('an unknown entry cannot be revised', () => {
      spec.given([]).when(revise()).thenThrows('logbook.entry-not-found', 'not-found');
    });

    it('new job references are checked like those of a new entry', () => {
      spec.given([added]).when(revise({ jobRefs: ['job-elsewhere'] })).thenThrows('logbook.job-not-in-project', 'invalid');
    });
  });

  describe('"Suggested logbook template": a first entry from the template', () => {
    it('has the five sections of the guide, the owner and date filled in', () => {
      const [event] = logbookDecider.decide(
        addEntry({ body: undefined, title: 'Logbook', template: { owners: ['alice (Alice Ash)'], date: '2026-03-02' } }),
        logbookDecider.initialState(),
      );
      expect(event.data).toMatchObject({ fromTemplate: true, version: 1 });
      const { body } = event.data as { body: string };
      expect(body.match(/^## .*$/gm)).toEqual([
        '## Goal / Dataset',
        '## Latest best job(s)',
        '## What changed',
        '## Next steps / open questions',
        '## Owner & date',
      ]);
      expect(body).toContain('## Owner & date\n\nalice (Alice Ash), 2026-03-02\n');
    });

    it('lists the best jobs recorded so far, each with its reason', () => {
      const [event] = logbookDecider.decide(
        addEntry({ body: undefined, template: { owners: ['alice'], date: '2026-03-02' } }),
        [bestRecorded].reduce(logbookDecider.evolve, logbookDecider.initialState()),
      );
      expect((event.data as { body: string }).body).toContain('## Latest best job(s)\n\n- job-2: GPU render, cartoon style\n');
    });

    it('is the body: a body given as well is refused', () => {
      spec
        .given([])
        .when(addEntry({ template: { owners: ['alice'], date: '2026-03-02' } }))
        .thenThrows('logbook.template-or-body', 'invalid');
    });
  });

  describe('"Record “best run” job IDs in the logbook": best jobs', () => {
    it('records the latest best job(s), each with the short reason', () => {
      spec.given([added]).when(recordBest()).then([bestRecorded]);
    });

    it('a new record replaces the latest best jobs; recording the same again records nothing', () => {
      spec.given([bestRecorded]).when(recordBest()).then([]);
      spec
        .given([bestRecorded])
        .when(recordBest({ jobIds: ['job-1', 'job-2'] }))
        .then([{ ...bestRecorded, data: { ...bestRecorded.data, jobs: [{ jobId: 'job-1', reason: 'GPU render, cartoon style' }, { jobId: 'job-2', reason: 'GPU render, cartoon style' }] } }]);
    });

    it('a job of another project, or one never seen, is refused naming it', () => {
      const refusal = spec.given([]).when(recordBest({ jobIds: ['job-elsewhere'] })).thenThrows('logbook.job-not-in-project', 'invalid');
      expect(refusal.details).toMatchObject({ errors: [{ field: 'jobIds[0]', message: 'job job-elsewhere is not a job of this project' }] });
    });

    it.each([
      ['no job', { jobIds: [] }, 'jobIds', 'logbook.best-jobs-required'],
      ['no reason', { reason: ' ' }, 'reason', 'fields.text-required'],
      ['a reason that is not short', { reason: 'r'.repeat(501) }, 'reason', 'fields.text-too-long'],
    ])('refuses %s, naming the field', (_case, change, field, rule) => {
      const refusal = spec.given([]).when(recordBest(change)).thenThrows(rule, 'invalid');
      expect(refusal.details).toEqual({ errors: [{ field, message: expect.any(String) }] });
    });
  });
});
