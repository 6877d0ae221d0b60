import type { Principal } from '@cairn/auth';
import { invalidField } from '@cairn/contracts';
import { commandHandler, loadAggregate, type EventStore } from '@cairn/event-store';
import type { Page } from '@cairn/http';
import { pageBy, prefixOf, type ReadModelCollections, type ReadModelDocument } from '@cairn/read-models';
import { parseTemplateRef, templateDecider, templateRefOf, type RegisterTemplate, type TemplateState, type TemplateVersion } from '../domain/template';
import { JOB_TEMPLATES, templateDocumentOf, type JobTemplateDocument } from '../projections';
import { templateIdOf, templateStream } from './streams';

/** A registration as the API takes it: the command without what the service fills in. */
export type RegisterTemplateInput = Omit<RegisterTemplate, 'type' | 'templateId' | 'actor' | 'actorIsFacilityAdmin' | 'mappedMachines'>;

/** A template version as the list shows it. */
export type TemplateView = Omit<TemplateVersion, 'templateId'> & {
  id: string;
  /** `name@version`: what a run names. */
  ref: string;
  registeredAt: string;
};

/** Job templates: registration by a facility admin, the list, and the version a run pins. */
export class TemplatesService {
  private readonly handle;

  constructor(
    private readonly store: EventStore,
    private readonly collections: ReadModelCollections,
    /** The machine types the runners announced they map (runner protocol, 3a). */
    private readonly mappedMachines: () => Promise<ReadonlySet<string>>,
  ) {
    this.handle = commandHandler(store, templateDecider, templateStream);
  }

  async register(principal: Principal, input: RegisterTemplateInput) {
    const templateId = templateIdOf(input.name);
    const outcome = await this.handle(
      templateId,
      { type: 'RegisterTemplate', templateId, ...input, actor: principal.userId, actorIsFacilityAdmin: principal.isFacilityAdmin, mappedMachines: [...(await this.mappedMachines())] },
      { actor: principal.userId },
    );
    // The answer is the version's list item, as `job_templates` will hold it once it has the event.
    return { position: outcome.position, template: viewOf(templateDocumentOf(outcome.events[0].data, outcome.time!)) };
  }

  /** Every version, the newest registration first; `name` is a case-insensitive prefix. */
  async list(query: { name?: string; limit: number; cursor?: string }): Promise<Page<TemplateView>> {
    const collection = await this.collections.resolve<ReadModelDocument>(JOB_TEMPLATES);
    const filter = query.name ? { nameLower: prefixOf(query.name) } : {};
    const page = await pageBy<JobTemplateDocument>(collection, filter, 'registeredAt', query.limit, query.cursor, 'descending');
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  /**
   * The version a run pins: `name@version`, or `name` alone for the version registered last. Read from
   * the template's own stream, never a read model: a version registered a moment ago is runnable.
   * Unknown: 400 on `field`.
   */
  async resolve(ref: string, field = 'template'): Promise<TemplateVersion> {
    const { name, version } = parseTemplateRef(ref);
    const state = await this.load(name);
    const resolved = version ?? state.latest;
    const template = resolved === undefined ? undefined : state.versions.get(resolved);
    if (!template) {
      const known = [...state.versions.keys()];
      throw invalidField('jobs.template-unknown', field, known.length > 0 ? `${name} has no version ${version} (it has ${known.join(', ')})` : `there is no job template ${ref}`);
    }
    return template;
  }

  /** Every version of the template a job pinned, in registration order. */
  async versionsOf(name: string): Promise<TemplateState> {
    return this.load(name);
  }

  private async load(name: string): Promise<TemplateState> {
    return (await loadAggregate(this.store, templateStream(templateIdOf(name)), templateDecider)).state;
  }
}

/** A stored version as the list shows it; `_position` is the read model's bookkeeping, never part of the item. */
function viewOf({ _id, _position, templateId: _template, nameLower: _lower, parametersJson, ...fields }: JobTemplateDocument & { _position?: number }): TemplateView {
  return { id: _id, ref: templateRefOf(fields), ...fields, parameters: JSON.parse(parametersJson) };
}
