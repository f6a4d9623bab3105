package io.pangaea.itests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone ZooKeeper server in a JVM of its own (ZooKeeperServerMain on this test's classpath), on a fixed port
 * and data directory, so that a test can kill it and start it again as an operator would restart ZooKeeper. Its
 * sessions survive a restart that is quicker than their timeout, as they do on a real ensemble.
 */
final class ZooKeeperProcess implements AutoCloseable {

    final int port = LocalCluster.freePort();
    private final Path dir;
    private Process process;

    ZooKeeperProcess() throws IOException {
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "zookeeper-");
        start();
    }

    /** The {@code zk://} URL of a path on this server. */
    String url(String path) {
        return "zk://127.0.0.1:" + port + path;
    }

    /** Starts the server (again) and waits until it accepts connections. */
    void start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx128m", "-Dzookeeper.admin.enableServer=false",
                "-cp", classpath(), "org.apache.zookeeper.server.ZooKeeperServerMain",
                Integer.toString(port), dir.resolve("data").toString(), "500"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("zookeeper.log").toFile()).start();
        await("ZooKeeper on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("ZooKeeper exited: " + Files.readString(
                                dir.resolve("zookeeper.log")));
                    }
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        return true;
                    }
                });
    }

    /**
     * This test's classpath without Pangaea's own classes and jars: the server needs ZooKeeper and its libraries
     * only, and a rebuild of Pangaea while it runs must not touch a jar it has open.
     */
    private static String classpath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("/io/pangaea/") && !e.contains("/target/"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** Kills the server with SIGKILL, as a crash does. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
