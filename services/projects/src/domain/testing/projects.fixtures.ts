// The projects specifications take the callers and the publishing decider from their fixtures.
export { actingAs, facility, lab, publishing } from '@cairn/testing';
