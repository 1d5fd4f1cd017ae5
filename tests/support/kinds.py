"""The resource kinds MANIFEST.md names; tests compare plans and the registry with them."""

CONTRACT_KINDS = frozenset(
    {
        "project",
        "project_settings",
        "project_env_var",
        "checkout_key",
        "schedule",
        "webhook",
        "pipeline_definition",
        "pipeline_trigger",
        "context",
        "context_env_var",
        "context_restriction",
        "config_policy",
        "config_policy_settings",
        "oidc_claim",
        "project_oidc_claim",
        "url_orb_allow_list_entry",
    }
)
