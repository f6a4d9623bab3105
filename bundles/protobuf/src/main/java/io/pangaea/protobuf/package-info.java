/** The {@code application/x-protobuf} codec of the v1 APIs. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.protobuf;
