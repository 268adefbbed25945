package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatroniConfigTest extends PatroniTestSupport {

    @Test
    void generatedLayerCarriesTheEntrypointsVariablesAndDirectModesConfiguration() throws Exception {
        Files.writeString(dir.resolve("config/postgresql.conf"), "shared_buffers = 64MB\nport = 9999\n");
        Files.createDirectories(dir.resolve("config/conf.d"));
        Files.writeString(dir.resolve("config/conf.d/20-b.conf"), "work_mem = '8MB'\n");
        Files.writeString(dir.resolve("config/conf.d/10-a.conf"), "work_mem = 4MB\nshared_buffers = 96MB\n");
        env.put("POSTGRES_USER", "admin");
        env.put("POSTGRES_INITDB_ARGS", "--data-checksums --locale=C.UTF-8");
        env.put("POSTGRES_INITDB_WALDIR", "/wal");
        env.put("PATRONI_TTL", "20");
        env.put("PATRONI_SYNCHRONOUS_MODE", "on");
        args.addAll(List.of("-c", "log_min_messages=info", "--max-connections=50"));
        Map<String, Object> g = config().generated();
        assertEquals("0.0.0.0:8008", PatroniYaml.at(g, "restapi", "listen"));
        assertEquals("node1:8008", PatroniYaml.at(g, "restapi", "connect_address"));
        assertEquals("0.0.0.0:5433", PatroniYaml.at(g, "postgresql", "listen"));
        assertEquals("node1:5433", PatroniYaml.at(g, "postgresql", "connect_address"));
        assertEquals(dir.resolve("data").toString(), PatroniYaml.at(g, "postgresql", "data_dir"));
        assertEquals(dir.resolve("sock/patroni/pgpass").toString(), PatroniYaml.at(g, "postgresql", "pgpass"));
        assertEquals(Map.of("username", "admin", "password", "super-secret"),
                PatroniYaml.at(g, "postgresql", "authentication", "superuser"));
        assertEquals(Map.of("username", "replicator"), PatroniYaml.at(g, "postgresql", "authentication", "replication"));
        assertEquals(20, PatroniYaml.at(g, "bootstrap", "dcs", "ttl"));
        assertEquals(10, PatroniYaml.at(g, "bootstrap", "dcs", "loop_wait"));
        assertEquals(true, PatroniYaml.at(g, "bootstrap", "dcs", "synchronous_mode"));
        assertEquals(List.of("data-checksums", Map.of("locale", "C.UTF-8"), Map.of("waldir", "/wal")),
                PatroniYaml.at(g, "bootstrap", "initdb"));
        Map<?, ?> parameters = (Map<?, ?>) PatroniYaml.at(g, "postgresql", "parameters");
        assertEquals(List.of("unix_socket_directories", "password_encryption", "shared_buffers", "work_mem",
                "log_min_messages", "max_connections"), List.copyOf(parameters.keySet()));
        assertEquals("96MB", parameters.get("shared_buffers"), "snippets after postgresql.conf");
        assertEquals("8MB", parameters.get("work_mem"), "snippets in name order");
        assertEquals("50", parameters.get("max_connections"));
        assertEquals(List.of("local   all          all            trust", "local   replication  all            trust",
                "host    all          all   all      scram-sha-256", "host    replication  all   all      scram-sha-256"),
                PatroniYaml.at(g, "postgresql", "pg_hba"));
        assertNull(g.get("scope"), "Patroni's own variables go to the last layer");
        assertNull(PatroniYaml.at(g, "postgresql", "create_replica_methods"), "no backups, no pgBackRest replicas");
    }

    @Test
    void withBackupsANewReplicaIsRestoredFromTheRepositoryBeforeBasebackup() throws Exception {
        env.put("BACKUP_ENABLED", "true");
        env.put("PGBACKREST_STANZA", "main");
        Map<String, Object> g = config().generated();
        assertEquals(List.of("pgbackrest", "basebackup"), PatroniYaml.at(g, "postgresql", "create_replica_methods"));
        String command = (String) PatroniYaml.at(g, "postgresql", "pgbackrest", "command");
        assertTrue(command.matches("pgbackrest --config=\\S+/pgbackrest\\.conf --stanza=main --type=standby --delta restore"),
                command);
        assertEquals(true, PatroniYaml.at(g, "postgresql", "pgbackrest", "no_params"));
    }

    @Test
    void layersComeInPatronisMergeOrderWithPatronisVariablesLast() throws Exception {
        Files.writeString(dir.resolve("config/patroni.yml"), "scope: from-file\ntags: {nofailover: true}\n");
        env.put("PATRONI_CONFIGURATION", "postgresql:\n  parameters:\n    work_mem: 16MB\n");
        env.remove("PATRONI_REPLICATION_PASSWORD");
        Files.writeString(dir.resolve("replication"), "from-a-file\n");
        env.put("PATRONI_REPLICATION_PASSWORD_FILE", dir.resolve("replication").toString());
        List<PatroniConfig.Layer> layers = config().layers();
        assertEquals(List.of("00-generated.yml", "10-user.yml", "20-patroni-configuration.yml", "90-environment.yml"),
                layers.stream().map(PatroniConfig.Layer::file).toList());
        assertEquals("scope: from-file\ntags: {nofailover: true}\n", layers.get(1).text(), "user files are copied as written");
        Map<String, Object> environment = layers.get(3).tree();
        assertEquals(List.of("etcd1:2379", "etcd2:2379"), PatroniYaml.at(environment, "etcd3", "hosts"));
        assertEquals("from-a-file", PatroniYaml.at(environment, "postgresql", "authentication", "replication", "password"));
        Map<String, Object> effective = PatroniConfig.effective(layers);
        assertEquals("demo", effective.get("scope"), "PATRONI_SCOPE wins over the file, as in Patroni");
        assertEquals(true, PatroniYaml.at(effective, "tags", "nofailover"));
        assertEquals("16MB", PatroniYaml.at(effective, "postgresql", "parameters", "work_mem"));
        assertEquals("scram-sha-256", PatroniYaml.at(effective, "postgresql", "parameters", "password_encryption"));
    }

    @Test
    void hostListsAsPatroniParsesThem() {
        assertEquals(List.of("a:1", "b:2"), PatroniConfig.hostList("a:1,b:2"));
        assertEquals(List.of("a:1", "b:2"), PatroniConfig.hostList("[ 'a:1', \"b:2\" ]"));
        assertTrue(PatroniConfig.hostList(" ").isEmpty());
        assertEquals(List.of("a:1", "b:2", "c:3"), DcsProbe.hosts(Map.of("etcd3", Map.of("hosts", "http://a:1,b:2",
                "host", "c:3"))));
    }
}
