package dev.pgentrypoint.patroni;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waits, for a bounded time, until one etcd host of the configuration accepts a TCP connection. */
final class DcsProbe {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.runtime");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private final Clock clock;

    DcsProbe(Clock clock) {
        this.clock = clock;
    }

    /** The etcd hosts of a Patroni configuration: etcd3.hosts (list or comma-separated) and etcd3.host. */
    static List<String> hosts(Map<String, Object> config) {
        List<String> hosts = new ArrayList<>();
        Object list = PatroniYaml.at(config, "etcd3", "hosts");
        if (list instanceof List<?> l) {
            l.forEach(h -> hosts.add(String.valueOf(h).strip()));
        } else if (list != null) {
            hosts.addAll(PatroniConfig.hostList(String.valueOf(list)));
        }
        Object host = PatroniYaml.at(config, "etcd3", "host");
        if (host != null) {
            hosts.add(String.valueOf(host).strip());
        }
        return hosts.stream().map(h -> h.replaceFirst("^https?://", "")).distinct().toList();
    }

    /**
     * Returns the first host that accepts a connection, trying all of them in turn until {@code timeout}.
     *
     * @throws EntrypointException (runtime failure) naming every host and its last error
     */
    String await(List<String> hosts, Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        Map<String, String> errors = new LinkedHashMap<>();
        int round = 0;
        while (true) {
            for (String host : hosts) {
                try {
                    connect(host);
                    if (round > 0) {
                        LOG.info("etcd answers on {} after {} retries", host, round);
                    }
                    return host;
                } catch (UnknownHostException e) {
                    errors.put(host, "unknown host");
                } catch (IOException | IllegalArgumentException e) {
                    errors.put(host, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new EntrypointException("runtime-patroni-start", ExitCode.RUNTIME_FAILED, "no etcd host "
                        + "answered within " + timeout.toSeconds() + " s (DCS_TIMEOUT); tried " + String.join(", ",
                        hosts.stream().map(h -> h + " (" + errors.get(h) + ")").toList()) + ": check "
                        + "PATRONI_ETCD3_HOSTS and that etcd is running and reachable from this host");
            }
            if (round++ == 0) {
                LOG.info("waiting up to {} s for etcd on {}: {}", timeout.toSeconds(), String.join(", ", hosts), errors);
            }
            Thread.sleep(PAUSE.toMillis());
        }
    }

    private static void connect(String host) throws IOException {
        int colon = host.lastIndexOf(':');
        String name = host.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port = Integer.parseInt(host.substring(colon + 1));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(name, port), (int) CONNECT_TIMEOUT.toMillis());
        }
    }
}
