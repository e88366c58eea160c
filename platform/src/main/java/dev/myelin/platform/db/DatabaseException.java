package dev.myelin.platform.db;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A database operation failed: wraps the {@link SQLException} (kept as the cause) so that components do not
 * have to declare checked exceptions. By the time this is thrown, the transaction has been rolled back.
 */
public final class DatabaseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatabaseException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    public DatabaseException(String message) {
        super(message);
    }

    /** The SQLException that caused this, or null when the failure did not come from the driver. */
    public SQLException sqlCause() {
        return getCause() instanceof SQLException e ? e : null;
    }

    /**
     * True when a UNIQUE or PRIMARY KEY constraint rejected a row, in either dialect.
     * why: callers that race to insert the same key need one dialect-free way to recognise "already there".
     */
    public boolean isUniqueViolation() {
        for (SQLException e = sqlCause(); e != null; e = e.getNextException()) {
            if ("23505".equals(e.getSQLState())) {
                return true; // PostgreSQL unique_violation
            }
            if (e instanceof SQLiteException s
                    && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                            || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)) {
                return true;
            }
        }
        return false;
    }
}
