/** The conformance suites, in the order they run. Each one skips itself when its corpus file is absent. */
import type { Suite } from './client.ts';
import { rbacCases, rbacEscalation, rbacRulesReview } from './rbac.ts';
import { netpolSuite } from './netpol-cases.ts';
import { quotaCasesSuite } from './quota-cases.ts';
import { quotaQuantitiesSuite } from './quota-quantities.ts';

export const suites: Suite[] = [rbacCases, rbacEscalation, rbacRulesReview, netpolSuite, quotaCasesSuite, quotaQuantitiesSuite];
