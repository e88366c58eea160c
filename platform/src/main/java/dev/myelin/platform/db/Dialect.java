package dev.myelin.platform.db;

/** The two SQL dialects Myelin stores data in. */
public enum Dialect {
    SQLITE,
    POSTGRES
}
