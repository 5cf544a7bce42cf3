"""Writes Kubernetes JSON schemas that kubeconform can read offline.

kubernetes-validate ships one schema per kind whose references point into a
shared `_definitions.json` (`/api/_definitions.json#/$defs/X`), which
kubeconform cannot resolve. This writes each kind's schema again with the
definitions it reaches copied under `definitions` and every `$ref` pointing
there (`#/definitions/X`).

    python inline_schemas.py 1.33.0 OUT_DIR   # run with kubernetes-validate installed
"""

import json
import os
import re
import sys

import kubernetes_validate

REF = re.compile(r"^(?:/api/_definitions\.json)?#/\$defs/(.+)$")


def rewrite(node, reached):
    """Points every definitions reference of node at #/definitions; records the names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            match = REF.match(value) if key == "$ref" and isinstance(value, str) else None
            if match:
                reached.add(match.group(1))
                out[key] = "#/definitions/" + match.group(1)
            else:
                out[key] = rewrite(value, reached)
        return out
    if isinstance(node, list):
        return [rewrite(item, reached) for item in node]
    return node


def main(version, out_dir):
    source = os.path.join(os.path.dirname(kubernetes_validate.__file__),
                          "kubernetes-json-schema", f"v{version}-local-strict")
    if not os.path.isdir(source):
        sys.exit(f"inline_schemas: kubernetes-validate has no schemas for {version}")
    with open(os.path.join(source, "_definitions.json")) as f:
        definitions = json.load(f)["$defs"]
    # Each definition rewritten once, with the names it references itself.
    rewritten, refs = {}, {}
    for name, schema in definitions.items():
        reached = set()
        rewritten[name] = rewrite(schema, reached)
        refs[name] = reached
    os.makedirs(out_dir, exist_ok=True)
    count = 0
    for file in sorted(os.listdir(source)):
        if not file.endswith(".json") or file in ("_definitions.json", "all.json"):
            continue
        with open(os.path.join(source, file)) as f:
            schema = json.load(f)
        todo = set()
        schema = rewrite(schema, todo)
        needed = set()
        while todo:
            name = todo.pop()
            if name not in needed:
                needed.add(name)
                todo |= refs[name]
        schema["definitions"] = {name: rewritten[name] for name in sorted(needed)}
        with open(os.path.join(out_dir, file), "w") as f:
            json.dump(schema, f, separators=(",", ":"))
        count += 1
    print(f"inline_schemas: {count} schemas for Kubernetes {version} in {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
