/**
 * The Kubernetes 1.32 API as kube-apiserver 1.32 serves it in discovery
 * (every API enabled): each group with its versions in kube's order of
 * preference (kube-aggregator's version priorities), and in each version
 * its resources — name, kind, scope, verbs, short names, categories,
 * subresources. Groups are in kube's discovery order (group priority).
 * A subresource answers with its parent's kind unless it names another.
 *
 * Pure data. What Warden serves itself is declared where it is served and
 * left out here, one declaration per fact: the stored kinds
 * (engine/kinds.ts) and the reviews and subresources the API lists in its
 * discovery entries (api/composition.ts). Their groups and versions are
 * still here, so discovery keeps kube's order; `storedKindSubresources`
 * holds kube's subresources of stored kinds that Warden does not serve.
 */

export interface CatalogueSubresource {
  name: string;
  verbs: readonly string[];
  /** The kind the subresource answers with; the parent's when absent. */
  kind?: string;
  /** Set when that kind is of another group version (a Scale is autoscaling/v1's). */
  group?: string;
  version?: string;
}

export interface CatalogueResource {
  /** The plural resource name, as in URLs and RBAC rules. */
  name: string;
  kind: string;
  /** The singular name; the kind in lower case when absent, as kube-apiserver derives it. */
  singular?: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly CatalogueSubresource[];
}

export interface CatalogueVersion { version: string; resources: readonly CatalogueResource[] }

/** A group; `name` is '' for the core group (served under /api). */
export interface CatalogueGroup { name: string; versions: readonly CatalogueVersion[] }

const every = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const createOnly = ['create'];
const getUpdate = ['get', 'patch', 'update'];
const connect = ['create', 'get'];
const proxy = ['create', 'delete', 'get', 'patch', 'update'];
const status: CatalogueSubresource = { name: 'status', verbs: getUpdate };
const scale: CatalogueSubresource = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: getUpdate };
const all = ['all'];
const apiExtensions = ['api-extensions'];

type Options = Partial<Pick<CatalogueResource, 'verbs' | 'shortNames' | 'categories' | 'subresources'>>;
const namespaced = (name: string, kind: string, o: Options = {}): CatalogueResource => ({ name, kind, namespaced: true, verbs: every, ...o });
const cluster = (name: string, kind: string, o: Options = {}): CatalogueResource => ({ name, kind, namespaced: false, verbs: every, ...o });

export const kubernetesGroups: readonly CatalogueGroup[] = [
  {
    name: '', versions: [
      { version: 'v1', resources: [
        namespaced('bindings', 'Binding', { verbs: createOnly }),
        cluster('componentstatuses', 'ComponentStatus', { verbs: ['get', 'list'], shortNames: ['cs'] }),
        namespaced('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
        namespaced('endpoints', 'Endpoints', { shortNames: ['ep'] }),
        namespaced('events', 'Event', { shortNames: ['ev'] }),
        namespaced('limitranges', 'LimitRange', { shortNames: ['limits'] }),
        cluster('nodes', 'Node', { shortNames: ['no'], subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: proxy }, status] }),
        namespaced('persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'], subresources: [status] }),
        cluster('persistentvolumes', 'PersistentVolume', { shortNames: ['pv'], subresources: [status] }),
        namespaced('pods', 'Pod', {
          shortNames: ['po'], categories: all, subresources: [
            { name: 'attach', kind: 'PodAttachOptions', verbs: connect },
            { name: 'binding', kind: 'Binding', verbs: createOnly },
            { name: 'ephemeralcontainers', verbs: getUpdate },
            { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: createOnly },
            { name: 'exec', kind: 'PodExecOptions', verbs: connect },
            { name: 'log', verbs: ['get'] },
            { name: 'portforward', kind: 'PodPortForwardOptions', verbs: connect },
            { name: 'proxy', kind: 'PodProxyOptions', verbs: proxy },
            { name: 'resize', verbs: getUpdate },
            status,
          ],
        }),
        namespaced('podtemplates', 'PodTemplate'),
        namespaced('replicationcontrollers', 'ReplicationController', { shortNames: ['rc'], categories: all, subresources: [scale, status] }),
        namespaced('secrets', 'Secret'),
        namespaced('services', 'Service', { shortNames: ['svc'], categories: all, subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: proxy }, status] }),
      ] },
    ],
  },
  {
    name: 'apiregistration.k8s.io', versions: [
      { version: 'v1', resources: [cluster('apiservices', 'APIService', { categories: apiExtensions, subresources: [status] })] },
    ],
  },
  {
    name: 'apps', versions: [
      { version: 'v1', resources: [
        namespaced('controllerrevisions', 'ControllerRevision'),
        namespaced('daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: all, subresources: [status] }),
        namespaced('deployments', 'Deployment', { shortNames: ['deploy'], categories: all, subresources: [scale, status] }),
        namespaced('replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: all, subresources: [scale, status] }),
        namespaced('statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: all, subresources: [scale, status] }),
      ] },
    ],
  },
  {
    name: 'events.k8s.io', versions: [
      { version: 'v1', resources: [namespaced('events', 'Event', { shortNames: ['ev'] })] },
    ],
  },
  {
    // v1 (selfsubjectreviews, tokenreviews) is served by Warden.
    name: 'authentication.k8s.io', versions: [
      { version: 'v1', resources: [] },
      { version: 'v1beta1', resources: [cluster('selfsubjectreviews', 'SelfSubjectReview', { verbs: createOnly })] },
    ],
  },
  {
    // The four access reviews are served by Warden.
    name: 'authorization.k8s.io', versions: [{ version: 'v1', resources: [] }],
  },
  {
    name: 'autoscaling', versions: [
      { version: 'v2', resources: [namespaced('horizontalpodautoscalers', 'HorizontalPodAutoscaler', { shortNames: ['hpa'], categories: all, subresources: [status] })] },
      { version: 'v1', resources: [namespaced('horizontalpodautoscalers', 'HorizontalPodAutoscaler', { shortNames: ['hpa'], categories: all, subresources: [status] })] },
    ],
  },
  {
    name: 'batch', versions: [
      { version: 'v1', resources: [
        namespaced('cronjobs', 'CronJob', { shortNames: ['cj'], categories: all, subresources: [status] }),
        namespaced('jobs', 'Job', { categories: all, subresources: [status] }),
      ] },
    ],
  },
  {
    name: 'certificates.k8s.io', versions: [
      { version: 'v1', resources: [
        cluster('certificatesigningrequests', 'CertificateSigningRequest', { shortNames: ['csr'], subresources: [{ name: 'approval', verbs: getUpdate }, status] }),
      ] },
      { version: 'v1alpha1', resources: [cluster('clustertrustbundles', 'ClusterTrustBundle')] },
    ],
  },
  {
    // networkpolicies (v1) is a stored kind.
    name: 'networking.k8s.io', versions: [
      { version: 'v1', resources: [
        cluster('ingressclasses', 'IngressClass'),
        namespaced('ingresses', 'Ingress', { shortNames: ['ing'], subresources: [status] }),
      ] },
      { version: 'v1beta1', resources: [
        cluster('ipaddresses', 'IPAddress', { shortNames: ['ip'] }),
        cluster('servicecidrs', 'ServiceCIDR', { subresources: [status] }),
      ] },
    ],
  },
  {
    name: 'policy', versions: [
      { version: 'v1', resources: [namespaced('poddisruptionbudgets', 'PodDisruptionBudget', { shortNames: ['pdb'], subresources: [status] })] },
    ],
  },
  {
    // Roles, ClusterRoles and their bindings are stored kinds.
    name: 'rbac.authorization.k8s.io', versions: [{ version: 'v1', resources: [] }],
  },
  {
    name: 'storage.k8s.io', versions: [
      { version: 'v1', resources: [
        cluster('csidrivers', 'CSIDriver'),
        cluster('csinodes', 'CSINode'),
        namespaced('csistoragecapacities', 'CSIStorageCapacity'),
        cluster('storageclasses', 'StorageClass', { shortNames: ['sc'] }),
        cluster('volumeattachments', 'VolumeAttachment', { subresources: [status] }),
      ] },
      { version: 'v1beta1', resources: [cluster('volumeattributesclasses', 'VolumeAttributesClass', { shortNames: ['vac'] })] },
      { version: 'v1alpha1', resources: [cluster('volumeattributesclasses', 'VolumeAttributesClass', { shortNames: ['vac'] })] },
    ],
  },
  {
    name: 'admissionregistration.k8s.io', versions: [
      { version: 'v1', resources: [
        cluster('mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', { categories: apiExtensions }),
        cluster('validatingadmissionpolicies', 'ValidatingAdmissionPolicy', { categories: apiExtensions, subresources: [status] }),
        cluster('validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', { categories: apiExtensions }),
        cluster('validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', { categories: apiExtensions }),
      ] },
      { version: 'v1beta1', resources: [
        cluster('validatingadmissionpolicies', 'ValidatingAdmissionPolicy', { categories: apiExtensions, subresources: [status] }),
        cluster('validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', { categories: apiExtensions }),
      ] },
      { version: 'v1alpha1', resources: [
        cluster('mutatingadmissionpolicies', 'MutatingAdmissionPolicy', { categories: apiExtensions }),
        cluster('mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', { categories: apiExtensions }),
      ] },
    ],
  },
  {
    // customresourcedefinitions is a stored kind.
    name: 'apiextensions.k8s.io', versions: [{ version: 'v1', resources: [] }],
  },
  {
    name: 'scheduling.k8s.io', versions: [
      { version: 'v1', resources: [cluster('priorityclasses', 'PriorityClass', { shortNames: ['pc'] })] },
    ],
  },
  {
    name: 'coordination.k8s.io', versions: [
      { version: 'v1', resources: [namespaced('leases', 'Lease')] },
      { version: 'v1alpha2', resources: [namespaced('leasecandidates', 'LeaseCandidate')] },
    ],
  },
  {
    name: 'node.k8s.io', versions: [{ version: 'v1', resources: [cluster('runtimeclasses', 'RuntimeClass')] }],
  },
  {
    name: 'discovery.k8s.io', versions: [{ version: 'v1', resources: [namespaced('endpointslices', 'EndpointSlice')] }],
  },
  {
    name: 'flowcontrol.apiserver.k8s.io', versions: [
      { version: 'v1', resources: [
        cluster('flowschemas', 'FlowSchema', { subresources: [status] }),
        cluster('prioritylevelconfigurations', 'PriorityLevelConfiguration', { subresources: [status] }),
      ] },
    ],
  },
  {
    name: 'internal.apiserver.k8s.io', versions: [
      { version: 'v1alpha1', resources: [cluster('storageversions', 'StorageVersion', { subresources: [status] })] },
    ],
  },
  {
    name: 'resource.k8s.io', versions: [
      { version: 'v1beta1', resources: [
        cluster('deviceclasses', 'DeviceClass'),
        namespaced('resourceclaims', 'ResourceClaim', { subresources: [status] }),
        namespaced('resourceclaimtemplates', 'ResourceClaimTemplate'),
        cluster('resourceslices', 'ResourceSlice'),
      ] },
      { version: 'v1alpha3', resources: [
        cluster('deviceclasses', 'DeviceClass'),
        namespaced('resourceclaims', 'ResourceClaim', { subresources: [status] }),
        namespaced('resourceclaimtemplates', 'ResourceClaimTemplate'),
        cluster('resourceslices', 'ResourceSlice'),
      ] },
    ],
  },
  {
    name: 'storagemigration.k8s.io', versions: [
      { version: 'v1alpha1', resources: [cluster('storageversionmigrations', 'StorageVersionMigration', { subresources: [status] })] },
    ],
  },
];

/** kube's subresources of kinds Warden stores that Warden does not serve (the parent's kind and scope are the stored kind's). */
export const storedKindSubresources: readonly { group: string; version: string; resource: string; subresources: readonly CatalogueSubresource[] }[] = [
  { group: '', version: 'v1', resource: 'namespaces', subresources: [{ name: 'finalize', verbs: ['update'] }, status] },
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', subresources: [status] },
];
