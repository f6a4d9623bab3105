package io.pangaea.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent emulator ({@code io.pangaea.benchmarks.emulator.AgentEmulator}) in a JVM of its own, so that a
 * benchmark's figures for the master are not mixed with the emulator's work. Its status lines are read as they come;
 * closing its standard input ends it.
 */
final class EmulatorProcess implements AutoCloseable {

    private final Process process;
    private volatile Map<String, Long> status = Map.of();

    EmulatorProcess(String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                "io.pangaea.benchmarks.emulator.AgentEmulator"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("EMULATOR ")) {
                        Map<String, Long> s = new HashMap<>();
                        for (String kv : line.substring(9).split(" ")) {
                            int eq = kv.indexOf('=');
                            if (eq > 0) {
                                s.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                            }
                        }
                        status = s;
                    }
                }
            } catch (IOException | NumberFormatException ended) {
                // the process ended
            }
        }, "emulator-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** A figure of the last status line (0 before the first). */
    long get(String key) {
        return status.getOrDefault(key, 0L);
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
