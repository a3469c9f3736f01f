"""OpenAPI: integration keys as an HTTP bearer security scheme (loaded by IntegrationsConfig.ready)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class IntegrationKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.IntegrationKeyAuthentication"
    name = "integrationKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An integration key (`Authorization: Bearer so_…`), limited to its scopes."}
