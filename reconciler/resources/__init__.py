"""The explicit registry of resource kinds, parents before children."""

from __future__ import annotations

from reconciler.core import Kind
from reconciler.resources.checkout_key import CheckoutKeyKind
from reconciler.resources.config_policy import ConfigPolicyKind
from reconciler.resources.config_policy_settings import ConfigPolicySettingsKind
from reconciler.resources.context import ContextKind
from reconciler.resources.context_env_var import ContextEnvVarKind
from reconciler.resources.context_restriction import ContextRestrictionKind
from reconciler.resources.oidc_claims import OrgOidcClaimKind, ProjectOidcClaimKind
from reconciler.resources.pipeline_definition import PipelineDefinitionKind
from reconciler.resources.pipeline_trigger import PipelineTriggerKind
from reconciler.resources.project import ProjectKind
from reconciler.resources.project_env_var import ProjectEnvVarKind
from reconciler.resources.project_settings import ProjectSettingsKind
from reconciler.resources.schedule import ScheduleKind
from reconciler.resources.url_orb_allow_list import UrlOrbAllowListKind
from reconciler.resources.webhook import WebhookKind

REGISTRY: dict[str, Kind] = {
    k.name: k
    for k in (
        ProjectKind(),
        ProjectSettingsKind(),
        ProjectEnvVarKind(),
        CheckoutKeyKind(),
        ScheduleKind(),
        WebhookKind(),
        PipelineDefinitionKind(),
        PipelineTriggerKind(),
        ProjectOidcClaimKind(),
        ContextKind(),
        ContextRestrictionKind(),
        ContextEnvVarKind(),
        OrgOidcClaimKind(),
        UrlOrbAllowListKind(),
        ConfigPolicyKind(),
        ConfigPolicySettingsKind(),
    )
}

__all__ = ["REGISTRY", "Kind"]
