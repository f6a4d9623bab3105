package io.pangaea.containerizer.lxc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code lxc-*} commands Pangaea runs, each with the containers' own lxc path ({@code -P}). */
final class Lxc {

    /** What a command printed and how it ended. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private final Path lxcPath;

    Lxc(Path lxcPath) {
        this.lxcPath = lxcPath;
    }

    Path path() {
        return lxcPath;
    }

    /** {@code lxc-execute} for container {@code name}, ready to start with the given command. */
    List<String> execute(String name, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("lxc-execute", "-n", name, "-P", lxcPath.toString(), "--"));
        cmd.addAll(command);
        return cmd;
    }

    Result create(String name, String template) throws IOException {
        return run(60, "lxc-create", "-n", name, "-P", lxcPath.toString(), "-t", template);
    }

    Result destroy(String name) throws IOException {
        return run(60, "lxc-destroy", "-n", name, "-P", lxcPath.toString());
    }

    /** Sets a cgroup value of the running container {@code name} ({@code lxc-cgroup}). */
    Result cgroup(String name, String key, String value) throws IOException {
        return run(30, "lxc-cgroup", "-n", name, "-P", lxcPath.toString(), key, value);
    }

    /** Kills the container's init (and so everything in it) at once. */
    Result stopNow(String name) throws IOException {
        return run(30, "lxc-stop", "-n", name, "-P", lxcPath.toString(), "-k");
    }

    /** The pid of the container's init as the host sees it, or -1 when it is not running. */
    long initPid(String name) {
        try {
            Result r = run(10, "lxc-info", "-n", name, "-P", lxcPath.toString(), "-p", "-H");
            return r.ok() && !r.output().isBlank() ? Long.parseLong(r.output().trim()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static String version() throws IOException {
        Result r = run(10, "lxc-execute", "--version");
        if (!r.ok()) {
            throw new IOException("lxc-execute --version failed: " + r.output().trim());
        }
        return r.output().trim();
    }

    static Result run(long timeoutSeconds, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd[0] + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(cmd[0] + " interrupted", e);
        }
    }
}
