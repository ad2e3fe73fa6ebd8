#!/usr/bin/env python3
"""Extracts, from GitHub's published OpenAPI description (api.github.com.json
in the npm package @octokit/openapi), the part the Action's pull-request
comment (action/comment.py) relies on: for each REST operation it calls, the
method, the path, the query parameters, the JSON body's properties and
required ones, the answers' status codes; and the required fields of the
objects it reads (issue-comment, simple-user).

    ci/github-api-operations.py api.github.com.json > tests/it/github_api/operations.json

The integration tests check every request the action makes against this file,
and the stand-in server's answers carry the required fields it lists;
.ci/validate-ci-files regenerates it from the pinned package and fails when it
differs.
"""
import json
import sys

OPERATIONS = [
    "users/get-authenticated",
    "issues/list-comments",
    "issues/create-comment",
    "issues/update-comment",
]
SCHEMAS = ["issue-comment", "simple-user"]


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = spec
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or op.get("operationId") not in OPERATIONS:
                continue
            params = [resolve(spec, p) for p in op.get("parameters", [])]
            body = resolve(
                spec,
                op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema"),
            )
            found[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "path_parameters": sorted(p["name"] for p in params if p["in"] == "path"),
                "query_parameters": sorted(p["name"] for p in params if p["in"] == "query"),
                "body_properties": sorted((body or {}).get("properties", {})),
                "body_required": sorted((body or {}).get("required", [])),
                "responses": sorted(op["responses"]),
            }
    missing = [o for o in OPERATIONS if o not in found]
    if missing:
        sys.exit(f"not in the description: {missing}")
    out = {
        "source": "@octokit/openapi generated/api.github.com.json",
        "operations": {o: found[o] for o in OPERATIONS},
        "schemas": {s: {"required": sorted(spec["components"]["schemas"][s]["required"])} for s in SCHEMAS},
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


main()
