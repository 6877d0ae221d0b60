/**
 * Which service answers which /api path — the one routing table for the local edge; the Kubernetes
 * Ingress in deploy/k8s lists the same paths. First match wins, so specific rules come first.
 */
export type ServiceName = 'access' | 'projects' | 'jobs' | 'logbook';

export const ROUTES: { pattern: RegExp; service: ServiceName }[] = [
  { pattern: /^\/api\/projects\/[^/]+\/access(\/|$)/, service: 'access' },
  { pattern: /^\/api\/projects\/[^/]+\/jobs(\/|$)/, service: 'jobs' },
  { pattern: /^\/api\/projects\/[^/]+\/logbook(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/jobs\/[^/]+\/comments(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/experiments\/[^/]+\/comments(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/labs\/[^/]+\/experiments(\/|$)/, service: 'projects' },
  { pattern: /^\/api\/(labs|users|audit|role-schemes)(\/|$)/, service: 'access' },
  { pattern: /^\/api\/(projects|deletion-requests)(\/|\?|$)/, service: 'projects' },
  { pattern: /^\/api\/(jobs|job-templates)(\/|\?|$)/, service: 'jobs' },
];

export function serviceFor(path: string): ServiceName | undefined {
  return ROUTES.find((route) => route.pattern.test(path))?.service;
}
