// The projects specifications take their callers from the shared fixtures.
export { actingAs, facility, lab } from '@cairn/testing';
