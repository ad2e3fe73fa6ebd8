"""Checks the Teams messages that .ci/validate-teams-card captured.

usage: validate_teams_card.py ADAPTIVE_CARD_SCHEMA WORKDIR

WORKDIR/capture/{breaking,pass,test}.json are the bodies driftguard posted;
WORKDIR/{breaking,pass}.out the JSON reports of the same runs. Each message
must be a Workflows-webhook message whose one attachment is an Adaptive Card
1.4 that the Adaptive Card 1.4 schema accepts, with formats checked.

`msteams` ({"width": "Full"}) is Teams' own extension of the card, documented
by Microsoft for Teams but not part of the Adaptive Card schema (whose
AdaptiveCard object allows no other property): it is checked here field by
field and left out of the schema validation.

Broken copies of a real card (a wrong enum value, an unknown property, a
missing required field, an unknown element type, a 1.5 feature) must be
refused, so a validator that accepts anything fails this script too.
"""

import copy
import json
import sys
from pathlib import Path

import jsonschema
from jsonschema.exceptions import best_match

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)


def schema_errors(validator, card):
    """The schema's complaints about a card, `msteams` aside; [] when valid."""
    card = {k: v for k, v in card.items() if k != "msteams"}
    if validator.is_valid(card):
        return []
    # The root and every element are anyOf's, whose errors name the wrong
    # branch: validate each element against the definition of its own type.
    definitions = validator.schema["definitions"]
    reasons = []
    for where in ("body", "actions"):
        for i, element in enumerate(card.get(where) or []):
            kind = element.get("type") if isinstance(element, dict) else None
            if kind not in definitions:
                reasons.append(f"$.{where}[{i}]: unknown type {kind!r}")
                continue
            own = validator.evolve(schema={"$ref": f"#/definitions/{kind}", "definitions": definitions})
            for error in own.iter_errors(element):
                reasons.append(f"$.{where}[{i}]{error.json_path[1:]}: {error.message[:300]}")
    if not reasons:
        error = best_match(validator.iter_errors(card))
        while error.context:
            error = best_match(error.context)
        reasons.append(f"{error.json_path}: {error.message[:300]}")
    return reasons


def texts(card):
    return [b.get("text", "") for b in card["body"] if b["type"] == "TextBlock"]


def facts(card):
    fact_sets = [b for b in card["body"] if b["type"] == "FactSet"]
    return {f["title"]: f["value"] for s in fact_sets for f in s["facts"]}


def check_message(name, message, validator):
    """Envelope, Teams extension and schema; returns the card."""
    check(message.get("type") == "message", f"{name}: type is {message.get('type')!r}, not 'message'")
    attachments = message.get("attachments") or []
    check(len(attachments) == 1, f"{name}: {len(attachments)} attachments, want 1")
    attachment = attachments[0]
    check(
        attachment.get("contentType") == "application/vnd.microsoft.card.adaptive",
        f"{name}: contentType {attachment.get('contentType')!r}",
    )
    card = attachment["content"]
    check(card.get("type") == "AdaptiveCard", f"{name}: content is not an AdaptiveCard")
    check(card.get("version") == "1.4", f"{name}: card version {card.get('version')!r}, want '1.4'")
    check(card.get("msteams") == {"width": "Full"}, f"{name}: msteams is {card.get('msteams')!r}")
    for error in schema_errors(validator, card):
        check(False, f"{name}: Adaptive Card 1.4 schema: {error}")
    return card


def main():
    schema_path, workdir = Path(sys.argv[1]), Path(sys.argv[2])
    schema = json.loads(schema_path.read_text())
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
    captured = {
        name: json.loads((workdir / "capture" / f"{name}.json").read_text())
        for name in ("breaking", "pass", "test")
    }
    cards = {name: check_message(name, m, validator) for name, m in captured.items()}

    # What the cards say, against the JSON report of the same run.
    for name, title, result in [
        ("breaking", "Schema Drift Detected", "breaking"),
        ("pass", "Schema Check Passed", "pass"),
    ]:
        report = json.loads((workdir / f"{name}.out").read_text())
        check(report["result"] == result, f"{name}: the fixture gave {report['result']}, want {result}")
        card = cards[name]
        check(texts(card)[0] == title, f"{name}: title {texts(card)[0]!r}")
        counts = report["counts"]
        want = f"{counts['breaking']} breaking · {counts['warning']} warning · {counts['info']} info"
        check(facts(card).get("Changes") == want, f"{name}: Changes fact {facts(card).get('Changes')!r}, want {want!r}")
        # Fact values are Teams markdown, with its special characters escaped.
        want = f"{result} \\(severity {report['severity']}\\)"
        check(facts(card).get("Result") == want, f"{name}: Result fact {facts(card).get('Result')!r}, want {want!r}")
        listed = [t for t in texts(card)[1:] if not t.startswith(("…and", "baseline "))]
        check(
            len(listed) == min(5, len(report["changes"])),
            f"{name}: {len(listed)} change lines for {len(report['changes'])} changes",
        )
    breaking = cards["breaking"]
    check(
        breaking.get("actions")
        == [{"type": "Action.OpenUrl", "title": "View CI run", "url": "https://github.com/acme/shop/actions/runs/4242"}],
        f"breaking: actions {breaking.get('actions')!r}",
    )
    check("actions" not in cards["pass"], "pass: a CI link without a CI run")
    check(texts(cards["test"])[0] == "DriftGuard Test Notification", "test: title")
    check(
        any("this channel is reachable" in t for t in texts(cards["test"])),
        "test: the card does not say it is a test",
    )

    # The validator must refuse broken cards.
    def broken(change):
        card = copy.deepcopy(breaking)
        change(card)
        return card

    def set_key(path, key, value):
        def apply(card):
            node = card
            for step in path:
                node = node[step]
            node[key] = value

        return apply

    def delete(path, key):
        def apply(card):
            node = card
            for step in path:
                node = node[step]
            del node[key]

        return apply

    for what, change in [
        ("a TextBlock weight that is not an enum value", set_key(["body", 0], "weight", "Heavy")),
        ("an unknown TextBlock property", set_key(["body", 0], "colour", "Attention")),
        ("a TextBlock without text", delete(["body", 0], "text")),
        ("a fact value that is not a string", set_key(["body", 1, "facts", 0], "value", 3)),
        ("an unknown element type", set_key(["body", 2], "type", "Text")),
        ("an Action.OpenUrl without url", delete(["actions", 0], "url")),
        ("an unknown card property", set_key([], "width", "Full")),
        ("a 1.5 property (TextBlock style)", set_key(["body", 0], "style", "heading")),
    ]:
        check(schema_errors(validator, broken(change)), f"the schema check accepted {what}")

    if FAILURES:
        for failure in FAILURES:
            print(f"validate-teams-card: FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print(
        "validate-teams-card: ok: breaking, pass and test messages are Adaptive Card 1.4 "
        "(schema-valid, msteams width Full), 8 broken cards refused"
    )


if __name__ == "__main__":
    main()
