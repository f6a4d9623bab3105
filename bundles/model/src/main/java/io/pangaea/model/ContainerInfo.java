package io.pangaea.model;

import java.util.List;

public record ContainerInfo(Type type, List<Volume> volumes, String hostname, DockerInfo docker) {
    public enum Type { MESOS, DOCKER }

    public record Volume(String containerPath, String hostPath, Mode mode) {
        public enum Mode { RW, RO }
    }

    public record DockerInfo(String image, Network network, Boolean privileged, Boolean forcePullImage) {
        public enum Network { HOST, BRIDGE, NONE, USER }
    }
}
