"""Drift as JUnit XML, for CircleCI's Tests tab (`store_test_results`).

One test case per managed object (classname = kind, name = address), failing where the
object drifted; objects that exist only in CircleCI come in a second suite, where an extra
object (in a collection the manifest owns) fails and an unmanaged one is skipped: it is
reported, but outside what the manifest claims, so it does not fail the nightly job.
Built with ElementTree, which escapes markup; characters XML 1.0 cannot carry at all
(controls, lone surrogates, U+FFFE/U+FFFF) are written as visible `\\uXXXX` escapes first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from reconciler.render.drift_fields import LEGEND, MANAGED, field_rows, objects
from reconciler.render.text import note_lines
from reconciler.render.values import clean, clip

SUITE = "circleci-reconciler drift"
UNMANAGED_SUITE = "objects outside the manifest"
MESSAGE_LIMIT = 500
_NOT_XML = re.compile("[\ufffe\uffff]")


def _text(value: object) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", clean(value))


def _failure(case: ET.Element, obj: Mapping[str, Any]) -> None:
    status = str(obj.get("status", ""))
    detail = str(obj.get("detail") or "") or LEGEND.get(status, status)
    failure = ET.SubElement(
        case, "failure", {"message": _text(clip(detail, MESSAGE_LIMIT)), "type": _text(status)}
    )
    lines = [f"{_text(obj.get('address', ''))} ({_text(status)}): {_text(detail)}"]
    lines += [
        f"{_text(r.name)}: manifest={_text(r.manifest)} live={_text(r.live)}"
        for r in field_rows(obj)
    ]
    failure.text = "\n".join(lines)


def _fails(obj: Mapping[str, Any]) -> bool:
    return obj.get("status") not in ("ok", "unmanaged")


def _suite(root: ET.Element, name: str, items: list[Mapping[str, Any]]) -> ET.Element:
    failures = sum(1 for o in items if _fails(o))
    skipped = sum(1 for o in items if o.get("status") == "unmanaged")
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": name,
            "tests": str(len(items)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": "0",
        },
    )
    for obj in items:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": _text(obj.get("kind", "")),
                "name": _text(obj.get("address", "")),
                "time": "0",
            },
        )
        if _fails(obj):
            _failure(case, obj)
        elif obj.get("status") == "unmanaged":
            detail = str(obj.get("detail") or "") or LEGEND.get("unmanaged", "unmanaged")
            ET.SubElement(case, "skipped", {"message": _text(clip(detail, MESSAGE_LIMIT))})
    return suite


def render_drift_junit(report: Mapping[str, Any]) -> str:
    """A `<testsuites>` document: the managed objects' suite, then the unmanaged one."""
    items = objects(report)
    managed = [o for o in items if o.get("status") in MANAGED]
    others = [o for o in items if o.get("status") not in MANAGED]
    root = ET.Element("testsuites", {"name": SUITE})
    main = _suite(root, SUITE, managed)
    props = ET.Element("properties")
    for key in ("organization", "checksum"):
        if report.get(key):
            ET.SubElement(props, "property", {"name": key, "value": _text(report[key])})
    if len(props):
        main.insert(0, props)
    notes = note_lines(report)
    if notes:
        ET.SubElement(main, "system-out").text = "\n".join(_text(n) for n in notes)
    _suite(root, UNMANAGED_SUITE, others)
    total = len(items)
    root.set("tests", str(total))
    root.set("failures", str(sum(1 for o in items if _fails(o))))
    root.set("skipped", str(sum(1 for o in items if o.get("status") == "unmanaged")))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
