package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {

    @Test
    void neverPrintsThePassword() {
        DatabaseConfig config = DatabaseConfig.postgres("jdbc:postgresql://db/matrix", "myelin", "hunter2");
        assertThat(config.toString()).doesNotContain("hunter2").contains("password=***").contains("myelin");
        DatabaseConfig inUrl = DatabaseConfig.postgres("jdbc:postgresql://db/matrix?password=hunter2", "myelin", null);
        assertThat(inUrl.toString()).doesNotContain("hunter2").contains("jdbc:postgresql://db/matrix");
    }

    @Test
    void rejectsIncompleteOrUnsafeSettings() {
        assertThatThrownBy(() -> DatabaseConfig.postgres("jdbc:mysql://db/x", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseConfig.postgres("jdbc:postgresql://db/x", "u", "p").withPostgresSchemaPrefix("x\"; DROP"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseConfig.postgres("jdbc:postgresql://db/x", "u", "p").withPostgresPoolSize(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatabaseConfig.sqlite(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DatabaseConfig.sqlite(Path.of("/tmp")).withSqliteReaders(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsComponentNamesThatAreNotPlainIdentifiers() {
        DatabaseConfig config = DatabaseConfig.sqlite(Path.of("/nonexistent"));
        for (String bad : new String[] {"", "Room", "../etc", "a-b", "1abc", "a b"}) {
            assertThatThrownBy(() -> Databases.open(config, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
