package dev.myelin.platform.stream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Whether the machine's PostgreSQL / NATS are up: tests skip without them unless MYELIN_REQUIRE_SERVICES=1. */
final class Services {

    private Services() {
    }

    static void require(String what, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        } catch (IOException e) {
            String message = what + " is not reachable at 127.0.0.1:" + port;
            if ("1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"))) {
                Assertions.fail(message + " and MYELIN_REQUIRE_SERVICES=1");
            }
            Assumptions.abort(message + ": skipping (set MYELIN_REQUIRE_SERVICES=1 to fail instead)");
        }
    }
}
