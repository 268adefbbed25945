package dev.pgentrypoint.patroni;

import dev.pgentrypoint.config.ConfFile;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.SettingsValidator;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks everything Patroni mode needs before anything changes; each error names its variable or file. */
record PatroniValidator(Settings settings, PatroniConfig config) {
    private static final Pattern MEMBER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:]+\\]|[^\\s:/\\[\\]]+):([0-9]{1,5})");
    static final List<String> OTHER_DCS = List.of("etcd", "consul", "zookeeper", "exhibitor", "kubernetes", "raft");

    void validate(ValidationReport report) {
        for (String variable : List.of("PATRONI_TTL", "PATRONI_LOOP_WAIT", "PATRONI_RETRY_TIMEOUT")) {
            settings.raw(variable).ifPresent(v -> SettingsValidator.checkRange(report, variable, v, 1, 3600, "seconds"));
        }
        settings.raw("PATRONI_MAXIMUM_LAG_ON_FAILOVER").ifPresent(v ->
                SettingsValidator.checkRange(report, "PATRONI_MAXIMUM_LAG_ON_FAILOVER", v, 0, Integer.MAX_VALUE, "bytes"));
        settings.raw("DCS_TIMEOUT").ifPresent(v -> SettingsValidator.checkRange(report, "DCS_TIMEOUT", v, 1, 86400, "seconds"));
        settings.raw("PATRONI_SYNCHRONOUS_MODE").filter(v -> !List.of("0", "1", "true", "false", "yes", "no", "on", "off")
                .contains(v.toLowerCase(Locale.ROOT))).ifPresent(v ->
                report.invalid("PATRONI_SYNCHRONOUS_MODE", "'" + v + "' is not a boolean: use true or false "
                        + "(also accepted: 1/0, yes/no, on/off)"));
        PatroniConfig.SECRET_VARIABLES.forEach(v -> settings.checkSecret(v, report));
        checkCommandLine(report);
        checkInitdbArgs(report);
        List<PatroniConfig.Layer> layers;
        try {
            layers = config.layers();
        } catch (IllegalArgumentException | IOException e) {
            report.invalid("CONFIG_DIR", e.getMessage());
            return;
        }
        layers.stream().filter(l -> l.tree() == null).forEach(l -> report.invalid(l.source(), reason(l.text())));
        checkEffective(report, layers.get(0).tree(), PatroniConfig.effective(layers));
    }

    private static String reason(String text) {
        try {
            PatroniYaml.parse(text);
            return "cannot be read";
        } catch (IllegalArgumentException e) {
            return e.getMessage() + ": fix the YAML";
        }
    }

    private void checkEffective(ValidationReport report, Map<String, Object> generated, Map<String, Object> c) {
        String user = config.userFile().toString();
        String scope = string(c, "scope");
        if (scope.isEmpty()) {
            report.invalid("PATRONI_SCOPE", "no cluster name: set PATRONI_SCOPE to the same value on every member");
        } else if (!MEMBER_NAME.matcher(scope).matches()) {
            report.invalid("PATRONI_SCOPE", "'" + scope + "' is not a valid cluster name: use letters, digits, '.', '_', '-'");
        } else {
            checkScopeOfData(report, scope);
        }
        String name = string(c, "name");
        if (name.isEmpty()) {
            report.invalid("PATRONI_NAME", "no member name: set PATRONI_NAME to a name unique in the cluster (the host name)");
        } else if (!MEMBER_NAME.matcher(name).matches()) {
            report.invalid("PATRONI_NAME", "'" + name + "' is not a valid member name: use letters, digits, '.', '_', '-'");
        }
        checkDcs(report, c, user);
        checkAddress(report, "PATRONI_RESTAPI_LISTEN", string(c, "restapi", "listen"));
        checkAddress(report, "PATRONI_RESTAPI_CONNECT_ADDRESS", string(c, "restapi", "connect_address"));
        checkAddress(report, "PATRONI_POSTGRESQL_CONNECT_ADDRESS", string(c, "postgresql", "connect_address"));
        String listen = string(c, "postgresql", "listen");
        String port = listen.substring(listen.lastIndexOf(':') + 1);
        if (!port.equals(String.valueOf(settings.port()))) {
            report.invalid("PATRONI_POSTGRESQL_LISTEN", "'" + listen + "' does not listen on PGPORT " + settings.port()
                    + ": set the port with PGPORT only");
        }
        if (PatroniYaml.at(c, "restapi", "certfile") != null) {
            report.invalid("PATRONI_RESTAPI_CERTFILE", "the readiness and health checks speak plain HTTP to the REST API "
                    + "on this host: remove restapi.certfile (protect the API with restapi.authentication instead)");
        }
        if (!string(c, "postgresql", "data_dir").equals(settings.pgdata())) {
            report.invalid("PATRONI_POSTGRESQL_DATA_DIR", "postgresql.data_dir differs from PGDATA " + settings.pgdata()
                    + ": remove it from " + user + " and PATRONI_POSTGRESQL_DATA_DIR; set PGDATA instead");
        }
        Object binDir = PatroniYaml.at(generated, "postgresql", "bin_dir");
        if (binDir != null && !binDir.equals(PatroniYaml.at(c, "postgresql", "bin_dir"))) {
            report.invalid("PATRONI_POSTGRESQL_BIN_DIR", "postgresql.bin_dir differs from the binaries in " + binDir
                    + ": remove it from " + user + " and PATRONI_POSTGRESQL_BIN_DIR; set PG_BIN_DIR instead");
        }
        checkCredentials(report, c, user);
        checkHba(report, c);
        if (PatroniYaml.at(c, "restapi", "authentication", "password") == null) {
            report.warn("Patroni's REST API accepts switchover, restart and reinitialize requests from anyone who "
                    + "reaches it: set PATRONI_RESTAPI_USERNAME and PATRONI_RESTAPI_PASSWORD[_FILE]");
        }
    }

    private void checkScopeOfData(ValidationReport report, String scope) {
        Path conf = Path.of(settings.pgdata(), "postgresql.conf");
        try {
            String text = Files.isRegularFile(conf) ? Files.readString(conf, StandardCharsets.UTF_8) : "";
            ConfFile.parse(text).stream().filter(s -> s.name().equals("cluster_name")).reduce((a, b) -> b)
                    .filter(s -> !s.value().isEmpty() && !s.value().equals(scope)).ifPresent(s -> report.invalid(
                            "PATRONI_SCOPE", "'" + scope + "' differs from cluster '" + s.value() + "' that the data in "
                            + settings.pgdata() + " belongs to (cluster_name in postgresql.conf): set PATRONI_SCOPE="
                            + s.value() + ", or give this member an empty PGDATA to join '" + scope + "' as a new replica"));
        } catch (IOException | IllegalArgumentException e) {
            report.invalid("PGDATA", "cannot read " + conf + " to check the cluster it belongs to: " + e.getMessage());
        }
    }

    private static void checkDcs(ValidationReport report, Map<String, Object> c, String user) {
        OTHER_DCS.stream().filter(c::containsKey).findFirst().ifPresent(d -> report.invalid(d, "the entrypoint "
                + "runs Patroni on etcd3 only: remove the " + d + " section and set PATRONI_ETCD3_HOSTS"));
        List<String> hosts = DcsProbe.hosts(c);
        if (hosts.isEmpty()) {
            report.invalid("PATRONI_ETCD3_HOSTS", "no etcd: set PATRONI_ETCD3_HOSTS to host:port[,host:port...] "
                    + "(or etcd3.hosts in " + user + ")");
        }
        hosts.stream().filter(h -> !HOST_PORT.matcher(h).matches()).forEach(h ->
                report.invalid("PATRONI_ETCD3_HOSTS", "'" + h + "' is not host:port"));
    }

    private static void checkAddress(ValidationReport report, String variable, String value) {
        if (!HOST_PORT.matcher(value).matches() || Integer.parseInt(value.substring(value.lastIndexOf(':') + 1)) > 65535) {
            report.invalid(variable, "'" + value + "' is not host:port");
        }
    }

    private void checkCredentials(ValidationReport report, Map<String, Object> c, String user) {
        if (settings.trustRequested()) {
            return;
        }
        if (string(c, "postgresql", "authentication", "superuser", "password").isEmpty()) {
            report.invalid("POSTGRES_PASSWORD", "no superuser password: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE "
                    + "(or PATRONI_SUPERUSER_PASSWORD[_FILE]), the same on every member");
        }
        if (string(c, "postgresql", "authentication", "replication", "password").isEmpty()) {
            report.invalid("PATRONI_REPLICATION_PASSWORD", "no password for the replication user: set "
                    + "PATRONI_REPLICATION_PASSWORD or PATRONI_REPLICATION_PASSWORD_FILE (or "
                    + "postgresql.authentication.replication.password in " + user + "), the same on every member");
        }
    }

    private static void checkHba(ValidationReport report, Map<String, Object> c) {
        Object hba = PatroniYaml.at(c, "postgresql", "pg_hba");
        if (hba instanceof List<?> rules && rules.stream().map(String::valueOf)
                .noneMatch(r -> r.matches("\\s*host\\S*\\s+(\\S+,)?replication\\b.*"))) {
            report.warn("the pg_hba rules have no host rule for the replication database: replicas will not be able "
                    + "to connect; add one to CONFIG_DIR/pg_hba.conf");
        }
    }

    private void checkCommandLine(ValidationReport report) {
        List<String> args = settings.postgresArgs();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String setting = arg.equals("-c") && i + 1 < args.size() ? args.get(++i)
                    : arg.startsWith("-c") ? arg.substring(2) : arg.startsWith("--") ? arg.substring(2) : "";
            if (setting.indexOf('=') <= 0) {
                report.invalid("command line", "postgres argument '" + arg + "' cannot be given to Patroni: use "
                        + "-c name=value (it becomes a postgresql parameter)");
            }
        }
    }

    private void checkInitdbArgs(ValidationReport report) {
        try {
            for (String arg : ShellWords.split(settings.initdbArgsRaw())) {
                if (!arg.startsWith("--")) {
                    report.invalid("POSTGRES_INITDB_ARGS", "'" + arg + "': in Patroni mode give long options as "
                            + "--option or --option=value (Patroni's bootstrap.initdb has no short options)");
                }
            }
        } catch (IllegalArgumentException e) {
            // reported by the init-database module
        }
    }

    static String string(Map<String, Object> tree, String... path) {
        Object value = PatroniYaml.at(tree, path);
        return value == null ? "" : String.valueOf(value).strip();
    }
}
