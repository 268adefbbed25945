package dev.pgentrypoint.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A one-member etcd on 127.0.0.1 (unusual free ports, data under the test's directory), healthy when
 * started; {@link #close()} stops it by its pid, also when a test failed.
 */
final class EtcdProcess implements AutoCloseable {
    final int clientPort;
    private final Path dir;
    private final Process process;

    EtcdProcess(Path dir) throws IOException, InterruptedException {
        this.dir = Files.createDirectories(dir);
        this.clientPort = EntrypointProcess.freePort(56000, 58999);
        int peerPort = EntrypointProcess.freePort(56000, 58999);
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        ProcessBuilder pb = new ProcessBuilder(List.of("etcd", "--name", "it", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "it=" + peer,
                "--initial-cluster-state", "new", "--initial-cluster-token", "it-" + clientPort));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile());
        process = pb.start();
        awaitHealthy(Duration.ofSeconds(20));
    }

    /** host:port as PATRONI_ETCD3_HOSTS takes it. */
    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://" + endpoint() + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (client.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IOException("etcd did not become healthy within " + timeout + ":\n"
                + Files.readString(dir.resolve("etcd.log"), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
