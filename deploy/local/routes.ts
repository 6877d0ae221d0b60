/**
 * Which service answers which path — the one routing table for the local edge; the Kubernetes Ingress
 * in deploy/k8s and compose's edge list the same paths. First match wins, so specific rules come first.
 */
export type ServiceName = 'access' | 'projects' | 'jobs' | 'logbook';
/** The console's pages and files: npm start's edge serves them itself (console-site.ts), elsewhere the console's nginx does. */
export type RouteTarget = ServiceName | 'console';

export const ROUTES: { pattern: RegExp; service: RouteTarget }[] = [
  { pattern: /^\/api\/projects\/[^/]+\/access(\/|$)/, service: 'access' },
  { pattern: /^\/api\/projects\/[^/]+\/jobs(\/|$)/, service: 'jobs' },
  { pattern: /^\/api\/projects\/[^/]+\/logbook(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/jobs\/[^/]+\/comments(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/jobs\/[^/]+\/ro-crate(\/|$)/, service: 'projects' },
  { pattern: /^\/api\/experiments\/[^/]+\/comments(\/|$)/, service: 'logbook' },
  { pattern: /^\/api\/labs\/[^/]+\/experiments(\/|$)/, service: 'projects' },
  { pattern: /^\/api\/(labs|users|audit|role-schemes)(\/|$)/, service: 'access' },
  { pattern: /^\/api\/(projects|deletion-requests|experiments)(\/|\?|$)/, service: 'projects' },
  { pattern: /^\/api\/(jobs|job-templates)(\/|\?|$)/, service: 'jobs' },
  { pattern: /^\/(?!api(\/|$)|health\/)/, service: 'console' },
];

export function serviceFor(path: string): RouteTarget | undefined {
  return ROUTES.find((route) => route.pattern.test(path))?.service;
}
