package dev.myelin.platform.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with a JDBC connection inside a transaction opened by {@link Database}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
