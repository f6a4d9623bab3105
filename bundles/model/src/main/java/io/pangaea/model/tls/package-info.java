/**
 * TLS material from files, without a server: certificates and keys in PEM or a keystore, and the client contexts the
 * scheduler and executor libraries and the daemons call each other with.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.tls;
