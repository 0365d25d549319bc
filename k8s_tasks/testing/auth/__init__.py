"""Authentication and authorization of the local cluster's API server: who a request is (the admin's
static token, ServiceAccount tokens, anonymous) and what RBAC lets it do."""
