package dev.halley.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node process running {@code src/test/node/driver.mjs}, which holds one Chromium. Requests
 * and answers are JSON lines (the protocol is written at the top of driver.mjs); each call waits
 * for its answer with a deadline. The process's stderr goes to a file under {@code target/}.
 */
final class DriverProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What a call may take beyond the browser-side deadline it carries: the round trip itself. */
    private static final Duration SLACK = Duration.ofSeconds(10);

    private final Process process;
    private final OutputStream stdin;
    private final Path stderr;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    private final String browserVersion;

    DriverProcess(Path moduleDir, Path chromium, Duration startDeadline) throws IOException {
        Path target = moduleDir.resolve("target");
        Files.createDirectories(target);
        stderr = Files.createTempFile(target, "chromium-driver-", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", moduleDir.resolve("src/test/node/driver.mjs").toString())
                .directory(moduleDir.toFile())
                .redirectError(stderr.toFile());
        pb.environment().put("HALLEY_CHROMIUM", chromium.toString());
        process = pb.start();
        stdin = process.getOutputStream();
        pending.put(0L, ready);
        Thread reader = new Thread(this::readAnswers, "chromium-driver-reader");
        reader.setDaemon(true);
        reader.start();
        browserVersion = await(ready, startDeadline, "start Chromium").asText();
    }

    String browserVersion() {
        return browserVersion;
    }

    /**
     * Sends {@code op} with {@code args} and waits for the result, at most {@code deadline} plus
     * the round trip. A refusal from the driver becomes an {@link AssertionError} carrying the
     * page's console log when the request named a page.
     */
    JsonNode call(String op, Map<String, Object> args, Duration deadline) {
        long id = ids.incrementAndGet();
        ObjectNode req = JSON.valueToTree(args);
        req.put("id", id).put("op", op).put("timeoutMs", deadline.toMillis());
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (stdin) {
                stdin.write((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            throw new AssertionError("the Chromium driver is gone: " + diagnostics(), e);
        }
        return await(answer, deadline.plus(SLACK), op);
    }

    private JsonNode await(CompletableFuture<JsonNode> answer, Duration deadline, String what) {
        try {
            return answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer from the Chromium driver to '" + what + "' within " + deadline
                    + ": " + diagnostics());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AssertionError a ? a : new AssertionError(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + what + "'", e);
        }
    }

    private void readAnswers() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                complete(JSON.readTree(line));
            }
        } catch (IOException e) {
            // The process ended; fail whatever still waits below.
        }
        AssertionError gone = new AssertionError("the Chromium driver exited: " + diagnostics());
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    private void complete(JsonNode answer) {
        CompletableFuture<JsonNode> f = pending.remove(answer.path("id").asLong(-1));
        if (f == null) {
            return;
        }
        if (answer.path("ok").asBoolean()) {
            f.complete(answer.get("result"));
            return;
        }
        StringBuilder message = new StringBuilder(answer.path("error").asText("driver error"));
        JsonNode log = answer.path("log");
        if (log.size() > 0) {
            message.append("\n--- page log (last ").append(log.size()).append(" lines) ---");
            log.forEach(l -> message.append('\n').append(l.asText()));
        }
        f.completeExceptionally(new AssertionError(message.toString()));
    }

    /** The process state and the tail of its stderr, for failure messages. */
    String diagnostics() {
        String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
        try {
            String err = Files.readString(stderr);
            return state + (err.isBlank() ? "" : "; stderr:\n" + err.substring(Math.max(0, err.length() - 4000)));
        } catch (IOException e) {
            return state;
        }
    }

    /** Closes stdin, which makes the driver close the browser and exit; kills it after 10 s. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "DriverProcess[pid=" + process.pid() + ", " + browserVersion + ", pending=" + pending.size() + "]";
    }
}
