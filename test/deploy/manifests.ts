import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_RUNNER_DRAIN_TIMEOUT_MS } from '@cairn/runner';
import { serviceConfigFromEnv } from '@cairn/runtime';
import { isProcessAlive, toolPath } from '@cairn/testing';

/**
 * What `kubectl apply -k` and `docker compose up` cannot check without a cluster or a Docker engine:
 * the rendered objects refer to each other correctly, every pod meets the `restricted` Pod Security
 * Standard, Cairn's containers are hardened and probed, and every router sends each path where
 * deploy/local/routes.ts does.
 */

export const REPO = join(__dirname, '..', '..');
export const OVERLAYS = ['local', 'production'];

/** Secrets holding credentials: created in the cluster, never rendered (production overlay). */
export const OPERATOR_SECRETS = new Set(['cairn-auth', 'cairn-stores', 'cairn-tls', 'cairn-runner-tokens', 'nats-auth', 'nats-tls', 'nats-credentials', 'nats-runner-credentials']);

// Rendered manifests are untyped YAML: every reader below checks the parts it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: any; stringData?: any };

/**
 * A copy of deploy/ with the secrets deploy/generate-secrets.sh writes on a user's machine (the local
 * overlay's Secrets are generated from them), fresh: the user's own are never read. Removed by `remove`.
 */
export function deployWithGeneratedSecrets(): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'cairn-deploy-'));
  cpSync(join(REPO, 'deploy'), join(root, 'deploy'), { recursive: true, filter: (source) => basename(source) !== 'secrets' });
  execFileSync('bash', [join(root, 'deploy', 'generate-secrets.sh')], { stdio: 'ignore' });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Where this Jest run keeps its renderings: one folder per run, named after the run's main process. */
const RENDERINGS = join(tmpdir(), 'cairn-rendered-overlays');
/** A rendering whose lock is older than this was abandoned (its worker died): another worker renders it. */
const ABANDONED_LOCK_MS = 120_000;

/**
 * The overlay as `kustomize build` renders it (with freshly generated secrets), rendered once per Jest
 * run: every test file that checks it (each in its own worker) reads the same rendering, instead of
 * spending a render (~17 s under load) of its own. The first file to ask renders it under a lock while
 * the others wait for the file.
 */
export function renderOverlay(overlay: string): K8sObject[] {
  const folder = join(RENDERINGS, String(jestRunPid()));
  mkdirSync(folder, { recursive: true });
  forgetFinishedRuns();
  const file = join(folder, `${overlay}.json`);
  const lock = join(folder, `${overlay}.lock`);
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as K8sObject[];
    if (!takeLock(lock)) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      const objects = renderNow(overlay);
      writeFileSync(`${file}.partial`, JSON.stringify(objects));
      renameSync(`${file}.partial`, file);
      return objects;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > ABANDONED_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** Jest's main process: the parent of a worker, or the process itself with --runInBand. */
function jestRunPid(): number {
  return process.env.JEST_WORKER_ID && process.ppid > 1 ? process.ppid : process.pid;
}

/** Renderings of runs whose process has ended (they hold throwaway generated secrets: remove them). */
function forgetFinishedRuns(): void {
  for (const pid of readdirSync(RENDERINGS)) {
    if (!isProcessAlive(Number(pid))) rmSync(join(RENDERINGS, pid), { recursive: true, force: true });
  }
}

function renderNow(overlay: string): K8sObject[] {
  const copy = deployWithGeneratedSecrets();
  try {
    const output = execFileSync(toolPath('kustomize'), ['build', join(copy.root, 'deploy', 'k8s', 'overlays', overlay)], { encoding: 'utf8' });
    return parseAllDocuments(output)
      .map((document) => document.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null);
  } finally {
    copy.remove();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readCompose(): any {
  // Compose anchors are merged with `<<`, which YAML 1.2 leaves to the reader.
  return parseAllDocuments(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true })[0].toJS({ maxAliasCount: 1000 });
}

export interface PodTemplate {
  owner: string;
  labels: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec: any;
}

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet'].includes(object.kind))
    .map((object) => ({ owner: `${object.kind}/${object.metadata.name}`, labels: object.spec.template.metadata.labels ?? {}, spec: object.spec.template.spec }));
}

export function byKind(objects: K8sObject[], kind: string): Map<string, K8sObject> {
  return new Map(objects.filter((object) => object.kind === kind).map((object) => [object.metadata.name, object]));
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Cairn's own workloads (the HTTP services, the runner and the console), as opposed to NATS and the stores. */
export function isCairnWorkload(template: PodTemplate): boolean {
  return ['api', 'runner', 'web'].includes(template.labels['app.kubernetes.io/component'] ?? '');
}

/** Problems with references between rendered objects (an empty list when there are none). */
export function referenceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const templates = podTemplates(objects);
  for (const [name, service] of byKind(objects, 'Service')) {
    const matching = templates.filter((template) => selects(service.spec.selector, template.labels));
    if (matching.length === 0) problems.push(`Service/${name} selects no pod template`);
    for (const port of service.spec.ports) {
      if (typeof port.targetPort !== 'string') continue;
      for (const template of matching) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const names = template.spec.containers.flatMap((container: any) => (container.ports ?? []).map((p: any) => p.name));
        if (!names.includes(port.targetPort)) problems.push(`Service/${name} targets port ${port.targetPort}, not a named port of ${template.owner}`);
      }
    }
  }
  for (const [name, budget] of byKind(objects, 'PodDisruptionBudget')) {
    if (!templates.some((template) => selects(budget.spec.selector.matchLabels, template.labels))) problems.push(`PodDisruptionBudget/${name} selects no pod template`);
  }
  for (const [name, autoscaler] of byKind(objects, 'HorizontalPodAutoscaler')) {
    const target = autoscaler.spec.scaleTargetRef;
    if (!byKind(objects, target.kind).has(target.name)) problems.push(`HorizontalPodAutoscaler/${name} scales missing ${target.kind}/${target.name}`);
  }
  for (const [name, scaled] of byKind(objects, 'ScaledObject')) {
    const target = scaled.spec.scaleTargetRef;
    if (!byKind(objects, target.kind ?? 'Deployment').has(target.name)) problems.push(`ScaledObject/${name} scales missing ${target.name}`);
  }
  for (const template of templates) {
    for (const volume of template.spec.volumes ?? []) {
      if (volume.configMap && !byKind(objects, 'ConfigMap').has(volume.configMap.name)) problems.push(`${template.owner} mounts missing ConfigMap ${volume.configMap.name}`);
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim && !byKind(objects, 'PersistentVolumeClaim').has(claim)) problems.push(`${template.owner} mounts missing PersistentVolumeClaim ${claim}`);
    }
    for (const container of template.spec.containers) {
      for (const source of container.envFrom ?? []) {
        const [kind, ref] = source.configMapRef ? ['ConfigMap', source.configMapRef.name] : ['Secret', source.secretRef.name];
        if (!byKind(objects, kind).has(ref) && !(kind === 'Secret' && OPERATOR_SECRETS.has(ref))) problems.push(`${template.owner} uses missing ${kind} ${ref}`);
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const portNames = (container.ports ?? []).map((port: any) => port.name);
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const port = container[probe]?.httpGet?.port;
        if (typeof port === 'string' && !portNames.includes(port)) problems.push(`${template.owner} ${probe} uses port ${port}, not a named container port`);
      }
    }
  }
  for (const [name, ingress] of byKind(objects, 'Ingress')) {
    for (const rule of ingress.spec.rules) {
      for (const path of rule.http.paths) {
        const backend = path.backend.service;
        const service = byKind(objects, 'Service').get(backend.name);
        if (!service) problems.push(`Ingress/${name} path ${path.path} names missing Service ${backend.name}`);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        else if (!service.spec.ports.some((port: any) => port.name === backend.port.name)) problems.push(`Ingress/${name} path ${path.path} names a port Service/${backend.name} lacks`);
      }
    }
  }
  return problems;
}

/** The `restricted` Pod Security Standard for every pod, and Cairn's own rules for its containers. */
export function podSecurityProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const { spec, owner } = template;
    const pod = spec.securityContext ?? {};
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${owner} shares a host namespace`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    if ((spec.volumes ?? []).some((volume: any) => volume.hostPath)) problems.push(`${owner} mounts a hostPath`);
    const initContainers = new Set(spec.initContainers ?? []);
    for (const container of [...spec.containers, ...initContainers]) {
      const where = `${owner} container ${container.name}`;
      const context = container.securityContext ?? {};
      if (!(context.runAsNonRoot ?? pod.runAsNonRoot)) problems.push(`${where}: runAsNonRoot is not true`);
      if ((context.runAsUser ?? pod.runAsUser) === 0) problems.push(`${where}: runs as user 0`);
      if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (context.privileged) problems.push(`${where}: privileged`);
      if (!(context.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: does not drop ALL capabilities`);
      if ((context.capabilities?.add ?? []).some((capability: string) => capability !== 'NET_BIND_SERVICE')) problems.push(`${where}: adds capabilities`);
      const seccomp = (context.seccompProfile ?? pod.seccompProfile)?.type;
      if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) problems.push(`${where}: no RuntimeDefault seccomp profile`);
      if (!container.resources?.requests || !container.resources?.limits) problems.push(`${where}: no resource requests and limits`);
      if (!isCairnWorkload(template)) continue;
      if (!context.readOnlyRootFilesystem) problems.push(`${where}: root file system is writable`);
      // An init container runs to its end before the pod serves: it has nothing to probe.
      if (initContainers.has(container)) continue;
      const probes = { live: container.livenessProbe?.httpGet?.path, ready: container.readinessProbe?.httpGet?.path };
      if (probes.live !== '/health/live' || probes.ready !== '/health/ready') problems.push(`${where}: probes are ${JSON.stringify(probes)}`);
    }
  }
  return problems;
}

/** Time a pod needs after its drain to flush and exit, within its grace period. */
const EXIT_MARGIN_SECONDS = 5;

/** Seconds a container's preStop hook holds the pod before its stop signal (`sleep N`, or a sleep action); 0 without one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function preStopSeconds(container: any): number {
  const hook = container.lifecycle?.preStop;
  if (hook?.sleep) return Number(hook.sleep.seconds);
  const [command, seconds] = hook?.exec?.command ?? [];
  return command === 'sleep' ? Number(seconds) : 0;
}

/** The longest drain a Cairn container takes on its stop signal: its `CAIRN_DRAIN_TIMEOUT_MS` (as the env and ConfigMaps set it, or the code's default). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drainSeconds(objects: K8sObject[], template: PodTemplate, container: any): number {
  const configured: string | undefined =
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    container.env?.find((variable: any) => variable.name === 'CAIRN_DRAIN_TIMEOUT_MS')?.value ??
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (container.envFrom ?? []).map((source: any) => byKind(objects, 'ConfigMap').get(source.configMapRef?.name)?.data?.CAIRN_DRAIN_TIMEOUT_MS).find(Boolean);
  switch (template.labels['app.kubernetes.io/component']) {
    case 'api':
      return serviceConfigFromEnv(template.labels['app.kubernetes.io/name'], { CAIRN_DRAIN_TIMEOUT_MS: configured }).drainTimeoutMs / 1000;
    case 'runner':
      return Number(configured ?? DEFAULT_RUNNER_DRAIN_TIMEOUT_MS) / 1000;
    default:
      // nginx (the console) finishes its requests in flight at once.
      return 0;
  }
}

/**
 * How Cairn's pods stop: a preStop pause, so that traffic stops arriving before the process stops
 * listening, and a grace period that covers the pause, the drain and the exit.
 */
export function shutdownProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects).filter(isCairnWorkload)) {
    const grace = template.spec.terminationGracePeriodSeconds ?? 30;
    for (const container of template.spec.containers) {
      const where = `${template.owner} container ${container.name}`;
      const pause = preStopSeconds(container);
      if (pause <= 0) problems.push(`${where}: no preStop pause`);
      const drain = drainSeconds(objects, template, container);
      const needed = pause + drain + EXIT_MARGIN_SECONDS;
      if (grace < needed) problems.push(`${where}: terminationGracePeriodSeconds ${grace} < preStop ${pause} s + drain ${drain} s + exit ${EXIT_MARGIN_SECONDS} s`);
    }
  }
  return problems;
}

/** The seccomp profile the runner's sandbox needs, as nodes hold it (deploy/runner/README.md). */
export const RUNNER_SECCOMP_PROFILE = join(REPO, 'deploy', 'runner', 'seccomp-bubblewrap.json');
/** What bubblewrap calls to build a job's namespaces, which RuntimeDefault refuses a container. */
const BUBBLEWRAP_SYSCALLS = ['unshare', 'clone', 'mount', 'umount2', 'pivot_root'];

/**
 * How the runner StatefulSet keeps jobs from itself, in words: its explicit choice, or the problems that
 * leave it without one. A pod under the restricted profile's defaults cannot run bubblewrap, so either
 * the runner hands its jobs to Slurm, or its pod has a user namespace of its own (hostUsers: false) and
 * a Localhost seccomp profile that lets bubblewrap make its namespaces, and its jobs get no /proc unless
 * the container's own is unmasked. CAIRN_RUNNER_SANDBOX=none is never a choice.
 */
export function runnerSandboxChoice(objects: K8sObject[]): { choice?: 'slurm' | 'bubblewrap'; problems: string[] } {
  const runner = byKind(objects, 'StatefulSet').get('runner');
  if (!runner) return { problems: ['no runner StatefulSet'] };
  const { spec } = runner.spec.template;
  const [container] = spec.containers;
  const args: string[] = container.args ?? [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const env = new Map<string, string>((container.env ?? []).map((variable: any) => [variable.name, variable.value]));
  if (env.get('CAIRN_RUNNER_SANDBOX') === 'none') return { problems: ['CAIRN_RUNNER_SANDBOX=none: its jobs would read its environment, tokens included'] };
  if (args[args.indexOf('--backend') + 1] === 'slurm') return { choice: 'slurm', problems: [] };
  const problems: string[] = [];
  if (spec.hostUsers !== false) problems.push('hostUsers is not false: bubblewrap needs the pod\'s own user namespace');
  const seccomp = container.securityContext?.seccompProfile ?? spec.securityContext?.seccompProfile ?? {};
  if (seccomp.type !== 'Localhost') problems.push(`seccomp profile ${seccomp.type ?? 'unset'}: RuntimeDefault refuses bubblewrap ${BUBBLEWRAP_SYSCALLS.join(', ')}`);
  else {
    const profile = JSON.parse(readFileSync(RUNNER_SECCOMP_PROFILE, 'utf8')) as { defaultAction: string; syscalls: { names: string[]; action: string }[] };
    if (basename(seccomp.localhostProfile) !== 'cairn-runner-bubblewrap.json') problems.push(`seccomp profile ${seccomp.localhostProfile} is not the one deploy/runner/README.md installs`);
    const refused = BUBBLEWRAP_SYSCALLS.filter((name) => profile.syscalls.some((rule) => rule.action !== 'SCMP_ACT_ALLOW' && rule.names.includes(name)) || profile.defaultAction !== 'SCMP_ACT_ALLOW');
    if (refused.length > 0) problems.push(`the seccomp profile refuses ${refused.join(', ')}`);
  }
  if (container.securityContext?.procMount !== 'Unmasked' && env.get('CAIRN_RUNNER_SANDBOX_PROC') !== 'none') {
    problems.push('the container\'s /proc is masked, so its jobs cannot get a fresh one: CAIRN_RUNNER_SANDBOX_PROC must be none');
  }
  return { choice: 'bubblewrap', problems };
}

/** ingress-nginx with use-regex: `location ~* ^<path>`, longest path first, first match wins. */
export function ingressServiceFor(objects: K8sObject[], path: string): string | undefined {
  const ingress = [...byKind(objects, 'Ingress').values()][0];
  const rules: { regex: string; service: string }[] = ingress.spec.rules.flatMap(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (rule: any) => rule.http.paths.map((p: any) => ({ regex: p.path, service: p.backend.service.name })),
  );
  return [...rules].sort((a, b) => b.regex.length - a.regex.length).find((rule) => new RegExp(`^${rule.regex}`, 'i').test(path))?.service;
}

/** deploy/docker/edge.nginx.conf's `map $uri` regexes, in order (the compose edge). */
export function composeEdgeServiceFor(path: string): string | undefined {
  const conf = readFileSync(join(REPO, 'deploy', 'docker', 'edge.nginx.conf'), 'utf8');
  for (const [, regex, service] of conf.matchAll(/^\s*~(\S+)\s+(\w+);/gm)) {
    if (new RegExp(regex).test(path)) return service;
  }
  return undefined;
}

/**
 * Paths that exercise every routing rule: each alternative of each pattern, with and without a tail,
 * and near misses (`/api/projectsx`).
 */
export function samplePaths(patterns: RegExp[]): string[] {
  const samples = new Set(['/', '/api', '/health/ready', '/docs', '/api/experiments/e1', '/api/projectsx', '/api/labsx']);
  for (const pattern of patterns) {
    const stem = pattern.source
      .replace(/^\^/, '')
      .replace(/\\\//g, '/')
      .replace(/\[\^\/\]\+/g, 'id-1')
      .replace(/\(\/\|(\\\?\|)?\$\)$/, '');
    const alternatives = /\(([\w|-]+)\)/.exec(stem);
    const stems = alternatives ? alternatives[1].split('|').map((word) => stem.replace(alternatives[0], word)) : [stem];
    for (const each of stems) for (const tail of ['', '/', '/more/parts', 'x']) samples.add(each + tail);
  }
  return [...samples].sort();
}

/** The variables of the README's configuration table, and whether the table says they are `npm start`'s alone. */
export function configurationVariables(): { name: string; localOnly: boolean }[] {
  const table = readFileSync(join(REPO, 'docs', 'configuration.md'), 'utf8');
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const [names, , meaning] = row.split('|').slice(1).map((cell) => cell.trim());
    const localOnly = /^`npm start`/.test(meaning);
    return [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map(([, name]) => ({ name, localOnly }));
  });
}

/** Every variable a rendered overlay gives Cairn's containers: ConfigMap and Secret keys they load, and `env`. */
export function overlayVariables(objects: K8sObject[]): Set<string> {
  const names = new Set<string>();
  const configMaps = byKind(objects, 'ConfigMap');
  const secrets = byKind(objects, 'Secret');
  for (const template of podTemplates(objects).filter(isCairnWorkload)) {
    for (const container of template.spec.containers) {
      for (const variable of container.env ?? []) names.add(variable.name);
      for (const source of container.envFrom ?? []) {
        const loaded = source.configMapRef ? configMaps.get(source.configMapRef.name) : secrets.get(source.secretRef.name);
        for (const key of Object.keys(loaded?.data ?? loaded?.stringData ?? {})) names.add(key);
        if (!loaded && source.secretRef && OPERATOR_SECRETS.has(source.secretRef.name)) for (const key of operatorSecretKeys(source.secretRef.name)) names.add(key);
      }
    }
  }
  return names;
}

/** The keys deploy/k8s/README.md's `kubectl create secret generic <name>` puts in a Secret the operator creates. */
function operatorSecretKeys(secret: string): string[] {
  const readme = readFileSync(join(REPO, 'deploy', 'k8s', 'README.md'), 'utf8');
  const command = new RegExp(`create secret generic ${secret} \\\\[\\s\\S]*?\`\`\``).exec(readme)?.[0] ?? '';
  return [...command.matchAll(/--from-literal=([A-Z][A-Z0-9_]*)=/g)].map(([, name]) => name);
}
