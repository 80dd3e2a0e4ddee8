/**
 * Operator subcommands of {@code swarmgate}: {@code keys generate} makes a signing key pair and adds its public
 * half to a JWK set file (the first step of a rotation), and {@code token} signs the per-blob JWT a registry
 * hands out, so the jwt prehook can be tried and tested without a registry; {@code bench} is the load generator
 * ({@link io.swarmgate.bench}). Each returns an exit status (0 ok,
 * 1 failure, 2 usage) and prints messages, never stack traces.
 */
package io.swarmgate.cli;
