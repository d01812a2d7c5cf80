// Package events carries Consenso's events beyond the transaction that
// recorded them: the live-stream hub (with PostgreSQL LISTEN/NOTIFY fan-out
// across replicas) and the webhook outbox worker, which signs each event and
// sends it to the receivers admins registered, retrying with backoff.
package events
