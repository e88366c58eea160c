package dev.myelin.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Dialect;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static MyelinConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "myelin.yaml", Map.of());
    }

    private static void assertRejected(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void emptyFileMeansEveryDefault() {
        assertThat(parse("")).isEqualTo(MyelinConfig.defaults());
        assertThat(parse("# only a comment\n")).isEqualTo(MyelinConfig.defaults());
    }

    @Test
    void generatedTemplateParsesBackToTheDefaults() {
        String template = ConfigTemplate.render(MyelinConfig.defaults());
        assertThat(parse(template)).isEqualTo(MyelinConfig.defaults());
        // every option is there with an explanation above it
        for (String key : List.of("server_name:", "data_dir:", "listen:", "federation_listen:", "tls_cert:", "tls_key:",
                "signing_key_path:", "public_baseurl:", "max_request_body_size:", "cors_origins:", "log_level:",
                "metrics_enabled:", "dialect:", "pool_size:", "nats_url:", "prefix:")) {
            assertThat(template).contains(key);
        }
    }

    @Test
    void templateOfAnyConfigParsesBackToIt() {
        MyelinConfig custom = parse("""
                server_name: "example.org:8448"
                data_dir: /var/lib/my elin
                listen: "[::1]:9000"
                federation_listen: 0.0.0.0:8448
                tls_cert: /etc/cert.pem
                tls_key: /etc/key.pem
                public_baseurl: https://matrix.example.org/
                cors_origins: ["https://app.example.org", "http://localhost:8080"]
                max_request_body_size: 512KiB
                log_level: DEBUG
                metrics_enabled: false
                database: {dialect: postgres, postgres: {password: "p\\"w", pool_size: 3}}
                streams: {kind: jetstream, prefix: test_1}
                """);
        assertThat(parse(ConfigTemplate.render(custom))).isEqualTo(custom);
        assertThat(custom.publicBaseUrl()).isEqualTo("https://matrix.example.org");
        assertThat(custom.wellKnownServer()).hasValue("example.org:8448");
        assertThat(custom.database().dialect()).isEqualTo(Dialect.POSTGRES);
        assertThat(custom.database().postgresPassword()).isEqualTo("p\"w");
        assertThat(custom.database().postgresPoolSize()).isEqualTo(3);
        assertThat(custom.database().sqliteDirectory()).isEqualTo(custom.dataDir());
        assertThat(custom.maxRequestBodySize()).isEqualTo(512 * 1024);
        assertThat(custom.logLevel()).isEqualTo("debug");
    }

    @Test
    void defaultRoomVersionIsTwelveAndConfigurable() {
        assertThat(parse("").rooms().defaultRoomVersion()).isEqualTo("12");
        assertThat(parse("rooms:\n  default_room_version: 10\n").rooms().defaultRoomVersion()).isEqualTo("10");
        assertThat(parse("rooms:\n  default_room_version: \"11\"\n").rooms().defaultRoomVersion()).isEqualTo("11");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("rooms:\n  default_room_version: 13\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rooms.default_room_version");
    }

    @Test
    void presenceAndUserDirectorySwitchesHaveDefaultsAndAreValidated() {
        assertThat(parse("").presence().enabled()).isTrue();
        assertThat(parse("").userDirectory().searchAllUsers()).isFalse();
        assertThat(parse("presence:\n  enabled: false\n").presence().enabled()).isFalse();
        assertThat(parse("user_directory:\n  search_all_users: true\n").userDirectory().searchAllUsers()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("presence:\n  enabled: sometimes\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("presence.enabled");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("user_directory:\n  search_all: true\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'user_directory.search_all'");
    }

    @Test
    void derivedDefaults() {
        MyelinConfig d = MyelinConfig.defaults();
        assertThat(d.signingKeyFile()).isEqualTo(Path.of("./data/signing.key"));
        assertThat(d.publicBaseUrl()).isEqualTo("http://127.0.0.1:8008");
        assertThat(d.wellKnownServer()).isEmpty();
        MyelinConfig wildcard = parse("server_name: example.org\nlisten: 0.0.0.0:8008\n");
        assertThat(wildcard.publicBaseUrl()).isEqualTo("http://example.org:8008");
    }

    @Test
    void unknownKeysAreNamedWithASuggestion() {
        assertRejected("listn: 127.0.0.1:8008\n", "config: unknown key 'listn' (did you mean 'listen'?)");
        assertRejected("database:\n  dialekt: sqlite\n", "config: unknown key 'database.dialekt' (did you mean 'database.dialect'?)");
        assertRejected("completely_different: 1\n", "config: unknown key 'completely_different'");
        assertRejected("database: sqlite\n", "config: database: must be a section of options, not a single value");
    }

    @Test
    void badValuesNameTheKeyAndTheReason() {
        assertRejected("listen: 127.0.0.1:70000\n", "config: listen: port must be 1–65535, got 70000");
        assertRejected("listen: localhost\n", "config: listen: must be host:port (e.g. 127.0.0.1:8008), got 'localhost'");
        assertThatThrownBy(() -> parse("server_name: \"bad name!\"\n")).hasMessageStartingWith(
                "config: server_name: must be a host name, IP literal or [IPv6], optionally with :port, got 'bad name!'");
        assertThatThrownBy(() -> parse("server_name: \"example.org:\"\n")).hasMessageStartingWith("config: server_name: ");
        assertRejected("database:\n  dialect: mysql\n", "config: database.dialect: must be sqlite or postgres, got 'mysql'");
        assertRejected("database:\n  postgres:\n    pool_size: 0\n", "config: database.postgres.pool_size: must be 1–1000, got 0");
        assertRejected("metrics_enabled: maybe\n", "config: metrics_enabled: must be true or false, got 'maybe'");
        assertRejected("max_request_body_size: lots\n",
                "config: max_request_body_size: must be a size such as 1048576, 512KiB, 1MiB or 2GiB, got 'lots'");
        assertRejected("log_level: loud\n", "config: log_level: must be one of error, warn, info, debug, trace, got 'loud'");
        assertRejected("streams:\n  kind: kafka\n", "config: streams.kind: must be in-process or jetstream, got 'kafka'");
        assertRejected("federation_listen: 0.0.0.0:8448\n", "config: federation_listen: needs tls_cert and tls_key (PEM files)");
        assertRejected("server_name: [a, b]\n", "config: server_name: must be a single value, not a list or section");
        assertRejected("public_baseurl: ftp://x\n", "config: public_baseurl: must be an http:// or https:// URL, got 'ftp://x'");
    }

    @Test
    void brokenYamlSaysWhere() {
        assertThatThrownBy(() -> parse("server_name: a\n  listen: [\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config: myelin.yaml is not valid YAML at line");
        assertRejected("- a\n- b\n", "config: myelin.yaml must be a mapping of option: value");
        assertThatThrownBy(() -> parse("listen: 1.2.3.4:1\nlisten: 1.2.3.4:2\n")).hasMessageContaining("not valid YAML");
    }

    @Test
    void overridesReplaceFileValuesAndAreValidatedTheSameWay() {
        MyelinConfig config = ConfigLoader.parse("server_name: a.example\nlisten: 127.0.0.1:1000\n", "f",
                Map.of("server_name", "b.example", "data_dir", "/tmp/x", "database.dialect", "postgres"));
        assertThat(config.serverName()).isEqualTo("b.example");
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(config.listen()).isEqualTo(new HostPort("127.0.0.1", 1000));
        assertThat(config.database().dialect()).isEqualTo(Dialect.POSTGRES);
        assertThatThrownBy(() -> ConfigLoader.parse("", "f", Map.of("listen", "127.0.0.1:0")))
                .hasMessage("config: listen: port must be 1–65535, got 0");
        assertThat(ConfigLoader.parse("", "f", Map.of("federation_listen", "127.0.0.1:8448", "tls_cert", "c", "tls_key", "k"))
                .federationListen()).isEqualTo(Optional.of(new HostPort("127.0.0.1", 8448)));
    }

    @Test
    void sizesAcceptUnits() {
        assertThat(ByteSize.parse("1048576", "k")).isEqualTo(1 << 20);
        assertThat(ByteSize.parse("50M", "k")).isEqualTo(50L << 20);
        assertThat(ByteSize.parse("2 GiB", "k")).isEqualTo(2L << 30);
        assertThat(ByteSize.format(50L << 20)).isEqualTo("50MiB");
        assertThat(ByteSize.format(1000)).isEqualTo("1000");
        assertThat(parse("max_request_body_size: 2048\n").maxRequestBodySize()).isEqualTo(2048);
    }
}
