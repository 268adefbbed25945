/** The shared Jackson mapper for every JSON document the entrypoint reads or writes. */
package dev.pgentrypoint.json;
