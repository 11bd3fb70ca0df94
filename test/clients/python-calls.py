"""
Calls Warden through the official Python client (Debian's python3-kubernetes)
with its default models, which leave apiVersion and kind unset, and prints
what it saw as one JSON object for test/clients/python.test.ts to check.
Reads WARDEN_URL and WARDEN_TOKEN; run with /usr/bin/python3.
"""
import json
import os
import sys

from kubernetes import client
from kubernetes.client.rest import ApiException

config = client.Configuration()
config.host = os.environ["WARDEN_URL"]
config.verify_ssl = False
config.api_key = {"authorization": os.environ["WARDEN_TOKEN"]}
config.api_key_prefix = {"authorization": "Bearer"}
api_client = client.ApiClient(config)

core = client.CoreV1Api(api_client)
rbac = client.RbacAuthorizationV1Api(api_client)
authz = client.AuthorizationV1Api(api_client)
authn = client.AuthenticationV1Api(api_client)
seen = {}


def refusal(call):
    try:
        call()
    except ApiException as e:
        body = json.loads(e.body)
        return {"code": e.status, "reason": body.get("reason"), "message": body.get("message")}
    return None


ns = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="python")))
seen["namespace"] = {"kind": ns.kind, "phase": ns.status.phase}

role = rbac.create_namespaced_role("python", client.V1Role(
    metadata=client.V1ObjectMeta(name="pod-reader"),
    rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["get"])],
))
seen["role"] = {"kind": role.kind, "apiVersion": role.api_version, "uid": role.metadata.uid}

listed = rbac.list_namespaced_role("python")
seen["listed"] = [r.metadata.name for r in listed.items]

# A dict body is sent as a strategic merge patch.
patched = rbac.patch_namespaced_role("pod-reader", "python", {"metadata": {"labels": {"team": "py"}}})
seen["patchedLabels"] = patched.metadata.labels

current = rbac.read_namespaced_role("pod-reader", "python")
current.rules = [client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["get", "list"])]
replaced = rbac.replace_namespaced_role("pod-reader", "python", current)
seen["replacedVerbs"] = replaced.rules[0].verbs

binding = rbac.create_namespaced_role_binding("python", client.V1RoleBinding(
    metadata=client.V1ObjectMeta(name="alice-reads"),
    subjects=[client.V1Subject(kind="User", name="alice", api_group="rbac.authorization.k8s.io")],
    role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role", name="pod-reader"),
))
seen["binding"] = binding.kind

sa = core.create_namespaced_service_account("python", client.V1ServiceAccount(
    metadata=client.V1ObjectMeta(name="builder"), secrets=[client.V1ObjectReference(name="one")],
))
merged = core.patch_namespaced_service_account("builder", "python", {"secrets": [{"name": "two"}]})
seen["serviceAccountSecrets"] = [s.name for s in merged.secrets]


def review(verb):
    r = authz.create_subject_access_review(client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
        user="alice", resource_attributes=client.V1ResourceAttributes(namespace="python", verb=verb, resource="pods"),
    )))
    return {"kind": r.kind, "allowed": r.status.allowed}


seen["reviewList"] = review("list")
seen["reviewDelete"] = review("delete")
local = authz.create_namespaced_local_subject_access_review("python", client.V1LocalSubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
    user="alice", resource_attributes=client.V1ResourceAttributes(namespace="python", verb="get", resource="pods"),
)))
seen["localReview"] = local.status.allowed
self_review = authz.create_self_subject_access_review(client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
    resource_attributes=client.V1ResourceAttributes(verb="create", resource="namespaces"),
)))
seen["selfReview"] = self_review.status.allowed

seen["conflict"] = refusal(lambda: rbac.create_namespaced_role("python", client.V1Role(metadata=client.V1ObjectMeta(name="pod-reader"), rules=[])))

deleted = rbac.delete_namespaced_role_binding("alice-reads", "python")
seen["deleted"] = deleted.status
seen["missing"] = refusal(lambda: rbac.read_namespaced_role_binding("alice-reads", "python"))
core.delete_namespace("python")
seen["namespaceGone"] = refusal(lambda: core.read_namespace("python"))

json.dump(seen, sys.stdout)
