"""Holds rendered chart output to seed 001's Kubernetes shape and seed 002's probes.

    python3 check.py RENDERED.yaml [--workstream BIN]

Reads `helm template` output and asserts: exactly four Deployments, one per
role, and one Service selecting each; exactly one Ingress, pointing at the
gateway's Service; probes on /health and /ready with seed 002's periods and a
startup probe, on named ports; terminationGracePeriodSeconds longer than the
drain deadline; no volume shared between Deployments and no persistent one;
no secret value in any ConfigMap or env value; the pod security settings.
With --workstream, each role's ConfigMap is run through
`workstream config check --role=ROLE`, its secret files replaced by stand-ins,
so every setting a role requires is there. Prints each failure; exits 1 if any.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROLES = ("gateway", "tasks", "notifications", "mailer")
SECRET_SETTINGS = ("POSTGRES_URL", "RABBITMQ_URL", "REDIS_URL", "MONGO_URL", "SMTP_URL")
# A URL with userinfo (user:password@) is a secret wherever it appears.
CREDENTIALS = re.compile(r"[a-z]+://[^/@\s]*:[^/@\s]*@")
STANDINS = {"POSTGRES_URL": "postgresql://u:p@db:5432/w", "RABBITMQ_URL": "amqp://u:p@mq:5672/%2f",
            "REDIS_URL": "redis://r:6379/0", "MONGO_URL": "mongodb://m:27017/w", "SMTP_URL": "smtp://mail:25"}

failures = []
checked = 0


def check(condition, message):
    global checked
    checked += 1
    if not condition:
        failures.append(message)
    return condition


def seconds(duration):
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", duration)
    if not match:
        return None
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_probes(name, container):
    ports = {p.get("name") for p in container.get("ports", [])}
    expected = {"livenessProbe": ("/health", 10, 3), "readinessProbe": ("/ready", 5, 1)}
    for kind, (path, period, threshold) in expected.items():
        probe = container.get(kind) or {}
        get = probe.get("httpGet") or {}
        check(get.get("path") == path, f"{name}: {kind} is not GET {path}")
        check(probe.get("periodSeconds") == period, f"{name}: {kind} period is not {period}s")
        check(probe.get("failureThreshold") == threshold, f"{name}: {kind} threshold is not {threshold}")
        check(get.get("port") in ports, f"{name}: {kind} port {get.get('port')!r} is not a named port")
    startup = (container.get("startupProbe") or {}).get("httpGet") or {}
    check(startup.get("path") == "/health", f"{name}: no startup probe on /health")


def check_security(name, pod):
    sc = pod.get("securityContext") or {}
    check(sc.get("runAsNonRoot") is True, f"{name}: runAsNonRoot is not true")
    check((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{name}: seccomp is not RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, f"{name}: a service account token is mounted")
    for c in pod.get("containers", []):
        csc = c.get("securityContext") or {}
        check(csc.get("allowPrivilegeEscalation") is False, f"{name}: privilege escalation allowed")
        check(csc.get("readOnlyRootFilesystem") is True, f"{name}: root filesystem writable")
        check((csc.get("capabilities") or {}).get("drop") == ["ALL"], f"{name}: capabilities not all dropped")


def check_no_secret_values(objects):
    for obj in objects:
        name = f"{obj['kind']} {obj['metadata']['name']}"
        if obj["kind"] == "ConfigMap":
            for key, value in (obj.get("data") or {}).items():
                check(not CREDENTIALS.search(str(value)), f"{name}: {key} holds a URL with credentials")
                check(not any(key == f"WORKSTREAM_{s}" for s in SECRET_SETTINGS),
                      f"{name}: {key} is a secret setting in a ConfigMap (use {key}_FILE)")
        check(obj["kind"] != "Secret", f"{name}: the chart renders a Secret")
        pod = pod_spec(obj)
        for c in (pod or {}).get("containers", []):
            for env in c.get("env", []):
                value = str(env.get("value", ""))
                check(not CREDENTIALS.search(value), f"{name}: env {env['name']} holds a URL with credentials")
                check(env["name"] not in [f"WORKSTREAM_{s}" for s in SECRET_SETTINGS],
                      f"{name}: env {env['name']} is a secret setting given as a value")


def check_network_policies(policies, deployments):
    """Only the gateway's REST port is open to all; tasks' gRPC port only to the gateway."""
    pods = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d["spec"]["template"]["metadata"]["labels"]
            for d in deployments}
    for role, labels in pods.items():
        mine = [p for p in policies if selects(p["spec"]["podSelector"].get("matchLabels"), labels)]
        check(len(mine) == 1 and "Ingress" in mine[0]["spec"].get("policyTypes", []),
              f"NetworkPolicy: the {role} pods are not under one Ingress policy")
        for policy in mine:
            for rule in policy["spec"].get("ingress") or []:
                ports = {p["port"] for p in rule.get("ports", [])}
                check(bool(ports), f"NetworkPolicy {policy['metadata']['name']}: a rule opens every port")
                if "http" in ports:
                    check(role == "gateway", f"NetworkPolicy: the REST port of {role} is open")
                if "grpc" in ports:
                    peers = rule.get("from") or []
                    check(role == "tasks" and len(peers) == 1 and set(peers[0]) == {"podSelector"}
                          and selects(peers[0]["podSelector"].get("matchLabels"), pods.get("gateway", {}))
                          and not selects(peers[0]["podSelector"].get("matchLabels"), labels),
                          f"NetworkPolicy: gRPC of {role} is open to more than the gateway")


def pod_spec(obj):
    if obj["kind"] in ("Deployment", "Job"):
        return obj["spec"]["template"]["spec"]
    return None


def check_config(workstream, role, data, scratch):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for key, value in data.items():
        if key.endswith("_FILE"):  # a stand-in file where the Secret would be mounted
            setting = key[len("WORKSTREAM_"):-len("_FILE")]
            path = os.path.join(scratch, f"{role}-{setting}")
            with open(path, "w") as f:
                f.write(STANDINS[setting] + "\n")
            value = path
        env[key] = value
    run = subprocess.run([workstream, "config", "check", f"--role={role}"], env=env,
                         capture_output=True, text=True)
    check(run.returncode == 0,
          f"config check --role={role} on its ConfigMap failed: {(run.stdout + run.stderr).strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rendered")
    parser.add_argument("--workstream", help="the workstream binary, to run `config check` per role")
    args = parser.parse_args()
    with open(args.rendered) as f:
        objects = [o for o in yaml.safe_load_all(f) if o]
    of = lambda kind: [o for o in objects if o["kind"] == kind]
    deployments, services, ingresses = of("Deployment"), of("Service"), of("Ingress")
    configmaps = {o["metadata"]["name"]: o for o in of("ConfigMap")}

    check(len(deployments) == 4, f"{len(deployments)} Deployments, not 4")
    roles = sorted(d["metadata"]["labels"].get("app.kubernetes.io/component") for d in deployments)
    check(roles == sorted(ROLES), f"Deployments are for {roles}, not one per role")
    check(len(services) == 4, f"{len(services)} Services, not 4")
    check(all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in services), "a Service is not ClusterIP")

    by_role, used_volumes = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for d in deployments:
            name = d["metadata"]["name"]
            role = d["metadata"]["labels"].get("app.kubernetes.io/component")
            check(name.endswith("-" + role), f"Deployment {name} is not named for its role {role}")
            pod = d["spec"]["template"]["spec"]
            labels = d["spec"]["template"]["metadata"]["labels"]
            check(selects(d["spec"]["selector"]["matchLabels"], labels), f"{name}: selector misses its pods")
            mine = [s for s in services if selects(s["spec"].get("selector"), labels)]
            check(len(mine) == 1, f"{name}: {len(mine)} Services select its pods, not 1")
            by_role[role] = mine[0] if mine else None
            check("checksum/config" in d["spec"]["template"]["metadata"].get("annotations", {}),
                  f"{name}: no checksum/config annotation")
            check(len(pod["containers"]) == 1, f"{name}: not one container")
            container = pod["containers"][0]
            check(container.get("args") == ["serve", f"--role={role}"], f"{name}: does not serve --role={role}")
            ports = {p["name"] for p in container.get("ports", [])}
            wanted = {"gateway": {"http", "admin"}, "tasks": {"grpc", "admin"}}.get(role, {"admin"})
            check(ports == wanted, f"{name}: ports {sorted(ports)}, not {sorted(wanted)}")
            check_probes(name, container)
            check_security(name, pod)
            check(pod.get("enableServiceLinks") is False, f"{name}: service links put *_PORT variables in its env")
            refs = [e["configMapRef"]["name"] for e in container.get("envFrom", []) if "configMapRef" in e]
            check(len(refs) == 1 and refs[0] in configmaps, f"{name}: not configured by one ConfigMap of the chart")
            data = configmaps[refs[0]]["data"] if refs and refs[0] in configmaps else {}
            drain = seconds(data.get("WORKSTREAM_SHUTDOWN_TIMEOUT", ""))
            check(drain is not None, f"{name}: WORKSTREAM_SHUTDOWN_TIMEOUT not set in its ConfigMap")
            check(drain is not None and pod.get("terminationGracePeriodSeconds", 30) > drain,
                  f"{name}: terminationGracePeriodSeconds not longer than WORKSTREAM_SHUTDOWN_TIMEOUT")
            if args.workstream and data:
                check_config(args.workstream, role, data, scratch)
            for volume in pod.get("volumes", []):
                source = next(k for k in volume if k != "name")
                check(source in ("emptyDir", "projected", "configMap", "secret"),
                      f"{name}: volume {volume['name']} is a {source}, which pods could share")
                if source == "configMap":
                    used_volumes.setdefault(("configMap", volume["configMap"]["name"]), []).append(name)
            check(not any("persistentVolumeClaim" in v for v in pod.get("volumes", [])), f"{name}: mounts a PVC")
    for (kind, ref), users in used_volumes.items():
        check(len(users) == 1, f"{kind} {ref} is mounted by {users}")
    check(not of("PersistentVolumeClaim"), "the chart renders a PersistentVolumeClaim")
    for s in services:
        # Every Service port reaches a named container port of the pods it selects.
        pods = [d for d in deployments if selects(s["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
        names = {p["name"] for d in pods for p in d["spec"]["template"]["spec"]["containers"][0].get("ports", [])}
        for p in s["spec"]["ports"]:
            check(p.get("targetPort") in names, f"Service {s['metadata']['name']}: port {p['name']} targets nothing")

    check(len(ingresses) == 1, f"{len(ingresses)} Ingresses, not 1")
    gateway = by_role.get("gateway")
    for ing in ingresses:
        backends = [p["backend"]["service"] for r in ing["spec"]["rules"] for p in r["http"]["paths"]]
        check(bool(backends) and gateway is not None and all(b["name"] == gateway["metadata"]["name"] for b in backends),
              f"Ingress {ing['metadata']['name']} points at {[b['name'] for b in backends]}, not the gateway's Service")
        gateway_ports = {p["name"] for p in gateway["spec"]["ports"]} if gateway else set()
        check(all(b["port"].get("name") in gateway_ports for b in backends), "the Ingress names a port the gateway's Service lacks")

    jobs = {o["metadata"]["labels"].get("app.kubernetes.io/component"): o for o in of("Job")}
    check(sorted(jobs) == ["migrate", "topology"], f"Jobs {sorted(jobs)}, not migrate and topology")
    for role, job in jobs.items():
        hooks = job["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        check(set(hooks.split(",")) == {"pre-install", "pre-upgrade"}, f"Job {role}: hooks are {hooks!r}")
        check("backoffLimit" in job["spec"] and "ttlSecondsAfterFinished" in job["spec"], f"Job {role}: no backoff limit or TTL")
        check_security(f"Job {role}", job["spec"]["template"]["spec"])
    policies = of("NetworkPolicy")
    if policies:
        check_network_policies(policies, deployments)
    check_no_secret_values(objects)

    for message in failures:
        print(f"check: FAIL {message}")
    print(f"check: {args.rendered}: {checked - len(failures)} of {checked} checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
