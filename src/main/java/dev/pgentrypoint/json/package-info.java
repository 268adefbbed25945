/** Minimal hand-written JSON rendering and parsing, so the entrypoint needs no JSON library. */
package dev.pgentrypoint.json;
