"""A read-only JSON API, opened with personal access tokens, described by OpenAPI."""
