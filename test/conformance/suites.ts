/** The conformance suites, in the order they run. Each one skips itself when its corpus file is absent. */
import type { Suite } from './client.ts';

export const suites: Suite[] = [];
