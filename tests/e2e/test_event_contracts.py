"""The event JSON Schemas in contracts/events: valid, and compatible with what v1 promised."""
import copy
import json
import os

import jsonschema
import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
PROMISES = json.load(open(os.path.join(ROOT, "tests", "contracts", "v1_promises.json")))
PROMISES.pop("_comment")


def load_schema(event_type):
    return json.load(open(os.path.join(ROOT, "contracts", "events", event_type + ".schema.json")))


def field(schema, path):
    """The sub-schema at a dotted path, or None."""
    node = schema
    for part in path.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node


def field_type(node):
    if "const" in node or "enum" in node:
        values = [node["const"]] if "const" in node else node["enum"]
        return {type(v).__name__.replace("str", "string") for v in values}.pop()
    return node["type"]


def required(schema, path):
    parent, _, name = path.rpartition(".")
    node = field(schema, parent) if parent else schema
    return node is not None and name in node.get("required", [])


def breaking_changes(schema, promise):
    problems = []
    for path, kind in promise["types"].items():
        node = field(schema, path)
        if node is None:
            problems.append("%s was removed" % path)
        elif field_type(node) != kind:
            problems.append("%s changed type from %s to %s" % (path, kind, field_type(node)))
    problems += ["%s is no longer required" % p for p in promise["required"] if not required(schema, p)]
    return problems


@pytest.mark.parametrize("event_type", sorted(PROMISES))
def test_schema_is_valid_and_keeps_its_v1_promises(event_type):
    schema = load_schema(event_type)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert breaking_changes(schema, PROMISES[event_type]) == []


def test_a_removed_or_retyped_field_is_caught():
    schema = load_schema("workstream.task.created.v1")
    removed = copy.deepcopy(schema)
    del removed["properties"]["payload"]["properties"]["task_id"]
    assert "payload.task_id was removed" in breaking_changes(removed, PROMISES["workstream.task.created.v1"])
    retyped = copy.deepcopy(schema)
    retyped["properties"]["payload"]["properties"]["title"] = {"type": "integer"}
    assert any("payload.title changed type" in p
               for p in breaking_changes(retyped, PROMISES["workstream.task.created.v1"]))
    added = copy.deepcopy(schema)
    added["properties"]["payload"]["properties"]["priority"] = {"type": "string"}
    assert breaking_changes(added, PROMISES["workstream.task.created.v1"]) == []
