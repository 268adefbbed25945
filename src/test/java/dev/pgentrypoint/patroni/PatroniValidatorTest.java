package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatroniValidatorTest extends PatroniTestSupport {

    private void assertError(String prefix) {
        List<String> errors = errors();
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(prefix)), "no '" + prefix + "' in " + errors);
    }

    @Test
    void aCompleteEnvironmentPasses() {
        assertEquals(List.of(), errors());
        assertTrue(warnings().get(0).startsWith("Patroni's REST API accepts switchover"), warnings().toString());
        env.put("PATRONI_RESTAPI_USERNAME", "patroni");
        env.put("PATRONI_RESTAPI_PASSWORD", "rest-secret");
        assertEquals(List.of(), warnings());
    }

    @Test
    void otherModesAreNotChecked() {
        env.put("STARTUP_MODE", "direct");
        env.remove("PATRONI_SCOPE");
        assertEquals(List.of(), errors());
    }

    @Test
    void scopeNameAndEtcdAreRequired() {
        env.remove("PATRONI_SCOPE");
        env.remove("PATRONI_NAME");
        env.remove("PATRONI_ETCD3_HOSTS");
        List<String> errors = errors();
        assertEquals(3, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("PATRONI_SCOPE: no cluster name: set PATRONI_SCOPE"), errors.get(0));
        assertTrue(errors.get(1).startsWith("PATRONI_NAME: no member name: set PATRONI_NAME"), errors.get(1));
        assertTrue(errors.get(2).startsWith("PATRONI_ETCD3_HOSTS: no etcd: set PATRONI_ETCD3_HOSTS"), errors.get(2));
    }

    @Test
    void theUserFileMaySupplyWhatTheVariablesDoNot() throws Exception {
        env.remove("PATRONI_SCOPE");
        env.remove("PATRONI_ETCD3_HOSTS");
        env.remove("PATRONI_REPLICATION_PASSWORD");
        Files.writeString(dir.resolve("config/patroni.yml"), """
                scope: demo
                etcd3: {hosts: [etcd:2379]}
                postgresql: {authentication: {replication: {password: from-yaml}}}
                """);
        assertEquals(List.of(), errors());
    }

    @Test
    void badValuesNameTheirVariable() {
        env.put("PATRONI_NAME", "node 1");
        env.put("PATRONI_ETCD3_HOSTS", "etcd1");
        env.put("PATRONI_RESTAPI_LISTEN", "0.0.0.0:99999");
        env.put("PATRONI_POSTGRESQL_LISTEN", "0.0.0.0:5432");
        env.put("PATRONI_TTL", "soon");
        env.put("DCS_TIMEOUT", "0");
        env.put("PATRONI_SYNCHRONOUS_MODE", "maybe");
        env.put("PATRONI_POSTGRESQL_DATA_DIR", "/elsewhere");
        assertError("PATRONI_NAME: 'node 1' is not a valid member name");
        assertError("PATRONI_ETCD3_HOSTS: 'etcd1' is not host:port");
        assertError("PATRONI_RESTAPI_LISTEN: '0.0.0.0:99999' is not host:port");
        assertError("PATRONI_POSTGRESQL_LISTEN: '0.0.0.0:5432' does not listen on PGPORT 5433");
        assertError("PATRONI_TTL: 'soon' is not a number");
        assertError("DCS_TIMEOUT: 0 is out of range");
        assertError("PATRONI_SYNCHRONOUS_MODE: 'maybe' is not a boolean");
        assertError("PATRONI_POSTGRESQL_DATA_DIR: postgresql.data_dir differs from PGDATA");
    }

    @Test
    void credentialsAreRequiredUnlessTrust() throws Exception {
        env.remove("POSTGRES_PASSWORD");
        env.remove("PATRONI_REPLICATION_PASSWORD");
        assertError("POSTGRES_PASSWORD: no superuser password");
        assertError("PATRONI_REPLICATION_PASSWORD: no password for the replication user");
        env.put("PATRONI_REPLICATION_PASSWORD_FILE", dir.resolve("missing").toString());
        assertError("PATRONI_REPLICATION_PASSWORD_FILE: cannot read");
        env.remove("PATRONI_REPLICATION_PASSWORD_FILE");
        env.put("POSTGRES_HOST_AUTH_METHOD", "trust");
        assertEquals(List.of(), errors());
    }

    @Test
    void userYamlAndConfigFilesThatDoNotParse() throws Exception {
        Files.writeString(dir.resolve("config/patroni.yml"), "scope: [oops\n");
        env.put("PATRONI_CONFIGURATION", "- a list\n");
        assertError(dir.resolve("config/patroni.yml") + ": is not valid YAML");
        assertError("PATRONI_CONFIGURATION: must be a YAML mapping");
        Files.writeString(dir.resolve("config/patroni.yml"), "scope: demo\n");
        Files.writeString(dir.resolve("config/postgresql.conf"), "include 'other.conf'\n");
        assertError("CONFIG_DIR: " + dir.resolve("config/postgresql.conf") + " line 1: include is not supported");
    }

    @Test
    void onlyEtcd3AndLongInitdbOptionsAndSettingArguments() throws Exception {
        Files.writeString(dir.resolve("config/patroni.yml"), "consul: {host: consul:8500}\n");
        env.put("POSTGRES_INITDB_ARGS", "-k --locale=C --username=x");
        args.addAll(List.of("-c", "work_mem=4MB", "--single"));
        assertError("consul: the entrypoint runs Patroni on etcd3 only");
        assertError("POSTGRES_INITDB_ARGS: '-k': in Patroni mode give long options");
        assertError("POSTGRES_INITDB_ARGS: '--username=x' is set by the entrypoint: use POSTGRES_USER");
        assertError("command line: postgres argument '--single' cannot be given to Patroni");
    }

    @Test
    void dataOfAnotherClusterIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/PG_VERSION"), "15\n");
        Files.writeString(dir.resolve("data/postgresql.conf"), "include 'postgresql.base.conf'\ncluster_name = 'other'\n");
        assertError("PATRONI_SCOPE: 'demo' differs from cluster 'other'");
        Files.writeString(dir.resolve("data/postgresql.conf"), "cluster_name = 'demo'\n");
        assertEquals(List.of(), errors());
    }

    @Test
    void warnsAboutWhatPatroniModeDoesNotApply() throws Exception {
        env.put("POSTGRES_DB", "app");
        Files.writeString(dir.resolve("config/pg_hba.conf"), "local all all trust\nhost all all all scram-sha-256\n");
        List<String> warnings = warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.contains("POSTGRES_DB are not applied")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("no host rule for the replication database")),
                warnings.toString());
    }
}
