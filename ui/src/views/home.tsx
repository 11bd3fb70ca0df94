// The landing view: what each view answers.
import { Page } from '../parts.tsx';
import { useSession } from '../session.ts';

export function HomeView() {
  const { me } = useSession();
  return (
    <Page title="Access review" intro={`Signed in as ${me.username}. Pick a view: each link below can be bookmarked or pasted into a ticket.`}>
      <dl class="home">
        <dt><a href="/ui/check">Check</a></dt><dd>May a user do something? The decision and why: the binding, role and rule that grant it, or what is missing.</dd>
        <dt><a href="/ui/who-can">Who can</a></dt><dd>Every subject that may do something, with the bindings that grant it; export as CSV.</dd>
        <dt><a href="/ui/matrix">Matrix</a></dt><dd>Resources × verbs for a subject in a namespace.</dd>
        <dt><a href="/ui/subjects">Subjects</a></dt><dd>A user's, group's or service account's bindings, rules per namespace and recent decisions.</dd>
        <dt><a href="/ui/risks">Risks</a></dt><dd>Dangerous or broken grants: escalation, secrets, wildcards, cluster-admin, missing roles.</dd>
        <dt><a href="/ui/what-if">What if</a></dt><dd>Paste a change and see who would gain or lose what before anything is written.</dd>
        <dt><a href="/ui/network">Network</a></dt><dd>Which pods of a namespace may reach which, under its NetworkPolicies.</dd>
        <dt><a href="/ui/quotas">Quotas</a></dt><dd>Usage against hard limits per namespace and per tenant.</dd>
        <dt><a href="/ui/history">History</a></dt><dd>Changes to objects and the decision log.</dd>
      </dl>
    </Page>
  );
}
