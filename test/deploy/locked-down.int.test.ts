import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { consoleContentSecurityPolicy } from '@cairn/local-platform';
import { byKind, deployWithGeneratedSecrets, OVERLAYS, podTemplates, readCompose, renderOverlay, REPO, type K8sObject } from './manifests';

/** Overlays that may keep dev sign-in (with a secret the user generates): the one for a cluster on your own machine. */
const DEV_OVERLAYS = new Set(['local']);
/** A store address that carries a user and password. */
const WITH_CREDENTIALS = /^(mongodb|esdb):\/\/[^:/@]+:[^@/]+@/;

/** A compose value as Compose reads it with nothing set in the shell: `${VAR:-default}` is the default, `${VAR}` empty. */
function composeDefault(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/\$\{(\w+)(?::?-([^}]*)|:?\?[^}]*)?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');
}

/** Every string value in an object, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A Secret's or ConfigMap's entries, decoded. */
function entries(object: K8sObject): Record<string, string> {
  const decoded = Object.fromEntries(Object.entries((object.data ?? {}) as Record<string, string>).map(([key, value]) => [key, object.kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value]));
  return { ...decoded, ...object.stringData };
}

/** The names a container takes from Secrets: its envFrom secretRefs' keys and its env valueFrom secretKeyRefs. */
function variablesFromSecrets(objects: K8sObject[], container: { env?: { name: string; valueFrom?: { secretKeyRef?: unknown } }[]; envFrom?: { secretRef?: { name: string } }[] }): string[] {
  const secrets = byKind(objects, 'Secret');
  const fromEnv = (container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
  const fromSecrets = (container.envFrom ?? []).flatMap((source) => (source.secretRef ? Object.keys(entries(secrets.get(source.secretRef.name) ?? ({ kind: 'Secret', metadata: { name: '' } } as K8sObject))) : []));
  return [...fromEnv, ...fromSecrets];
}

/** A store's problems: an insecure flag, a missing credential or TLS setting, in one rendered or composed place. */
function storeUrlProblems(where: string, name: string, url: string): string[] {
  const problems: string[] = [];
  if (!WITH_CREDENTIALS.test(url)) problems.push(`${where}: ${name} has no user and password`);
  if (/tls=false/i.test(url)) problems.push(`${where}: ${name} turns TLS off`);
  if (!/tls=true/i.test(url)) problems.push(`${where}: ${name} does not ask for TLS`);
  return problems;
}

/**
 * Locked down by default: every way Cairn is deployed (docker-compose.yml and each Kubernetes overlay,
 * rendered) runs its stores with credentials, KurrentDB with TLS, signs people in through an identity
 * provider (the local overlay alone with dev tokens, signed with a secret the user generated), and
 * nowhere holds the published dev secret.
 */
describe.each(OVERLAYS)('the Kubernetes overlay %s, locked down', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('holds no insecure flag and nowhere the published dev secret', () => {
    const everything = stringsIn(objects.map((object) => (object.kind === 'Secret' ? entries(object) : object)));
    expect(everything.filter((value) => value.includes(LOCAL_DEV_JWT_SECRET))).toEqual([]);
    const insecure = podTemplates(objects).filter((template) =>
      template.spec.containers.some((container: { env?: { name: string }[] }) => (container.env ?? []).some((variable) => variable.name === 'KURRENTDB_INSECURE')),
    );
    expect(insecure.map((template) => template.owner)).toEqual([]);
    const configured = [...byKind(objects, 'ConfigMap').values(), ...byKind(objects, 'Secret').values()].flatMap((object) => Object.keys(entries(object)));
    expect(configured).not.toContain('KURRENTDB_INSECURE');
  });

  it(DEV_OVERLAYS.has(overlay) ? 'signs in with dev tokens, verified with a generated secret' : 'signs in through the identity provider (JWKS): the services refuse to start without its issuer', () => {
    const config = [...byKind(objects, 'ConfigMap').values()].find((object) => object.metadata.name.startsWith('cairn-config'))!;
    const mode = config.data.CAIRN_AUTH_MODE;
    if (!DEV_OVERLAYS.has(overlay)) {
      expect(mode).toBe('jwks');
      return;
    }
    expect(mode).toBe('dev');
    const auth = [...byKind(objects, 'Secret').values()].find((object) => object.metadata.name.startsWith('cairn-auth'));
    const secret = auth ? entries(auth).CAIRN_DEV_JWT_SECRET : undefined;
    expect(secret?.length).toBeGreaterThanOrEqual(32);
    expect(secret).not.toBe(LOCAL_DEV_JWT_SECRET);
  });

  it("reaches its stores with credentials and over TLS, from Secrets (rendered, or the ones deploy/k8s/README.md has the operator create)", () => {
    const rendered = [...byKind(objects, 'Secret').values()].find((object) => object.metadata.name.startsWith('cairn-stores'));
    const urls = rendered ? entries(rendered) : operatorStoreUrls();
    expect(Object.keys(urls).sort()).toEqual(['CAIRN_ESDB_URL', 'MONGO_URL']);
    expect(Object.entries(urls).flatMap(([name, url]) => storeUrlProblems(`${overlay} cairn-stores`, name, url))).toEqual([]);
    // A CA file a store address names is in every service's pod (rendered: the local overlay's own CA).
    const caFiles = Object.values(urls).flatMap((url) => [...url.matchAll(/tlsCAFile=([^&]+)/g)].map(([, file]) => file));
    for (const template of podTemplates(objects).filter((candidate) => candidate.labels['app.kubernetes.io/component'] === 'api')) {
      for (const file of caFiles) expect({ owner: template.owner, file, mounted: secretMounted(template.spec, file) }).toEqual({ owner: template.owner, file, mounted: true });
    }
  });

  it('runs the stores it brings with their users and certificates from Secrets, MongoDB with TLS only', () => {
    const stores = byKind(objects, 'StatefulSet');
    const mongoPod = stores.get('mongo')?.spec.template.spec;
    const eventstore = stores.get('eventstore')?.spec.template.spec;
    if (!mongoPod && !eventstore) return; // Production: the stores are run elsewhere (checked above through their URLs).
    const fromSecret = secretMounted;

    const mongo = mongoPod.containers[0];
    expect(variablesFromSecrets(objects, mongo)).toEqual(expect.arrayContaining(['MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD']));
    const args: string[] = mongo.args ?? [];
    expect(args[args.indexOf('--tlsMode') + 1]).toBe('requireTLS');
    expect(fromSecret(mongoPod, args[args.indexOf('--tlsCertificateKeyFile') + 1])).toBe(true);

    const kurrent = eventstore.containers[0];
    expect(variablesFromSecrets(objects, kurrent)).toContain('KURRENTDB_DEFAULT_ADMIN_PASSWORD');
    const env = Object.fromEntries((kurrent.env ?? []).map((variable: { name: string; value?: string }) => [variable.name, variable.value]));
    for (const setting of ['KURRENTDB_CERTIFICATE_FILE', 'KURRENTDB_CERTIFICATE_PRIVATE_KEY_FILE']) expect({ setting, fromSecret: fromSecret(eventstore, env[setting] ?? '') }).toEqual({ setting, fromSecret: true });
    expect(fromSecret(eventstore, `${env.KURRENTDB_TRUSTED_ROOT_CERTIFICATES_PATH}/ca.crt`)).toBe(true);
  });
});

/** Whether `path` lies in a Secret volume mounted into the pod's first container. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function secretMounted(pod: any, path: string): boolean {
  return pod.containers[0].volumeMounts.some(
    (mount: { name: string; mountPath: string }) => path.startsWith(`${mount.mountPath}/`) && pod.volumes.some((volume: { name: string; secret?: unknown }) => volume.name === mount.name && volume.secret),
  );
}

/** MONGO_URL and CAIRN_ESDB_URL of deploy/k8s/README.md's `kubectl create secret generic cairn-stores`. */
function operatorStoreUrls(): Record<string, string> {
  const readme = readFileSync(join(REPO, 'deploy', 'k8s', 'README.md'), 'utf8');
  const command = /create secret generic cairn-stores \\[\s\S]*?```/.exec(readme)?.[0] ?? '';
  return Object.fromEntries([...command.matchAll(/--from-literal=([A-Z_]+)='([^']*)'/g)].map(([, name, value]) => [name, value]));
}

describe('docker-compose.yml, locked down', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compose: any = readCompose();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const services: [string, any][] = Object.entries(compose.services);
  const environmentOf = (service: { environment?: Record<string, unknown> }) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, composeDefault(value)]));
  /** Whether a Compose secret is mounted at `path` in the service. */
  const mountedSecret = (service: { secrets?: (string | { source: string; target?: string })[] }, path: string) =>
    (service.secrets ?? []).some((secret) => (typeof secret === 'string' ? `/run/secrets/${secret}` === path : (secret.target?.startsWith('/') ? secret.target : `/run/secrets/${secret.target ?? secret.source}`) === path));
  /** Services only a profile named for development starts. */
  const devOnly = (service: { profiles?: string[] }) => (service.profiles ?? []).length > 0 && service.profiles!.every((profile) => /dev/i.test(profile));

  it('has no insecure flag and not the published dev secret in any default, outside a profile named for development', () => {
    const problems = services
      .filter(([, service]) => !devOnly(service))
      .flatMap(([name, service]) =>
        Object.entries(environmentOf(service)).flatMap(([variable, value]) => [
          ...(variable === 'KURRENTDB_INSECURE' ? [`${name}: ${variable}`] : []),
          ...(value.includes(LOCAL_DEV_JWT_SECRET) ? [`${name}: ${variable} is the published dev secret`] : []),
          ...(/tls=false/i.test(value) ? [`${name}: ${variable} turns TLS off`] : []),
        ]),
      );
    expect(problems).toEqual([]);
    expect(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')).not.toContain(LOCAL_DEV_JWT_SECRET);
  });

  it('signs people in through the identity provider by default (JWKS), with no dev secret', () => {
    for (const name of ['access', 'projects', 'jobs', 'logbook', 'runner']) {
      const environment = environmentOf(compose.services[name]);
      expect({ name, mode: environment.CAIRN_AUTH_MODE, secret: environment.CAIRN_DEV_JWT_SECRET ?? '' }).toEqual({ name, mode: 'jwks', secret: '' });
    }
  });

  it('runs MongoDB with a root user and TLS only, KurrentDB with an admin password and certificates, all from the secrets deploy/generate-secrets.sh writes', () => {
    const secretFiles = Object.fromEntries(Object.entries(compose.secrets ?? {}).map(([name, secret]) => [name, (secret as { file?: string }).file ?? '']));
    expect(Object.values(secretFiles).every((file) => file.startsWith('./deploy/docker/secrets/'))).toBe(true);

    const mongo = compose.services.mongo;
    expect(environmentOf(mongo).MONGO_INITDB_ROOT_USERNAME).toBeTruthy();
    expect(mountedSecret(mongo, environmentOf(mongo).MONGO_INITDB_ROOT_PASSWORD_FILE)).toBe(true);
    const command: string[] = mongo.command;
    expect(command[command.indexOf('--tlsMode') + 1]).toBe('requireTLS');
    expect(mountedSecret(mongo, command[command.indexOf('--tlsCertificateKeyFile') + 1])).toBe(true);

    const eventstore = compose.services.eventstore;
    expect(eventstore.env_file).toEqual(['./deploy/docker/secrets/kurrentdb.env']);
    const kurrent = environmentOf(eventstore);
    for (const setting of ['KURRENTDB_CERTIFICATE_FILE', 'KURRENTDB_CERTIFICATE_PRIVATE_KEY_FILE']) expect({ setting, mounted: mountedSecret(eventstore, kurrent[setting]) }).toEqual({ setting, mounted: true });
    expect(mountedSecret(eventstore, `${kurrent.KURRENTDB_TRUSTED_ROOT_CERTIFICATES_PATH}/ca.crt`)).toBe(true);

    for (const name of ['access', 'projects', 'jobs', 'logbook']) {
      const service = compose.services[name];
      const environment = environmentOf(service);
      expect({ name, mongo: mountedSecret(service, environment.MONGO_URL_FILE), esdb: mountedSecret(service, environment.CAIRN_ESDB_URL_FILE) }).toEqual({ name, mongo: true, esdb: true });
      expect(environment.MONGO_URL ?? '').toBe('');
    }
    // The runner: no store credentials, only the CA and its own NATS seed.
    expect(compose.services.runner.secrets).toEqual(['ca.crt', { source: 'nats-runner.nk', target: 'nats.nk' }]);
  });

  it('gets from deploy/generate-secrets.sh store addresses with passwords and KurrentDB over TLS, and passwords the stores are started with', () => {
    const copy = deployWithGeneratedSecrets();
    try {
      const secret = (file: string) => readFileSync(join(copy.root, 'deploy', 'docker', 'secrets', file), 'utf8').trim();
      expect([...storeUrlProblems('compose', 'mongo-url', secret('mongo-url')), ...storeUrlProblems('compose', 'esdb-url', secret('esdb-url'))]).toEqual([]);
      expect(secret('mongo-url')).toContain(`:${secret('mongo-password')}@`);
      const adminPassword = /^KURRENTDB_DEFAULT_ADMIN_PASSWORD=(.{24,})$/m.exec(secret('kurrentdb.env'))?.[1];
      expect(secret('esdb-url')).toContain(`admin:${adminPassword}@`);
      const caFiles = ['mongo-url', 'esdb-url'].map((file) => /tlsCAFile=([^&]+)/.exec(secret(file))?.[1]);
      for (const name of ['access', 'projects', 'jobs', 'logbook']) expect(caFiles.map((file) => mountedSecret(compose.services[name], file ?? ''))).toEqual([true, true]);
    } finally {
      copy.remove();
    }
  });
});

describe("the console's nginx (compose, Kubernetes)", () => {
  const headers = readFileSync(join(REPO, 'deploy', 'docker', 'console-security-headers.conf'), 'utf8');
  const nginx = readFileSync(join(REPO, 'deploy', 'docker', 'console.nginx.conf'), 'utf8');

  it("sends npm start's Content-Security-Policy (connecting to any https identity provider), nosniff and Referrer-Policy", () => {
    expect(/add_header Content-Security-Policy "([^"]+)" always;/.exec(headers)?.[1]).toBe(consoleContentSecurityPolicy(['https:']));
    expect(headers).toMatch(/add_header X-Content-Type-Options nosniff always;/);
    expect(headers).toMatch(/add_header Referrer-Policy no-referrer always;/);
  });

  it('sends them from every location that has its own headers (nginx drops the server\'s then)', () => {
    const locations = nginx.split(/\n\s*location /).slice(1);
    const withOwnHeaders = locations.filter((location) => location.includes('add_header'));
    expect(withOwnHeaders.length).toBeGreaterThan(0);
    expect(withOwnHeaders.filter((location) => !location.includes('include /etc/nginx/console-security-headers.conf;'))).toEqual([]);
    expect(nginx.split(/\n\s*location /)[0]).toContain('include /etc/nginx/console-security-headers.conf;');
  });
});
