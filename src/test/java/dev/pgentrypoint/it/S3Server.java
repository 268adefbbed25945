package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 API server for integration tests: s3proxy (copied into {@code target/it-tools} by the
 * build) over a local directory, on 127.0.0.1 with a free port, HTTPS with a certificate made by
 * {@code keytool} for this run. A bucket is a directory under {@link #buckets()}, so tests can look
 * at what pgBackRest wrote. {@link #stop()} and {@link #close()} end the server; {@link #start()}
 * brings it back on the same port and data.
 */
final class S3Server implements AutoCloseable {
    static final String KEY = "it-access-key";
    static final String SECRET = "it-secret-key-0123456789";
    static final String REGION = "us-east-1";
    private static final Path JAR = Path.of(System.getProperty("pgentrypoint.s3proxy", "target/it-tools/s3proxy.jar"))
            .toAbsolutePath();

    final int port;
    private final Path dir;
    private final Path properties;
    private Process process;

    S3Server(Path dir) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(JAR), "s3proxy is missing at " + JAR + ": run the integration tests through "
                + "Maven (mvn verify), which copies it there");
        this.dir = Files.createDirectories(dir);
        this.port = EntrypointProcess.freePort();
        Files.createDirectories(buckets());
        Path keystore = dir.resolve("keystore.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-noprompt", "-alias", "s3proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "it-keystore", "-keypass", "it-keystore")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool hung");
        assertEquals(0, keytool.exitValue(), "keytool failed: " + out);
        properties = Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.secure-endpoint=https://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + KEY,
                "s3proxy.credential=" + SECRET,
                "s3proxy.keystore-path=" + keystore,
                "s3proxy.keystore-password=it-keystore",
                "jclouds.provider=filesystem",
                "jclouds.identity=" + KEY,
                "jclouds.credential=" + SECRET,
                "jclouds.filesystem.basedir=" + buckets(),
                ""));
    }

    /** The directory holding one directory per bucket. */
    Path buckets() {
        return dir.resolve("data");
    }

    /** Creates a bucket (a directory of the filesystem backend). */
    S3Server bucket(String name) throws IOException {
        Files.createDirectories(buckets().resolve(name));
        return this;
    }

    /** Starts s3proxy and waits until it accepts connections. */
    S3Server start() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(),
                "--properties", properties.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("s3proxy exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return this;
            } catch (IOException notYet) {
                EntrypointProcess.sleep(100);
            }
        }
        throw new IOException("s3proxy did not listen on " + port + " within 90 s: " + log());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("s3proxy.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the server (the data stays). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The variables of an S3 repository {@code repo} in {@code bucket} on this server; TLS is verified
     * against nothing (the certificate is this run's own).
     */
    EntrypointProcess repository(EntrypointProcess e, int repo, String bucket) {
        String r = "PGBACKREST_REPO" + repo + "_";
        return e.with(r + "TYPE", "s3").with(r + "PATH", "/pgbackrest")
                .with(r + "S3_BUCKET", bucket).with(r + "S3_ENDPOINT", "127.0.0.1")
                .with(r + "STORAGE_PORT", String.valueOf(port)).with(r + "S3_REGION", REGION)
                .with(r + "S3_URI_STYLE", "path").with(r + "STORAGE_VERIFY_TLS", "n")
                .with(r + "S3_KEY", KEY).with(r + "S3_KEY_SECRET", SECRET);
    }

    /** Every file of a bucket, by path relative to it. */
    List<Path> files(String bucket) throws IOException {
        Path root = buckets().resolve(bucket);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
