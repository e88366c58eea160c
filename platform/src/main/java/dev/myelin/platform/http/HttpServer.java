package dev.myelin.platform.http;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty server behind every listener: plain HTTP and, when given a certificate, TLS (for federation). All
 * listeners share one {@link Router}. Endpoints run on virtual threads, so they may block. {@link #stop()}
 * refuses new connections and lets requests in flight finish, up to {@link HttpSettings#stopTimeout()}.
 */
public final class HttpServer implements AutoCloseable {

    /** Where to listen; {@code tls} present for an HTTPS listener. Port 0 picks a free port. */
    public record Listener(String host, int port, Optional<Tls> tls) {
        public static Listener plain(String host, int port) { return new Listener(host, port, Optional.empty()); }

        public static Listener tls(String host, int port, Path certPem, Path keyPem) {
            return new Listener(host, port, Optional.of(new Tls(certPem, keyPem)));
        }

        public String address() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }
    }

    /** PEM files of a TLS listener: the certificate chain and its private key. */
    public record Tls(Path certPem, Path keyPem) {}

    /** Starting a listener failed: the port is taken, the address is not ours, or the TLS files are bad. */
    public static final class StartException extends Exception {
        StartException(String message, Throwable cause) { super(message, cause); }
    }

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final Server server;
    private final List<ServerConnector> connectors;
    private final List<Listener> listeners;

    private HttpServer(Server server, List<ServerConnector> connectors, List<Listener> listeners) {
        this.server = server;
        this.connectors = connectors;
        this.listeners = listeners;
    }

    /** Starts every listener, or none: on failure whatever started is stopped again. */
    public static HttpServer start(List<Listener> listeners, Router router, HttpSettings settings, MeterRegistry meters)
            throws StartException {
        // why: without it Jetty asks the platform MBean server whether oops are compressed, which starts JMX and
        // JFR's diagnostic commands: ~0.2 s of start-up. 16 is right for any heap under 32 GiB (compressed oops);
        // it only tunes padding against false sharing.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("myelin-http");
        threads.setReservedThreads(0);
        // why: endpoints block (database, long polls); on virtual threads a waiting request costs a few KB
        threads.setVirtualThreadsExecutor(
                Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("myelin-request-", 0).factory()));
        Server server = new Server(threads);
        server.setStopTimeout(settings.stopTimeout().toMillis());
        server.setStopAtShutdown(false); // why: the owner stops us, in order, from its own shutdown hook

        List<ServerConnector> connectors = new ArrayList<>();
        for (Listener listener : listeners) {
            ServerConnector connector = connector(server, listener);
            connector.setHost(listener.host());
            connector.setPort(listener.port());
            // why: long polls (/sync) hold a request for up to a few minutes without I/O
            connector.setIdleTimeout(180_000);
            server.addConnector(connector);
            connectors.add(connector);
        }
        GracefulHandler graceful = new GracefulHandler(new MatrixHandler(router, settings, meters));
        // why: on stop, idle keep-alive connections are dropped after this long (Jetty's default of 1 s slows every stop)
        graceful.setShutdownIdleTimeout(200);
        server.setHandler(graceful);
        server.setErrorHandler(new MatrixErrorHandler());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing; the start error is the one to report
            }
            throw new StartException(describe(e, listeners), e);
        }
        return new HttpServer(server, connectors, listeners);
    }

    private static ServerConnector connector(Server server, Listener listener) throws StartException {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // why: Matrix IDs in paths may hold an encoded '/' (%2F), e.g. room version 3 event IDs
        http.setUriCompliance(UriCompliance.from(EnumSet.of(
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT)));
        if (listener.tls().isEmpty()) {
            return new ServerConnector(server, 0, 1, new HttpConnectionFactory(http));
        }
        Tls tls = listener.tls().get();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            ssl.setKeyStore(PemKeys.keyStore(tls.certPem(), tls.keyPem()));
        } catch (IOException | GeneralSecurityException e) {
            throw new StartException("cannot load TLS certificate " + tls.certPem() + " / key " + tls.keyPem() + ": " + e.getMessage(), e);
        }
        ssl.setKeyStorePassword(new String(PemKeys.STORE_PASSWORD));
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // why: remote servers connect by server name, which need not be a name on the certificate in tests
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        return new ServerConnector(server, 0, 1,
                new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    }

    private static String describe(Exception e, List<Listener> listeners) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                String where = listeners.stream().map(Listener::address).reduce((a, b) -> a + " or " + b).orElse("");
                return "cannot listen on " + where + ": " + t.getMessage();
            }
        }
        return "cannot start the HTTP server: " + e;
    }

    /** The port the {@code index}th listener got (useful when it asked for port 0). */
    public int port(int index) { return connectors.get(index).getLocalPort(); }

    /** The base URI of the {@code index}th listener, e.g. {@code http://127.0.0.1:8008}. */
    public URI uri(int index) {
        Listener listener = listeners.get(index);
        String scheme = listener.tls().isPresent() ? "https" : "http";
        String host = listener.host().contains(":") ? "[" + listener.host() + "]" : listener.host();
        return URI.create(scheme + "://" + host + ":" + port(index));
    }

    /**
     * Stops accepting, waits for requests in flight (up to the stop timeout), then closes everything. Requests
     * still running after the timeout are cut off, with a warning in the log.
     */
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("the HTTP server did not stop cleanly (requests still in flight after the stop timeout?): {}", e.toString());
        }
    }

    @Override
    public void close() { stop(); }
}
