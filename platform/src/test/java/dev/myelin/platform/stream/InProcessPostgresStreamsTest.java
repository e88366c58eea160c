package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Dialect;

/** The durable stream contract on in-process streams over PostgreSQL (concurrent producers really race here). */
class InProcessPostgresStreamsTest extends InProcessStreamsContract {

    @Override
    protected StreamsFixture createFixture() throws Exception {
        StreamTestDatabases dbs = new StreamTestDatabases(Dialect.POSTGRES);
        return new StreamsFixture() {
            @Override
            Database newDatabase() {
                return dbs.newDatabase();
            }

            @Override
            String spec(Database db) {
                return dbs.spec(db);
            }

            @Override
            String streamsSpec() {
                return "inprocess";
            }

            @Override
            public void close() throws Exception {
                dbs.close();
            }
        };
    }
}
