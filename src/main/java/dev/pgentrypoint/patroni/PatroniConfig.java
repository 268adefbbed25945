package dev.pgentrypoint.patroni;

import dev.pgentrypoint.backup.BackupSettings;
import dev.pgentrypoint.config.Configuration;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Patroni configuration as the layers of a configuration directory, which Patroni merges in file
 * order (maps merge, later scalars and lists replace, null removes):
 * <ol>
 *   <li>{@code 00-generated.yml}: what the entrypoint derives from its own variables (PGDATA, PGPORT,
 *       POSTGRES_*, CONFIG_DIR's postgresql.conf, conf.d and pg_hba.conf, the bootstrap settings);</li>
 *   <li>{@code 10-user.yml}: CONFIG_DIR/patroni.yml, copied as written;</li>
 *   <li>{@code 20-patroni-configuration.yml}: the PATRONI_CONFIGURATION variable, copied as written;</li>
 *   <li>{@code 90-environment.yml}: Patroni's own PATRONI_* variables that the entrypoint reads, last, as
 *       Patroni applies its environment over its files.</li>
 * </ol>
 */
final class PatroniConfig {
    /** One file of the configuration directory; {@code tree} is null when {@code text} does not parse. */
    record Layer(String file, String source, String text, Map<String, Object> tree) {
    }

    static final String USER_FILE = "patroni.yml";
    static final String DEFAULT_RESTAPI_PORT = "8008";
    /** Patroni variables read into 90-environment.yml, by their place in the configuration. */
    static final Map<String, List<String>> ENVIRONMENT = environmentKeys();
    /** Secrets that may also come from a file named by X_FILE. */
    static final List<String> SECRET_VARIABLES = List.of("PATRONI_SUPERUSER_PASSWORD", "PATRONI_REPLICATION_PASSWORD",
            "PATRONI_RESTAPI_PASSWORD");

    private final Settings settings;
    private final Configuration configuration;
    private final Optional<PgBinaries> binaries;

    PatroniConfig(Settings settings, Configuration configuration, Optional<PgBinaries> binaries) {
        this.settings = settings;
        this.configuration = configuration;
        this.binaries = binaries;
    }

    private static Map<String, List<String>> environmentKeys() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("PATRONI_SCOPE", List.of("scope"));
        keys.put("PATRONI_NAME", List.of("name"));
        keys.put("PATRONI_NAMESPACE", List.of("namespace"));
        keys.put("PATRONI_RESTAPI_LISTEN", List.of("restapi", "listen"));
        keys.put("PATRONI_RESTAPI_CONNECT_ADDRESS", List.of("restapi", "connect_address"));
        keys.put("PATRONI_RESTAPI_USERNAME", List.of("restapi", "authentication", "username"));
        keys.put("PATRONI_RESTAPI_PASSWORD", List.of("restapi", "authentication", "password"));
        keys.put("PATRONI_ETCD3_HOSTS", List.of("etcd3", "hosts"));
        keys.put("PATRONI_ETCD3_HOST", List.of("etcd3", "host"));
        keys.put("PATRONI_POSTGRESQL_LISTEN", List.of("postgresql", "listen"));
        keys.put("PATRONI_POSTGRESQL_CONNECT_ADDRESS", List.of("postgresql", "connect_address"));
        keys.put("PATRONI_POSTGRESQL_DATA_DIR", List.of("postgresql", "data_dir"));
        keys.put("PATRONI_POSTGRESQL_BIN_DIR", List.of("postgresql", "bin_dir"));
        keys.put("PATRONI_POSTGRESQL_PGPASS", List.of("postgresql", "pgpass"));
        keys.put("PATRONI_SUPERUSER_USERNAME", List.of("postgresql", "authentication", "superuser", "username"));
        keys.put("PATRONI_SUPERUSER_PASSWORD", List.of("postgresql", "authentication", "superuser", "password"));
        keys.put("PATRONI_REPLICATION_USERNAME", List.of("postgresql", "authentication", "replication", "username"));
        keys.put("PATRONI_REPLICATION_PASSWORD", List.of("postgresql", "authentication", "replication", "password"));
        return Map.copyOf(keys);
    }

    /** The layers in merge order; user layers only when given. */
    List<Layer> layers() throws IOException {
        List<Layer> layers = new ArrayList<>();
        Map<String, Object> generated = generated();
        layers.add(new Layer("00-generated.yml", "pg-entrypoint defaults", PatroniYaml.dump(generated), generated));
        Path user = userFile();
        if (Files.isRegularFile(user)) {
            layers.add(userLayer("10-user.yml", user.toString(), Files.readString(user, StandardCharsets.UTF_8)));
        }
        Optional<String> inline = settings.raw("PATRONI_CONFIGURATION");
        if (inline.isPresent()) {
            layers.add(userLayer("20-patroni-configuration.yml", "PATRONI_CONFIGURATION", inline.get()));
        }
        Map<String, Object> environment = environment();
        if (!environment.isEmpty()) {
            layers.add(new Layer("90-environment.yml", "PATRONI_* variables", PatroniYaml.dump(environment), environment));
        }
        return layers;
    }

    Path userFile() {
        return settings.configDir().resolve(USER_FILE);
    }

    private static Layer userLayer(String file, String source, String text) {
        try {
            return new Layer(file, source, text, PatroniYaml.parse(text));
        } catch (IllegalArgumentException e) {
            return new Layer(file, source, text, null);
        }
    }

    /** The merge of every layer that parses: what Patroni will run with. */
    static Map<String, Object> effective(List<Layer> layers) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Layer layer : layers) {
            if (layer.tree() != null) {
                result = PatroniYaml.merge(result, layer.tree());
            }
        }
        return result;
    }

    Map<String, Object> generated() throws IOException {
        String host = hostname();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("restapi", map("listen", "0.0.0.0:" + DEFAULT_RESTAPI_PORT, "connect_address",
                host + ":" + DEFAULT_RESTAPI_PORT));
        Map<String, Object> dcs = new LinkedHashMap<>();
        dcs.put("ttl", intSetting("PATRONI_TTL", 30));
        dcs.put("loop_wait", intSetting("PATRONI_LOOP_WAIT", 10));
        dcs.put("retry_timeout", intSetting("PATRONI_RETRY_TIMEOUT", 10));
        dcs.put("maximum_lag_on_failover", intSetting("PATRONI_MAXIMUM_LAG_ON_FAILOVER", 1048576));
        dcs.put("synchronous_mode", settings.raw("PATRONI_SYNCHRONOUS_MODE").map(Settings::isTrue).orElse(false));
        dcs.put("postgresql", map("use_pg_rewind", true, "use_slots", true));
        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("dcs", dcs);
        List<Object> initdb = initdbOptions();
        if (!initdb.isEmpty()) {
            bootstrap.put("initdb", initdb);
        }
        config.put("bootstrap", bootstrap);
        Map<String, Object> postgresql = new LinkedHashMap<>();
        postgresql.put("listen", "0.0.0.0:" + settings.port());
        postgresql.put("connect_address", host + ":" + settings.port());
        postgresql.put("data_dir", settings.pgdata());
        binaries.ifPresent(b -> postgresql.put("bin_dir", b.binDir().toString()));
        postgresql.put("pgpass", settings.patroniRunDir().resolve("pgpass").toString());
        Map<String, Object> superuser = map("username", settings.superuser());
        settings.password().ifPresent(p -> superuser.put("password", p));
        postgresql.put("authentication", map("superuser", superuser, "replication", map("username", "replicator")));
        Map<String, Object> parameters = new LinkedHashMap<>(configuration.parameters());
        parameters.putAll(commandLineParameters());
        postgresql.put("parameters", parameters);
        postgresql.put("pg_hba", new ArrayList<>(configuration.hbaRules()));
        BackupSettings backup = new BackupSettings(settings);
        if (backup.enabled()) {
            // a new replica is restored from the repository when it can be, else copied from the leader
            postgresql.put("create_replica_methods", List.of("pgbackrest", "basebackup"));
            postgresql.put("pgbackrest", map("command", "pgbackrest --config=" + backup.configFile() + " --stanza="
                    + backup.stanza() + " --type=standby --delta restore", "keep_data", true, "no_params", true));
        }
        config.put("postgresql", postgresql);
        return config;
    }

    /** Patroni's variables the entrypoint reads, nested where Patroni puts them; secrets also from X_FILE. */
    Map<String, Object> environment() {
        Map<String, Object> config = new LinkedHashMap<>();
        ENVIRONMENT.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Optional<String> value = SECRET_VARIABLES.contains(e.getKey()) ? settings.secret(e.getKey())
                    : settings.raw(e.getKey());
            value.ifPresent(v -> put(config, e.getValue(), e.getKey().equals("PATRONI_ETCD3_HOSTS") ? hostList(v) : v));
        });
        return config;
    }

    /** {@code a:1,b:2} or {@code [a:1, b:2]} as a list, as Patroni parses PATRONI_ETCD3_HOSTS. */
    static List<String> hostList(String value) {
        String v = value.strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        return Arrays.stream(v.split(",")).map(s -> s.strip().replaceAll("^['\"]|['\"]$", ""))
                .filter(s -> !s.isEmpty()).toList();
    }

    /** POSTGRES_INITDB_ARGS (long options only) and POSTGRES_INITDB_WALDIR as Patroni's bootstrap.initdb list. */
    List<Object> initdbOptions() {
        List<Object> options = new ArrayList<>();
        for (String arg : settings.initdbArgs()) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                options.add(eq < 0 ? arg.substring(2) : map(arg.substring(2, eq), arg.substring(eq + 1)));
            }
        }
        settings.walDir().ifPresent(w -> options.add(map("waldir", w)));
        return options;
    }

    /** {@code -c name=value} and {@code --name=value} of the command line as parameters. */
    Map<String, String> commandLineParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        List<String> args = settings.postgresArgs();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String setting = arg.equals("-c") && i + 1 < args.size() ? args.get(++i)
                    : arg.startsWith("-c") ? arg.substring(2) : arg.startsWith("--") ? arg.substring(2) : "";
            int eq = setting.indexOf('=');
            if (eq > 0) {
                parameters.put(setting.substring(0, eq).replace('-', '_'), setting.substring(eq + 1));
            }
        }
        return parameters;
    }

    String hostname() {
        Optional<String> env = settings.raw("HOSTNAME");
        if (env.isPresent()) {
            return env.get();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private Object intSetting(String variable, int fallback) {
        return settings.raw(variable).map(v -> {
            try {
                return (Object) Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }).orElse(fallback);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, List<String> path, Object value) {
        Map<String, Object> node = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            node = (Map<String, Object>) node.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        }
        node.put(path.get(path.size() - 1), value);
    }

    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
