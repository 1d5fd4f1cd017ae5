"""Posture lint: rules over the manifest (offline) or the live organization, with the
manifest's suppressions, as a plain report for the renderers."""

from reconciler.lint.registry import RULES, Finding, Rule, Severity, View
from reconciler.lint.run import lint_live, lint_offline, rules_table

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "Severity",
    "View",
    "lint_live",
    "lint_offline",
    "rules_table",
]
