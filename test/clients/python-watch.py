"""
Watches Roles of one namespace through the official Python client (Debian's
python3-kubernetes): `watch.Watch().stream(list_namespaced_role, ...)`, as
its documentation shows. Prints each event as one JSON line as it arrives,
for test/clients/python-watch.test.ts, which makes the changes meanwhile.

First a stream from the current state, stopped once WATCH_STOP_AFTER is
deleted; then a stream from the resourceVersion of the first event, which
replays what came after it and ends at its timeout_seconds.
Reads WARDEN_URL, WARDEN_TOKEN, WATCH_NAMESPACE, WATCH_STOP_AFTER; run with
/usr/bin/python3.
"""
import json
import os
import sys

from kubernetes import client, watch

config = client.Configuration()
config.host = os.environ["WARDEN_URL"]
config.verify_ssl = False
config.api_key = {"authorization": os.environ["WARDEN_TOKEN"]}
config.api_key_prefix = {"authorization": "Bearer"}
rbac = client.RbacAuthorizationV1Api(client.ApiClient(config))
namespace = os.environ["WATCH_NAMESPACE"]
stop_after = os.environ["WATCH_STOP_AFTER"]


def report(phase, event):
    role = event["object"]
    print(json.dumps({
        "phase": phase,
        "type": event["type"],
        "model": type(role).__name__,
        "kind": event["raw_object"].get("kind"),
        "name": role.metadata.name,
        "namespace": role.metadata.namespace,
        "resourceVersion": role.metadata.resource_version,
        "verbs": [verb for rule in (role.rules or []) for verb in rule.verbs],
        "labels": role.metadata.labels,
    }), flush=True)


w = watch.Watch()
first_version = None
for event in w.stream(rbac.list_namespaced_role, namespace, timeout_seconds=20):
    report(1, event)
    if first_version is None:
        first_version = event["object"].metadata.resource_version
    if event["type"] == "DELETED" and event["object"].metadata.name == stop_after:
        w.stop()

for event in watch.Watch().stream(rbac.list_namespaced_role, namespace, resource_version=first_version, timeout_seconds=1):
    report(2, event)

print(json.dumps({"done": True}), flush=True)
