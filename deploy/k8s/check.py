#!/usr/bin/env python3
"""Checks what `kubectl apply -k` cannot check without a cluster, for each overlay.

Renders deploy/k8s/overlays/<name> with `kubectl kustomize` (or `kustomize build`) and checks that:
- every reference resolves: Service and PodDisruptionBudget selectors select a pod template, Service
  target ports and probe ports are named container ports, HPAs scale an existing Deployment, ConfigMaps,
  Secrets and claims that pods use exist (Secrets the operator must create are listed, not failed);
- every pod meets the namespace's `restricted` Pod Security Standard, and Cairn's own containers run with
  a read-only root file system and probes on /health/live and /health/ready;
- the Ingress sends each /api path where deploy/local/routes.ts does, matching as ingress-nginx does
  (regex paths, case-insensitive, tried longest first), and so does deploy/docker/edge.nginx.conf's map
  (tried in order).
Usage: python3 deploy/k8s/check.py            (needs PyYAML and kubectl or kustomize)
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = REPO / "deploy" / "k8s" / "overlays"
# Secrets holding credentials: created in the cluster, never rendered (production overlay).
OPERATOR_SECRETS = {"cairn-auth", "cairn-stores", "cairn-tls"}
# Services whose Deployment is commented out in base/kustomization.yaml until their code exists.
NOT_YET_DEPLOYED = {"jobs", "logbook"}


def render(overlay: Path) -> list[dict]:
    if shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(overlay)]
    elif shutil.which("kustomize"):
        command = ["kustomize", "build", str(overlay)]
    else:
        sys.exit("Needs kubectl (kubectl kustomize) or kustomize on PATH.")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def pod_templates(docs: list[dict]) -> list[tuple[str, dict]]:
    return [
        (f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"])
        for doc in docs
        if doc["kind"] in ("Deployment", "StatefulSet")
    ]


def selects(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def check_references(docs: list[dict], errors: list[str], notes: list[str]) -> None:
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    templates = pod_templates(docs)

    for name, service in by_kind.get("Service", {}).items():
        matching = [t for _, t in templates if selects(service["spec"]["selector"], t["metadata"]["labels"])]
        if not matching:
            errors.append(f"Service/{name} selects no pod template")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort")
            for template in matching:
                names = {p.get("name") for c in template["spec"]["containers"] for p in c.get("ports", [])}
                if isinstance(target, str) and target not in names:
                    errors.append(f"Service/{name} targets port {target!r}, not a named container port")

    for name, pdb in by_kind.get("PodDisruptionBudget", {}).items():
        if not any(selects(pdb["spec"]["selector"]["matchLabels"], t["metadata"]["labels"]) for _, t in templates):
            errors.append(f"PodDisruptionBudget/{name} selects no pod template")

    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        target = hpa["spec"]["scaleTargetRef"]
        if target["name"] not in by_kind.get(target["kind"], {}):
            errors.append(f"HorizontalPodAutoscaler/{name} scales missing {target['kind']}/{target['name']}")

    for owner, template in templates:
        spec = template["spec"]
        for volume in spec.get("volumes", []):
            if "configMap" in volume and volume["configMap"]["name"] not in by_kind.get("ConfigMap", {}):
                errors.append(f"{owner} mounts missing ConfigMap {volume['configMap']['name']}")
            claim = volume.get("persistentVolumeClaim", {}).get("claimName")
            if claim and claim not in by_kind.get("PersistentVolumeClaim", {}):
                errors.append(f"{owner} mounts missing PersistentVolumeClaim {claim}")
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key not in source:
                        continue
                    ref = source[key]["name"]
                    if ref in by_kind.get(kind, {}):
                        continue
                    if kind == "Secret" and ref in OPERATOR_SECRETS:
                        notes.append(f"{owner} needs Secret {ref}: create it in the cluster")
                    else:
                        errors.append(f"{owner} uses missing {kind} {ref}")
            port_names = {p.get("name") for p in container.get("ports", [])}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                port = container.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str) and port not in port_names:
                    errors.append(f"{owner} {probe} uses port {port!r}, not a named container port")

    for name, ingress in by_kind.get("Ingress", {}).items():
        if "tls" in ingress["spec"]:
            notes.append(f"Ingress/{name} needs Secret {ingress['spec']['tls'][0]['secretName']}: create it")
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = by_kind.get("Service", {}).get(backend["name"])
                if service is None:
                    if backend["name"] in NOT_YET_DEPLOYED:
                        continue
                    errors.append(f"Ingress/{name} path {path['path']} names missing Service {backend['name']}")
                elif backend["port"].get("name") not in {p["name"] for p in service["spec"]["ports"]}:
                    errors.append(f"Ingress/{name} path {path['path']} names a port Service/{backend['name']} lacks")


def check_pod_security(docs: list[dict], errors: list[str]) -> None:
    """The `restricted` Pod Security Standard, plus Cairn's own rules for its service containers."""
    for owner, template in pod_templates(docs):
        spec = template["spec"]
        pod_context = spec.get("securityContext", {})
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            errors.append(f"{owner} shares a host namespace")
        if any("hostPath" in volume for volume in spec.get("volumes", [])):
            errors.append(f"{owner} mounts a hostPath")
        for container in spec["containers"] + spec.get("initContainers", []):
            where = f"{owner} container {container['name']}"
            context = container.get("securityContext", {})
            if not (context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))):
                errors.append(f"{where}: runAsNonRoot is not true")
            if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
                errors.append(f"{where}: runs as user 0")
            if context.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{where}: allowPrivilegeEscalation is not false")
            if context.get("privileged"):
                errors.append(f"{where}: privileged")
            if "ALL" not in context.get("capabilities", {}).get("drop", []):
                errors.append(f"{where}: does not drop ALL capabilities")
            if set(context.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
                errors.append(f"{where}: adds capabilities")
            seccomp = context.get("seccompProfile", pod_context.get("seccompProfile", {})).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                errors.append(f"{where}: no RuntimeDefault seccomp profile")
            if "resources" not in container or "limits" not in container["resources"]:
                errors.append(f"{where}: no resource limits")
            if template["metadata"]["labels"].get("app.kubernetes.io/component") == "api":
                if not context.get("readOnlyRootFilesystem"):
                    errors.append(f"{where}: root file system is writable")
                paths = {probe: container.get(probe, {}).get("httpGet", {}).get("path")
                         for probe in ("livenessProbe", "readinessProbe")}
                if paths != {"livenessProbe": "/health/live", "readinessProbe": "/health/ready"}:
                    errors.append(f"{where}: probes are {paths}")


def routes_table() -> list[tuple[str, str]]:
    """(regex, service) from deploy/local/routes.ts, in order."""
    source = (REPO / "deploy" / "local" / "routes.ts").read_text()
    routes = re.findall(r"\{ pattern: /(.+?)/, service: '(\w+)' \}", source)
    if not routes:
        sys.exit("Found no routes in deploy/local/routes.ts: has its format changed?")
    return routes


def sample_paths(routes: list[tuple[str, str]]) -> list[str]:
    """Paths that exercise every rule: each alternative, with and without a tail, plus near misses."""
    samples = {"/", "/api", "/health/ready", "/docs", "/api/experiments/e1", "/api/projectsx", "/api/labsx"}
    for pattern, _ in routes:
        path = pattern.lstrip("^").replace("\\/", "/").replace("[^/]+", "id-1")
        path = path.replace("(/|\\?|$)", "(/|$)")
        stem, _, _ = path.partition("(/|$)")
        alternatives = re.search(r"\(([\w|-]+)\)", stem)
        stems = [stem[:alternatives.start()] + word + stem[alternatives.end():]
                 for word in alternatives.group(1).split("|")] if alternatives else [stem]
        for stem in stems:
            samples.update({stem, stem + "/", stem + "/more/parts", stem + "x"})
    return sorted(samples)


def routes_ts_service(routes: list[tuple[str, str]], path: str) -> str:
    for pattern, service in routes:
        if re.search(pattern.replace("\\/", "/"), path):
            return service
    return "-"


def ingress_service(ingress: dict, path: str) -> str:
    """ingress-nginx with use-regex: `location ~* ^<path>` blocks, longest path first, first match wins."""
    rules = [(p["path"], p["backend"]["service"]["name"]) for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    for regex, service in sorted(rules, key=lambda rule: len(rule[0]), reverse=True):
        if re.match("^" + regex, path, re.IGNORECASE):
            return service
    return "-"


def edge_service(path: str) -> str:
    """deploy/docker/edge.nginx.conf: its `map $uri` regexes, in order."""
    conf = (REPO / "deploy" / "docker" / "edge.nginx.conf").read_text()
    for regex, service in re.findall(r"^\s*~(\S+)\s+(\w+);", conf, re.MULTILINE):
        if re.search(regex, path):
            return service
    return "-"


def check_routing(docs: list[dict], errors: list[str]) -> int:
    routes = routes_table()
    ingress = next(doc for doc in docs if doc["kind"] == "Ingress")
    paths = sample_paths(routes)
    for path in paths:
        expected = routes_ts_service(routes, path)
        for router, got in (("Ingress", ingress_service(ingress, path)), ("edge.nginx.conf", edge_service(path))):
            if got != expected:
                errors.append(f"{router} sends {path} to {got}, routes.ts to {expected}")
    return len(paths)


def main() -> int:
    failed = False
    for overlay in sorted(p for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").exists()):
        errors: list[str] = []
        notes: list[str] = []
        docs = render(overlay)
        check_references(docs, errors, notes)
        check_pod_security(docs, errors)
        paths = check_routing(docs, errors)
        print(f"{overlay.name}: {len(docs)} objects, {paths} paths routed, {len(errors)} problems")
        for line in sorted(set(notes)):
            print(f"  note: {line}")
        for line in errors:
            print(f"  PROBLEM: {line}")
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
