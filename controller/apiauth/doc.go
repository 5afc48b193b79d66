// Package apiauth authenticates the controller's REST API: bearer tokens,
// each with a role, and for account managers a scope of customers.
//
// Roles: admin (everything), ops (read all; manage incidents and
// maintenance), account_manager (read only the customers whose
// account_manager is the token's manager, everywhere). A request outside its
// scope gets 404, as if the customer did not exist: a 403 would confirm that
// another manager's customer id is real.
//
// Tokens are made by `vantage-controller token create`, shown once, and
// stored as their SHA-256 only; tokens never appear in logs, metrics or the
// API.
package apiauth
