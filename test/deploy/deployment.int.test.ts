import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES, serviceFor } from '@cairn/local-platform';
import {
  byKind,
  composeEdgeServiceFor,
  ingressServiceFor,
  isCairnWorkload,
  OVERLAYS,
  overlayVariables,
  podSecurityProblems,
  podTemplates,
  readCompose,
  configurationVariables,
  referenceProblems,
  renderOverlay,
  REPO,
  runnerSandboxChoice,
  shutdownProblems,
  samplePaths,
  type K8sObject,
} from './manifests';

const CAIRN_WORKLOADS = ['access', 'projects', 'jobs', 'logbook', 'runner', 'console'];
const paths = samplePaths(ROUTES.map((route) => route.pattern));

/** Variables only one way of verifying tokens reads: an overlay of the other mode has no use for them. */
const AUTH_MODE_OF: Record<string, 'dev' | 'jwks'> = {
  CAIRN_DEV_JWT_SECRET: 'dev',
  CAIRN_JWKS_URL: 'jwks',
  CAIRN_JWT_ISSUER: 'jwks',
  CAIRN_JWT_AUDIENCE: 'jwks',
  CAIRN_JWT_AUTHORIZED_PARTIES: 'jwks',
  CAIRN_ADMIN_CLAIM: 'jwks',
  CAIRN_RUNNER_CLAIM: 'jwks',
  CAIRN_JWT_TYPES: 'jwks',
  // A runner pod's id is its name in either mode (base); its token is its own file of the Secret cairn-runner-tokens.
  CAIRN_RUNNER_TOKEN: 'jwks',
};
const otherAuthMode = (mode: string | undefined) => (mode === 'dev' ? 'jwks' : 'dev');
/** kustomize suffixes generated ConfigMaps with a hash of their content. */
const configMapName = (objects: K8sObject[]) => [...byKind(objects, 'ConfigMap').keys()].find((name) => name.startsWith('cairn-config'))!;

describe.each(OVERLAYS)('the Kubernetes overlay %s, rendered with kustomize', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('deploys every Cairn service, the runner and the console, the runner outside the Ingress', () => {
    // The runner is a StatefulSet: each pod a runner of its own, named by its ordinal.
    const workloads = [...byKind(objects, 'Deployment').keys(), ...byKind(objects, 'StatefulSet').keys()];
    expect(workloads).toEqual(expect.arrayContaining(CAIRN_WORKLOADS));
    const ingressBackends = [...byKind(objects, 'Ingress').values()].flatMap((ingress) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ingress.spec.rules.flatMap((rule: any) => rule.http.paths.map((path: any) => path.backend.service.name)),
    );
    expect(ingressBackends).not.toContain('runner');
    expect(byKind(objects, 'Service').has('runner')).toBe(false);
  });

  it('has Services and PodDisruptionBudgets that select a pod template, autoscalers that target existing Deployments, and no dangling reference', () => {
    expect(referenceProblems(objects)).toEqual([]);
  });

  it('runs every container non-root, without privileges, with requests and limits; Cairn containers read-only with probes on /health/live and /health/ready', () => {
    expect(podSecurityProblems(objects)).toEqual([]);
    expect(podTemplates(objects).filter(isCairnWorkload).map((template) => template.owner).sort()).toEqual(
      CAIRN_WORKLOADS.map((name) => (name === 'runner' ? 'StatefulSet/runner' : `Deployment/${name}`)).sort(),
    );
  });

  it('pauses every Cairn pod (preStop) before its stop signal, with a grace period that covers the pause, the drain and the exit', () => {
    expect(shutdownProblems(objects)).toEqual([]);
  });

  it("makes the runner's sandbox an explicit choice: bubblewrap with the security context it needs, or Slurm, never none", () => {
    expect(runnerSandboxChoice(objects)).toEqual({ choice: 'bubblewrap', problems: [] });
    // What the check catches: a runner pod under the restricted profile's defaults.
    const defaults = structuredClone(objects);
    const pod = byKind(defaults, 'StatefulSet').get('runner')!.spec.template.spec;
    delete pod.hostUsers;
    delete pod.containers[0].securityContext.seccompProfile;
    pod.containers[0].env = pod.containers[0].env.filter((variable: { name: string }) => variable.name !== 'CAIRN_RUNNER_SANDBOX_PROC');
    expect(runnerSandboxChoice(defaults).problems).toHaveLength(3);
    expect(readFileSync(join(REPO, 'deploy', 'docker', 'service.Dockerfile'), 'utf8')).toMatch(/SERVICE" = runner .*apt-get install -y --no-install-recommends bubblewrap/);
  });

  it('routes every path of deploy/local/routes.ts to the same service through the Ingress', () => {
    const misrouted = paths.filter((path) => ingressServiceFor(objects, path) !== serviceFor(path));
    expect(misrouted.map((path) => `${path}: Ingress ${ingressServiceFor(objects, path)}, routes.ts ${serviceFor(path)}`)).toEqual([]);
  });

  it("sets, for some Cairn container, every variable of docs/configuration.md", () => {
    // As in compose, a credential may come from a mounted file instead: NAME_FILE sets NAME.
    const wired = new Set([...overlayVariables(objects)].flatMap((variable) => [variable, variable.replace(/_FILE$/, '')]));
    const authMode = byKind(objects, 'ConfigMap').get(configMapName(objects))?.data.CAIRN_AUTH_MODE;
    const missing = configurationVariables().filter(
      (variable) => !variable.localOnly && AUTH_MODE_OF[variable.name] !== otherAuthMode(authMode) && !wired.has(variable.name),
    );
    expect(missing.map((variable) => variable.name)).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compose: any = readCompose();

  it('runs every Cairn service and the runner, hardened like the Kubernetes pods', () => {
    // The runner's jobs run under bubblewrap: it has the seccomp profile bubblewrap needs, and no AppArmor confinement (which refuses mount).
    const runnerSandbox = ['seccomp=./deploy/runner/seccomp-bubblewrap.json', 'apparmor=unconfined'];
    for (const name of CAIRN_WORKLOADS) {
      const service = compose.services[name];
      expect({ name, readOnly: service?.read_only, capDrop: service?.cap_drop, noNewPrivileges: service?.security_opt }).toEqual({
        name,
        readOnly: true,
        capDrop: ['ALL'],
        noNewPrivileges: ['no-new-privileges:true', ...(name === 'runner' ? runnerSandbox : [])],
      });
    }
    expect(compose.services.runner.environment).toMatchObject({ CAIRN_RUNNER_SANDBOX_PROC: 'none' });
    expect(compose.services.runner.environment.CAIRN_RUNNER_SANDBOX).toBeUndefined();
  });

  it('routes every path of deploy/local/routes.ts to the same service through its edge', () => {
    const misrouted = paths.filter((path) => composeEdgeServiceFor(path) !== serviceFor(path));
    expect(misrouted.map((path) => `${path}: edge ${composeEdgeServiceFor(path)}, routes.ts ${serviceFor(path)}`)).toEqual([]);
  });

  it("sets, for some Cairn service, every variable of docs/configuration.md", () => {
    // A credential may come from a mounted secret file instead: NAME_FILE (libs/runtime config).
    // `MONGO_URL_FILE` sets `MONGO_URL`; `NATS_NKEY_SEED_FILE` is a setting of its own name.
    const wired = new Set(CAIRN_WORKLOADS.flatMap((name) => Object.keys(compose.services[name]?.environment ?? {}).flatMap((variable) => [variable, variable.replace(/_FILE$/, '')])));
    const missing = configurationVariables().filter((variable) => !variable.localOnly && !wired.has(variable.name));
    expect(missing.map((variable) => variable.name)).toEqual([]);
  });
});
