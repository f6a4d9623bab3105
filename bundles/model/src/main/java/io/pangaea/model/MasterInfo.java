package io.pangaea.model;

import java.util.List;

/** {@code ip} is the IPv4 address as Mesos writes it: a little-endian (network order) unsigned integer. */
public record MasterInfo(String id, Long ip, Integer port, String pid, String hostname, String version,
                         Address address, List<Capability> capabilities) {
    public record Capability(String type) {}

    /** Mesos's integer form of a dotted IPv4 address (127.0.0.1 -> 16777343). */
    public static long ipToInt(String dotted) {
        String[] p = dotted.split("\\.");
        if (p.length != 4) {
            return 0;
        }
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | (Integer.parseInt(p[i]) & 0xff);
        }
        return v;
    }
}
