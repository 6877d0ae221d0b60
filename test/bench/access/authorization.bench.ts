import { performance } from 'node:perf_hooks';
import { CAPABILITIES, type Capability } from '@cairn/contracts';
import { AccessModel } from '@cairn/auth';
// The model is fed what the access service's own deciders produce (see the story's header).
import { AccessStory } from '@cairn/access-service';
import { exitWith } from '../exit-with';

/**
 * Authorization decisions per second of `AccessModel.can()` on one core, the check every request of
 * every service makes (docs/architecture.md §4). Target: at least 1,000,000 decisions/s. The questions hop between
 * 65,536 random (project, user, capability) triples, so the maps are mostly read from outside the CPU's
 * nearest caches: a harder case than a service's requests, which ask about few projects at a time.
 */

const LABS = 20;
const MEMBERS_PER_LAB = 60;
const PROJECTS_PER_LAB = 50;
/** Explicit permissions per project besides its creator's; the other members have the base level or nothing. */
const GRANTS_PER_PROJECT = 49;
const DECISIONS = 5_000_000;
const ROUNDS = 5;
const TARGET_PER_SECOND = 1_000_000;
const LAB_ROLES = ['viewer', 'commenter', 'experimenter', 'none', 'owner'];
const FACILITY_ROLES = ['viewer', 'member', 'manager'];
const LAB_BASE_LEVELS = ['none', 'viewer', 'commenter', 'experimenter'];

const labId = (lab: number) => `lab-${lab}`;
const userId = (lab: number, member: number) => `u-${lab}-${member}`;

/** 1,000 projects in 20 labs of 60 members, half in each scheme, 50 people with an explicit permission on each. */
function buildStory(): { story: AccessStory; projects: string[]; projectLab: number[] } {
  const story = new AccessStory();
  const projects: string[] = [];
  const projectLab: number[] = [];
  for (let lab = 0; lab < LABS; lab++) {
    story.createLab(labId(lab), userId(lab, 0));
    for (let member = 1; member < MEMBERS_PER_LAB; member++) story.addMember(labId(lab), userId(lab, 0), userId(lab, member));
    for (let index = 0; index < PROJECTS_PER_LAB; index++) {
      const projectId = `p-${lab}-${index}`;
      const creator = index % MEMBERS_PER_LAB;
      const labScheme = index % 2 === 0;
      story.createProject(projectId, labId(lab), labScheme ? 'lab' : 'facility', userId(lab, creator), labScheme ? LAB_BASE_LEVELS[index % LAB_BASE_LEVELS.length] : undefined);
      const roles = labScheme ? LAB_ROLES : FACILITY_ROLES;
      for (let grant = 1; grant <= GRANTS_PER_PROJECT; grant++) {
        story.setRole(projectId, userId(lab, creator), userId(lab, (creator + grant) % MEMBERS_PER_LAB), roles[(index + grant) % roles.length]);
      }
      projects.push(projectId);
      projectLab.push(lab);
    }
  }
  return { story, projects, projectLab };
}

/** A fixed pseudo-random sequence (xorshift32), so every run asks the same questions. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export async function run(): Promise<void> {
  const built = performance.now();
  const { story, projects, projectLab } = buildStory();
  const events = story.envelopes;
  const buildMs = performance.now() - built;

  const replayStart = performance.now();
  const model = new AccessModel();
  for (const event of events) model.apply(event);
  const replayMs = performance.now() - replayStart;

  // Questions are drawn beforehand, so the timed loop measures decisions only: mostly lab members of
  // the project's lab, some people of another lab.
  const QUESTIONS = 1 << 16;
  const next = random(0x5eed);
  const questionProject: string[] = [];
  const questionUser: string[] = [];
  const questionCapability: Capability[] = [];
  for (let i = 0; i < QUESTIONS; i++) {
    const project = Math.floor(next() * projects.length);
    const lab = next() < 0.9 ? projectLab[project] : Math.floor(next() * LABS);
    questionProject.push(projects[project]);
    questionUser.push(userId(lab, Math.floor(next() * MEMBERS_PER_LAB)));
    questionCapability.push(CAPABILITIES[Math.floor(next() * CAPABILITIES.length)]);
  }
  const decide = (count: number): number => {
    let allowed = 0;
    for (let i = 0; i < count; i++) {
      const q = i & (QUESTIONS - 1);
      if (model.can(questionProject[q], questionUser[q], questionCapability[q])) allowed++;
    }
    return allowed;
  };

  // Timed by the process's CPU time, not the wall clock: on a shared machine the wall clock also counts
  // the time other processes had the core. Several rounds; the best one is the least disturbed.
  decide(DECISIONS / ROUNDS);
  const rounds: number[] = [];
  let allowed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const cpuStart = process.cpuUsage();
    allowed += decide(DECISIONS / ROUNDS);
    const cpu = process.cpuUsage(cpuStart);
    rounds.push(DECISIONS / ROUNDS / ((cpu.user + cpu.system) / 1e6));
  }
  rounds.sort((a, b) => a - b);
  const best = rounds[rounds.length - 1];
  const median = rounds[Math.floor(rounds.length / 2)];

  const format = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`authorization model: ${projects.length} projects, ${LABS * MEMBERS_PER_LAB} people, ${format(events.length)} access events (built by the deciders in ${format(buildMs)} ms)`);
  console.log(`  replay: ${format(events.length)} events applied in ${format(replayMs)} ms = ${format(events.length / (replayMs / 1000))} events/s`);
  console.log(
    `  can(): ${format(DECISIONS)} decisions in ${ROUNDS} rounds, ${((100 * allowed) / DECISIONS).toFixed(0)}% allowed: ` +
      `best ${format(best)}/s, median ${format(median)}/s per CPU second of one core; ` +
      `target >= ${format(TARGET_PER_SECOND)}/s: median ${(median / TARGET_PER_SECOND).toFixed(1)}x the target, ${median >= TARGET_PER_SECOND ? 'met' : 'NOT MET'}`,
  );
}

if (require.main === module) exitWith(run());
