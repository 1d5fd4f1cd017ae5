"""circleci-reconciler: GitOps for CircleCI settings."""

__version__ = "0.1.0"
