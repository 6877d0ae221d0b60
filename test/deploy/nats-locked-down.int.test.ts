import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from 'nats';
import { toolPath } from '@cairn/testing';
import { byKind, deployWithGeneratedSecrets, OVERLAYS, podTemplates, readCompose, renderOverlay, REPO, type K8sObject } from './manifests';

const SERVICES = ['access', 'projects', 'jobs', 'logbook'];

/** A Secret's entries, decoded. */
function secretEntries(object: K8sObject): Record<string, string> {
  return Object.fromEntries(Object.entries((object.data ?? {}) as Record<string, string>).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

const publicKeyOf = (seed: string) => nkeys.fromSeed(new TextEncoder().encode(seed.trim())).getPublicKey();

/** What a server config must say: only the identities of auth.conf connect, over TLS only; routes with mutual TLS. */
function natsConfigProblems(name: string, config: string): string[] {
  const problems: string[] = [];
  if (!/^include \.\.\/auth\/auth\.conf$/m.test(config)) problems.push(`${name} does not include ../auth/auth.conf`);
  if (!/^tls \{[^}]*cert_file: \/etc\/nats\/tls\/tls\.crt[^}]*\}/m.test(config)) problems.push(`${name} serves clients without TLS`);
  if (/cluster \{/.test(config) && !/cluster \{[\s\S]*?tls \{[^}]*verify: true/.test(config)) problems.push(`${name} routes without mutual TLS`);
  return problems;
}

/**
 * NATS locked down (issue 19): every deployment runs it with TLS (certificate from a secret, clients
 * checking it against the CA) and authorization, and each Cairn process connects with only its own seed.
 */
describe.each(OVERLAYS)('the Kubernetes overlay %s: NATS', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('runs nats-server with auth.conf and TLS from the Secrets nats-auth and nats-tls, routes with mutual TLS', () => {
    const config = [...byKind(objects, 'ConfigMap').values()].find((object) => object.metadata.name.startsWith('nats-config'))!;
    expect(Object.entries(config.data as Record<string, string>).filter(([file]) => file !== 'jetstream.conf').flatMap(([file, text]) => natsConfigProblems(file, text))).toEqual([]);
    const nats = byKind(objects, 'StatefulSet').get('nats')!.spec.template.spec;
    const mounts = Object.fromEntries(nats.containers[0].volumeMounts.map((mount: { name: string; mountPath: string }) => [mount.mountPath, mount.name]));
    const secretOf = (path: string) => nats.volumes.find((volume: { name: string }) => volume.name === mounts[path])?.secret?.secretName ?? '';
    expect({ auth: secretOf('/etc/nats/auth'), tls: secretOf('/etc/nats/tls') }).toEqual({ auth: expect.stringMatching(/^nats-auth/), tls: expect.stringMatching(/^nats-tls/) });
    expect(nats.containers[0].command.join(' ')).toMatch(/--config \/etc\/nats\/config\/nats(-cluster)?\.conf$/);
  });

  it('lets only Cairn\'s services and runners reach the client port, only NATS servers the route port, and only KEDA (production) the monitoring port', () => {
    const policy = byKind(objects, 'NetworkPolicy').get('nats')!;
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'nats' });
    const byPort = Object.fromEntries(policy.spec.ingress.map((rule: { from?: unknown[]; ports: { port: string }[] }) => [rule.ports.map((port) => port.port).join(), rule.from ?? 'anyone']));
    expect(byPort).toEqual({
      client: [{ podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'runner'] }] } }],
      cluster: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } } }],
      // The monitoring port has no authentication; the kubelet's probes need no rule (they run in the container).
      ...(overlay === 'production' && {
        monitor: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } } }],
      }),
    });
  });

  it('probes NATS from inside its container, and binds monitoring to loopback where nothing outside reads it', () => {
    const nats = byKind(objects, 'StatefulSet').get('nats')!.spec.template.spec.containers[0];
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect({ probe, httpGet: nats[probe].httpGet, command: nats[probe].exec?.command }).toEqual({
        probe,
        httpGet: undefined,
        command: ['wget', '-q', '-O', '/dev/null', expect.stringMatching(/^http:\/\/127\.0\.0\.1:8222\/healthz/)],
      });
    }
    const config = [...byKind(objects, 'ConfigMap').values()].find((object) => object.metadata.name.startsWith('nats-config'))!.data as Record<string, string>;
    const file = nats.command[nats.command.length - 1].split('/').pop();
    const monitoring = /^http: (\S+)$/m.exec(config[file])?.[1];
    // The cluster's servers serve KEDA's scaler (admitted by the NetworkPolicy); the single server nobody.
    expect(monitoring).toBe(file === 'nats-cluster.conf' ? '0.0.0.0:8222' : '127.0.0.1:8222');
  });

  it('has every Cairn process connect over TLS, checking the CA, with its own seed and no other', () => {
    const config = [...byKind(objects, 'ConfigMap').values()].find((object) => object.metadata.name.startsWith('cairn-config'))!.data;
    expect(config.NATS_URL).toMatch(/^tls:\/\//);
    const seeds = podTemplates(objects)
      .filter((template) => template.labels['app.kubernetes.io/component'] === 'api')
      .map((template) => {
        const mountOf = (file: string) => template.spec.containers[0].volumeMounts.find((mount: { mountPath: string }) => file.startsWith(`${mount.mountPath}/`));
        const volumeOf = (file: string) => template.spec.volumes.find((volume: { name: string }) => volume.name === mountOf(file)?.name)?.secret;
        const seed = volumeOf(config.NATS_NKEY_SEED_FILE);
        return {
          owner: template.owner,
          ca: volumeOf(config.NATS_CA_FILE)?.secretName.startsWith('nats-tls') ?? false,
          seeds: (seed?.items ?? []).map((item: { key: string }) => item.key),
          from: seed?.secretName.replace(/-[a-z0-9]{10}$/, ''),
        };
      });
    expect(seeds).toEqual(expect.arrayContaining(SERVICES.map((name) => ({ owner: `Deployment/${name}`, ca: true, seeds: [`service-${name}.nk`], from: 'nats-credentials' }))));
    expect(seeds).toHaveLength(SERVICES.length);
  });

  it('gives each runner pod an identity of its own: its name, and only its own seed, which its init container copies', () => {
    const runner = byKind(objects, 'StatefulSet').get('runner')!.spec.template.spec;
    const config = [...byKind(objects, 'ConfigMap').values()].find((object) => object.metadata.name.startsWith('cairn-config'))!.data;
    const [container] = runner.containers;
    const [init] = runner.initContainers;
    const volume = (name: string) => runner.volumes.find((candidate: { name: string }) => candidate.name === name);
    const mountedAt = (of: { volumeMounts: { name: string; mountPath: string }[] }, path: string) => of.volumeMounts.find((mount) => path.startsWith(`${mount.mountPath}/`));
    // The runner's id is the pod's name (runner-0, runner-1 ...), and so are its NATS identity and its token's subject.
    expect(container.env.find((variable: { name: string }) => variable.name === 'CAIRN_RUNNER_ID').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    // Its seed file lies in a memory folder of the pod; the Secret with every pod's seeds is the init container's alone.
    const seedMount = mountedAt(container, config.NATS_NKEY_SEED_FILE)!;
    expect(volume(seedMount.name)).toEqual({ name: seedMount.name, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    const secretVolumes = runner.volumes.filter((candidate: { secret?: unknown }) => candidate.secret).map((candidate: { name: string }) => candidate.name);
    expect(container.volumeMounts.filter((mount: { name: string }) => secretVolumes.includes(mount.name)).map((mount: { name: string }) => volume(mount.name).secret.secretName)).toEqual([expect.stringMatching(/^nats-tls/)]);
    // The init container copies runner-<pod name>.nk from nats-runner-credentials to that file.
    const script: string = init.command.join(' ');
    const seedsMount = init.volumeMounts.find((mount: { name: string }) => volume(mount.name).secret?.secretName.startsWith('nats-runner-credentials'));
    expect(script).toContain(`seed="${seedsMount.mountPath}/runner-$POD_NAME.nk"`);
    expect(script).toContain(`cp "$seed" ${config.NATS_NKEY_SEED_FILE}`);
    expect(mountedAt(init, config.NATS_NKEY_SEED_FILE)!.name).toBe(seedMount.name);
    expect(init.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    if (overlay === 'local') {
      // Rendered here: a seed for each ordinal the overlay may run, none of them a service's.
      const rendered = [...byKind(objects, 'Secret').values()].find((object) => object.metadata.name.startsWith('nats-runner-credentials'))!;
      expect(Object.keys(secretEntries(rendered)).sort()).toEqual(['runner-runner-0.nk', 'runner-runner-1.nk', 'runner-runner-2.nk']);
    }
  });

  it('admits exactly the seeds it hands out (rendered here; in production the operator issues them)', () => {
    const secrets = [...byKind(objects, 'Secret').values()];
    const credentials = secrets.find((object) => object.metadata.name.startsWith('nats-credentials'));
    const runners = secrets.find((object) => object.metadata.name.startsWith('nats-runner-credentials'));
    const auth = secrets.find((object) => object.metadata.name.startsWith('nats-auth'));
    if (overlay === 'production') {
      expect({ credentials, runners, auth }).toEqual({ credentials: undefined, runners: undefined, auth: undefined });
      return;
    }
    const authConfig = secretEntries(auth!)['auth.conf'];
    const seeds = { ...secretEntries(credentials!), ...secretEntries(runners!) };
    for (const [key, seed] of Object.entries(seeds)) expect({ key, admitted: authConfig.includes(`nkey: ${publicKeyOf(seed)},`) }).toEqual({ key, admitted: true });
    expect(seeds).not.toHaveProperty(['operator.nk']);
  });
});

describe('docker-compose.yml: NATS', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compose: any = readCompose();

  it('keeps the monitoring port (it has no authentication) inside the container: bound to loopback, where the healthcheck asks', () => {
    const nats = compose.services.nats;
    expect(/^http: (\S+)$/m.exec(readFileSync(join(REPO, 'deploy', 'nats', 'nats.conf'), 'utf8'))?.[1]).toBe('127.0.0.1:8222');
    expect(nats.healthcheck.test.join(' ')).toMatch(/ http:\/\/127\.0\.0\.1:8222\/healthz$/);
    expect(nats.ports).toBeUndefined();
  });

  it('runs nats-server with auth.conf and its certificate from the secrets deploy/generate-secrets.sh writes', () => {
    const nats = compose.services.nats;
    expect(nats.command.join(' ')).toBe('nats-server --config /etc/nats/config/nats.conf');
    expect(nats.volumes).toContain('./deploy/nats:/etc/nats/config:ro');
    const targets = Object.fromEntries(nats.secrets.map((secret: { source: string; target: string }) => [secret.target, compose.secrets[secret.source].file]));
    expect(targets).toEqual({
      '/etc/nats/auth/auth.conf': './deploy/docker/secrets/nats/auth.conf',
      '/etc/nats/tls/tls.crt': './deploy/docker/secrets/nats.crt',
      '/etc/nats/tls/tls.key': './deploy/docker/secrets/nats.key',
      '/etc/nats/tls/ca.crt': './deploy/docker/secrets/ca.crt',
    });
  });

  it('has each service and the runner connect over TLS, checking the CA, with its own seed', () => {
    const seedOf = (name: string) => {
      const service = compose.services[name];
      const seed = service.secrets.find((secret: string | { target?: string }) => typeof secret === 'object' && `/run/secrets/${secret.target}` === service.environment.NATS_NKEY_SEED_FILE);
      return { name, url: service.environment.NATS_URL, ca: service.secrets.includes('ca.crt') && service.environment.NATS_CA_FILE === '/run/secrets/ca.crt', seed: compose.secrets[seed?.source]?.file };
    };
    expect([...SERVICES, 'runner'].map(seedOf)).toEqual([
      ...SERVICES.map((name) => ({ name, url: 'tls://nats:4222', ca: true, seed: `./deploy/docker/secrets/nats/service-${name}.nk` })),
      { name: 'runner', url: 'tls://nats:4222', ca: true, seed: './deploy/docker/secrets/nats/runner-runner-compose.nk' },
    ]);
  });
});

describe('deploy/generate-secrets.sh: NATS', () => {
  it('issues a seed per identity that auth.conf admits, and a certificate with which nats.conf and nats-cluster.conf are valid', () => {
    const copy = deployWithGeneratedSecrets();
    try {
      const secrets = join(copy.root, 'deploy', 'docker', 'secrets');
      const identities = join(secrets, 'nats');
      const authConfig = readFileSync(join(identities, 'auth.conf'), 'utf8');
      const seeds = readdirSync(identities).filter((file) => file.endsWith('.nk'));
      expect(seeds.sort()).toEqual(['cli.nk', 'operator.nk', 'runner-runner-compose.nk', ...SERVICES.map((name) => `service-${name}.nk`)].sort());
      for (const seed of seeds) expect({ seed, admitted: authConfig.includes(`nkey: ${publicKeyOf(readFileSync(join(identities, seed), 'utf8'))},`) }).toEqual({ seed, admitted: true });

      // The shipped configs, with the paths of the containers' mounts pointed at the generated files.
      const config = join(copy.root, 'deploy', 'nats');
      for (const file of ['nats.conf', 'nats-cluster.conf']) {
        const text = readFileSync(join(config, file), 'utf8')
          .replace('include ../auth/auth.conf', 'include ../docker/secrets/nats/auth.conf')
          .replace(/\/etc\/nats\/tls\/tls\.crt/g, join(secrets, 'nats.crt'))
          .replace(/\/etc\/nats\/tls\/tls\.key/g, join(secrets, 'nats.key'))
          .replace(/\/etc\/nats\/tls\/ca\.crt/g, join(secrets, 'ca.crt'));
        writeFileSync(join(config, file), text);
        // `-t`: exits 0 only for a valid configuration (files it names included).
        expect(() => execFileSync(toolPath('nats-server'), ['-t', '-c', join(config, file)], { env: { ...process.env, POD_NAME: 'nats-0' }, stdio: 'pipe' })).not.toThrow();
      }
    } finally {
      copy.remove();
    }
  });
});
