/**
 * The Mesos 1.11 v1 operator API's {@code Call} and {@code Response} messages ({@code POST /api/v1}), as far as
 * Pangaea serves them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.operator;
