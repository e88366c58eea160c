package dev.myelin.platform.db.testing;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.db.Dialect;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** The JUnit extension behind {@link DatabaseTest}: one invocation per dialect, each with its own storage. */
public final class BothDialects implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(DatabaseTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(Dialect.values()).map(Invocation::new);
    }

    private record Invocation(Dialect dialect) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return dialect.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new Storage(dialect));
        }
    }

    /** Fresh storage for one invocation, handed to the test as parameters and removed after it. */
    private static final class Storage implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
        private final Dialect dialect;
        private Path directory;
        private DatabaseConfig config;
        private Database database;

        Storage(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public void beforeEach(ExtensionContext context) throws IOException {
            switch (dialect) {
                case SQLITE -> {
                    directory = TestDatabases.newTempDirectory();
                    config = TestDatabases.sqlite(directory);
                }
                case POSTGRES -> config = TestDatabases.freshPostgres();
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == Database.class || type == DatabaseConfig.class || type == Dialect.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            if (type == Dialect.class) {
                return dialect;
            }
            if (type == DatabaseConfig.class) {
                return config;
            }
            if (database == null) {
                database = Databases.open(config, component(context));
            }
            return database;
        }

        @Override
        public void afterEach(ExtensionContext context) throws IOException {
            try {
                if (database != null) {
                    database.close();
                }
            } finally {
                // why: after-each callbacks run even when before-each aborted (PostgreSQL unreachable), and then
                // there is nothing to clean up
                if (directory != null) {
                    TestDatabases.deleteRecursively(directory);
                }
                if (dialect == Dialect.POSTGRES && config != null) {
                    TestDatabases.dropSchemas(config.postgresSchemaPrefix());
                }
            }
        }

        private static String component(ExtensionContext context) {
            for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
                DatabaseComponent component = c.getAnnotation(DatabaseComponent.class);
                if (component != null) {
                    return component.value();
                }
            }
            throw new ParameterResolutionException("a Database parameter needs @DatabaseComponent(\"<component>\") on "
                    + context.getRequiredTestClass().getName() + " to know which migrations to apply");
        }
    }
}
