"""CircleCI API client: one request chokepoint, retry policy, throttle, pagination, facade."""

from reconciler.client.api import CircleCI
from reconciler.client.config import ClientConfig
from reconciler.client.http import HttpClient
from reconciler.client.retry import RetryPolicy
from reconciler.client.throttle import Throttle

__all__ = ["CircleCI", "ClientConfig", "HttpClient", "RetryPolicy", "Throttle"]
